package poll

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Mode is how a poll reached its respondents. In Korea the mode is the
// largest systematic effect: automated (ARS) and live-interview polls of the
// same question often differ by 5-15 points.
type Mode string

// The survey modes pollagg distinguishes.
const (
	ModeUnknown Mode = ""           // not reported
	ModeLive    Mode = "phone-live" // telephone, live interviewer (CATI)
	ModeARS     Mode = "phone-ARS"  // telephone, automated voice (ARS/IVR)
	ModeOnline  Mode = "online"     // web panel
	ModeMixed   Mode = "mixed"      // more than one of the above
)

// Modes lists every known mode, ModeUnknown last.
var Modes = []Mode{ModeLive, ModeARS, ModeOnline, ModeMixed, ModeUnknown}

// ParseMode maps a mode as pollsters describe it ("ARS (100% wireless)",
// "telephone interview (CATI)", "Live Phone", "Online", "전화면접",
// "무선 ARS", "IVR/Online") to a Mode. Text it cannot place is ModeUnknown
// with ok false; an empty text is ModeUnknown with ok true.
func ParseMode(s string) (m Mode, ok bool) {
	l := strings.ToLower(strings.TrimSpace(s))
	if l == "" {
		return ModeUnknown, true
	}
	for _, mm := range Modes[:4] {
		if l == strings.ToLower(string(mm)) {
			return mm, true
		}
	}
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(l, s) {
				return true
			}
		}
		return false
	}
	ars := has("ars", "ivr", "automated", "자동응답", "robo")
	live := has("live", "cati", "interview", "면접", "telephone", "phone", "전화")
	online := has("online", "web", "internet", "온라인", "인터넷", "panel", "웹")
	switch {
	case has("mixed", "혼합") || (ars && online) || (live && online && !ars):
		return ModeMixed, true
	case ars:
		return ModeARS, true
	case online:
		return ModeOnline, true
	case live:
		return ModeLive, true
	}
	return ModeUnknown, false
}

// Poll is one published poll of one question: who asked, when, how, of whom,
// and what share gave each answer. Percentages are 0-100.
type Poll struct {
	ID         string `json:"id"`          // stable id (see PollID)
	QuestionID string `json:"question_id"` // the question it is averaged in
	ExternalID string `json:"poll_id,omitempty"`
	Pollster   string `json:"pollster"`
	Sponsor    string `json:"sponsor,omitempty"`
	Start      Date   `json:"start_date"`            // first field day
	End        Date   `json:"end_date"`              // last field day
	SampleSize int    `json:"sample_size,omitempty"` // respondents; 0 when not reported
	Population string `json:"population,omitempty"`  // e.g. "adults 18+", "a", "rv", "lv"
	Mode       Mode   `json:"mode"`
	ModeNote   string `json:"mode_note,omitempty"` // the mode as the pollster described it
	// ResponseRate is in percent (e.g. 9.5); nil when not reported.
	ResponseRate *float64 `json:"response_rate,omitempty"`
	// MarginOfError is the reported 95% half-width in percentage points; nil when not reported.
	MarginOfError *float64 `json:"margin_of_error,omitempty"`
	Weighting     string   `json:"weighting,omitempty"` // the weighting note, e.g. "cell weighting by sex, age, region"
	// Wording is the question exactly as this pollster asked it.
	Wording string `json:"wording,omitempty"`
	// AnswerLabels maps an option id to the label this pollster used for it,
	// e.g. "support" → "agree, for national interest".
	AnswerLabels map[string]string `json:"answer_labels,omitempty"`
	SourceURL    string            `json:"source_url,omitempty"`
	RegistryID   string            `json:"registry_id,omitempty"` // e.g. NESDC registration number
	Notes        string            `json:"notes,omitempty"`
	// Results holds each reported option's percentage (0-100), in option-id
	// order. Options the pollster did not report are absent.
	Results Shares `json:"results"`
}

// Midpoint returns the middle day of the field period, the poll's date for
// recency weighting and charts (rounded down).
func (p *Poll) Midpoint() Date { return p.Start + (p.End-p.Start)/2 }

// MidpointExact returns the field period's midpoint in fractional days.
func (p *Poll) MidpointExact() float64 { return (float64(p.Start) + float64(p.End)) / 2 }

// SumTolerance is how far past 100 the reported answers may sum before a
// poll is rejected: each of a few rounded figures can be off by half a point.
const SumTolerance = 1.5

// Validate checks p against q and today (the latest day a field period may
// end). It returns every problem it finds, each tied to a field.
func (p *Poll) Validate(q *Question, today Date) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Pollster) == "" {
		add("pollster", "is empty: every poll needs its pollster")
	}
	if p.End < p.Start {
		add("end_date", "field period ends (%s) before it starts (%s)", p.End, p.Start)
	}
	if p.End > today {
		add("end_date", "%s is in the future (today is %s)", p.End, today)
	} else if p.Start > today {
		add("start_date", "%s is in the future (today is %s)", p.Start, today)
	}
	if p.SampleSize < 0 {
		add("sample_size", "%s", SampleSizeMessage(p.SampleSize))
	}
	if p.ResponseRate != nil && (*p.ResponseRate <= 0 || *p.ResponseRate > 100 || math.IsNaN(*p.ResponseRate)) {
		add("response_rate", "must be a percentage above 0 and at most 100 (got %s)", fmtNum(*p.ResponseRate))
	}
	if p.MarginOfError != nil && (*p.MarginOfError <= 0 || *p.MarginOfError >= 50 || math.IsNaN(*p.MarginOfError)) {
		add("margin_of_error", "must be in percentage points, above 0 and below 50 (got %s)", fmtNum(*p.MarginOfError))
	}
	if len(p.Results) == 0 {
		add("results", "no answer percentages: a poll needs at least one")
	}
	sum := 0.0
	for i, r := range p.Results {
		id, v := r.Option, r.Pct
		if i > 0 && p.Results[i-1].Option >= id {
			add(id, "answer %q is out of option-id order or given twice", id)
			continue
		}
		if q != nil {
			if _, ok := q.Option(id); !ok {
				add(id, "unknown answer %q: question %q has options %s", id, q.ID, strings.Join(q.OptionIDs(), ", "))
				continue
			}
		}
		if math.IsNaN(v) || v < 0 || v > 100 {
			add(id, "percentage %s is outside 0-100", fmtNum(v))
			continue
		}
		sum += v
	}
	if sum > 100+SumTolerance {
		add("results", "answers sum to %s%%, more than 100 beyond rounding", fmtNum(math.Round(sum*100)/100))
	}
	return errs
}

// SampleSizeMessage is the message for a sample size that is not a positive
// number. Readers of input formats use it for an explicit 0 (a blank cell
// means "not reported" and is stored as 0).
func SampleSizeMessage(n int) string {
	return fmt.Sprintf("must be a positive number of respondents (got %d)", n)
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PollID returns the stable id of a poll: derived from the pollster and its
// own poll_id when the file gives one, otherwise from the identity that
// names the same poll in any file (question, pollster, field dates and
// sample size). Re-importing a file therefore finds the same polls.
func PollID(p *Poll) string {
	var buf [128]byte
	var key []byte
	if p.ExternalID != "" {
		key = append(buf[:0], "x\x00"...)
		key = append(key, p.QuestionID...)
		key = append(key, 0)
		key = append(key, strings.ToLower(strings.TrimSpace(p.Pollster))...)
		key = append(key, 0)
		key = append(key, p.ExternalID...)
	} else {
		key = appendIdentityKey(buf[:0], p)
	}
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// IdentityKey is the natural key of a poll: question, pollster (case and
// surrounding space ignored), field dates and sample size.
func IdentityKey(p *Poll) string {
	var buf [128]byte
	return string(appendIdentityKey(buf[:0], p))
}

func appendIdentityKey(b []byte, p *Poll) []byte {
	b = append(b, "i\x00"...)
	b = append(b, p.QuestionID...)
	b = append(b, 0)
	b = append(b, strings.ToLower(strings.TrimSpace(p.Pollster))...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(p.Start), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(p.End), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(p.SampleSize), 10)
	return b
}

// SameContent reports whether a and b carry the same published content:
// every field but ID. A re-upload with the same content is unchanged; one
// with different content becomes a new revision.
func SameContent(a, b *Poll) bool {
	x, y := *a, *b
	x.ID, y.ID = "", ""
	if len(x.AnswerLabels) == 0 {
		x.AnswerLabels = nil
	}
	if len(y.AnswerLabels) == 0 {
		y.AnswerLabels = nil
	}
	if len(x.Results) == 0 {
		x.Results = nil
	}
	if len(y.Results) == 0 {
		y.Results = nil
	}
	return reflect.DeepEqual(x, y)
}

// Revision is one version of a poll as it was published. The first upload
// makes revision 1; each correction adds one. Old revisions are kept.
type Revision struct {
	Number   int       `json:"revision"`
	Poll     Poll      `json:"poll"`
	UploadID string    `json:"upload_id,omitempty"`
	Recorded time.Time `json:"recorded"`
}

// Record is a stored poll with its whole history.
type Record struct {
	Revisions []Revision `json:"revisions"` // oldest first; never empty
	// Retracted is when the poll was withdrawn; nil while it counts. A
	// retracted poll leaves every average but stays in the record.
	Retracted   *time.Time `json:"retracted,omitempty"`
	RetractedBy string     `json:"retracted_by,omitempty"`
}

// Current returns the newest revision's poll.
func (r *Record) Current() *Poll { return &r.Revisions[len(r.Revisions)-1].Poll }

// Upload records one file brought into pollagg: who, when, what, and what
// it did.
type Upload struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"` // the pollster account or "operator" or "cli"
	Time      time.Time `json:"time"`
	FileName  string    `json:"file_name,omitempty"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	Format    string    `json:"format"` // "wide", "wide-ko" or "long"
	Questions []string  `json:"questions"`
	Counts    Counts    `json:"counts"`
	DryRun    bool      `json:"dry_run"`

	// Encoding is the text encoding a CSV was read in when it was not
	// UTF-8 ("cp949", "utf-16le", "utf-16be"); "" for UTF-8 and workbooks.
	Encoding string `json:"encoding,omitempty"`
	// Sheet is the workbook sheet read, for an .xlsx file.
	Sheet string `json:"sheet,omitempty"`
}

// Counts tells what an import did with each poll in a file.
type Counts struct {
	Added     int `json:"added"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	// Retracted counts rows that matched a retracted poll: they are stored
	// (as a revision when changed) but the poll stays out of the averages.
	Retracted int `json:"retracted,omitempty"`
}

// String formats c as "N added, N changed, N unchanged".
func (c Counts) String() string {
	s := fmt.Sprintf("%d added, %d changed, %d unchanged", c.Added, c.Changed, c.Unchanged)
	if c.Retracted > 0 {
		s += fmt.Sprintf(" (%d of them retracted earlier: still out of the averages)", c.Retracted)
	}
	return s
}
