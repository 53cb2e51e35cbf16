package pollcsv

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/pollagg/pollagg/poll"
)

// MaxCellBytes is the longest cell Read accepts. The longest real field,
// a question's wording, is a few hundred characters; a cell of many
// kilobytes is a shifted column or a pasted document, refused at its line.
const MaxCellBytes = 16 << 10

// cellIssue returns what is wrong with a cell's text, or "": a control
// character other than tab and the line breaks a quoted cell may hold, or
// more than MaxCellBytes bytes.
func cellIssue(s string) string {
	if len(s) > MaxCellBytes {
		return fmt.Sprintf("is %s bytes long; a cell may hold at most %s bytes (is a column shifted, or a document pasted in?)",
			groupDigits(len(s)), groupDigits(MaxCellBytes))
	}
	if i := strings.IndexFunc(s, forbiddenControl); i >= 0 {
		r := []rune(s[i:])[0]
		return fmt.Sprintf("holds the control character U+%04X at character %d; remove it (only tabs and line breaks may stand in a cell)",
			r, len([]rune(s[:i]))+1)
	}
	return ""
}

// forbiddenControl reports control characters a text cell may not hold:
// every C0 and C1 control but tab, line feed and carriage return, and DEL.
func forbiddenControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

// groupDigits formats n with thousands separators.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// cellProblem is one bad cell of a record: its column index and message.
type cellProblem struct {
	col int
	msg string
}

// recordIssues checks every cell of a record (known fields in rec, the
// others in unmatched; seen maps a canonical header to its column) and
// returns the bad ones in column order.
func recordIssues(rec *record, unmatched map[string]string, seen map[string]int) []cellProblem {
	var out []cellProblem
	for f, i := range seen {
		var v string
		if knownFields[f] {
			v = rec.field(f)
		} else {
			v = unmatched[f]
		}
		if msg := cellIssue(v); msg != "" {
			out = append(out, cellProblem{col: i, msg: msg})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].col < out[j].col })
	return out
}

// field returns the cell of canonical field name f.
func (r *record) field(f string) string {
	switch f {
	case "question_id":
		return r.QuestionID
	case "question":
		return r.Question
	case "poll_id":
		return r.PollID
	case "pollster":
		return r.Pollster
	case "sponsor":
		return r.Sponsor
	case "start_date":
		return r.StartDate
	case "end_date":
		return r.EndDate
	case "sample_size":
		return r.SampleSize
	case "population":
		return r.Population
	case "mode":
		return r.Mode
	case "response_rate":
		return r.ResponseRate
	case "margin_of_error":
		return r.MarginOfError
	case "weighting":
		return r.Weighting
	case "wording":
		return r.Wording
	case "answer_labels":
		return r.AnswerLabels
	case "source_url":
		return r.SourceURL
	case "registry_id":
		return r.RegistryID
	case "notes":
		return r.Notes
	case "answer":
		return r.Answer
	case "pct":
		return r.Pct
	}
	return ""
}

// pollIDIndex remembers, for each poll_id of a file, the pollster and
// field period it was first given with, so that one id given for two
// different polls is refused naming both lines.
type pollIDIndex map[string]pollIDFirst

type pollIDFirst struct {
	line       int
	pollster   string
	start, end poll.Date
}

// check records p's poll_id (first seen on line) or, when the id was given
// before for another pollster or field period, returns the problem.
func (x pollIDIndex) check(p *poll.Poll, line int) string {
	f, ok := x[p.ExternalID]
	if !ok {
		x[p.ExternalID] = pollIDFirst{line: line, pollster: p.Pollster, start: p.Start, end: p.End}
		return ""
	}
	switch {
	case !strings.EqualFold(f.pollster, p.Pollster):
		return fmt.Sprintf("poll_id %q is given for two pollsters: %q on line %d and %q on line %d; one poll_id names one poll",
			p.ExternalID, f.pollster, f.line, p.Pollster, line)
	case f.start != p.Start || f.end != p.End:
		return fmt.Sprintf("poll_id %q is given for two field periods: %s to %s on line %d and %s to %s on line %d; one poll_id names one poll",
			p.ExternalID, f.start, f.end, f.line, p.Start, p.End, line)
	}
	return ""
}
