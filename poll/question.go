package poll

import (
	"regexp"
	"strings"
	"time"
)

// Question is one survey question that polls are averaged on, such as
// "Do you support the government's third-party compensation plan?".
// Polls of different questions are never mixed in one average.
type Question struct {
	ID      string   `json:"id"`       // stable slug: lower-case letters, digits and '-'
	TitleKo string   `json:"title_ko"` // Korean title, shown to Korean readers
	TitleEn string   `json:"title_en"` // English title
	Options []Option `json:"options"`  // the answer options polls report, in display order
	Events  []Event  `json:"events,omitempty"`
	// Notes is free text shown under the title (caveats, scope), in
	// English; NotesKo is the same in Korean.
	Notes   string `json:"notes,omitempty"`
	NotesKo string `json:"notes_ko,omitempty"`
	// ResultHistory holds the question's outcome (an election's or a
	// referendum's result) with every earlier version, oldest first; empty
	// when the truth is not known. Result returns the current one.
	ResultHistory []OutcomeRevision `json:"result_history,omitempty"`
	Created       time.Time         `json:"created"`
	Updated       time.Time         `json:"updated"`

	// Related lists the ids of questions a reader of this one may want
	// next, linked from its page; ids the database does not hold are skipped.
	Related []string `json:"related,omitempty"`
}

// Option is one answer option of a question.
type Option struct {
	ID      string `json:"id"`       // slug, e.g. "support"
	LabelKo string `json:"label_ko"` // e.g. "찬성"
	LabelEn string `json:"label_en"` // e.g. "Support"
	// Undecided marks the "don't know / no answer" option, which averaging
	// may drop before renormalising.
	Undecided bool `json:"undecided,omitempty"`
}

// Event is a dated event drawn on a question's chart, such as the day a
// plan was announced.
type Event struct {
	Date    Date   `json:"date"`
	LabelKo string `json:"label_ko"`
	LabelEn string `json:"label_en"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)

// ValidSlug reports whether s may be a question or option id: 1–80
// characters of lower-case ASCII letters, digits and '-', not starting with '-'.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Title returns the question's title in lang ("ko" or "en"), falling back to
// the other language and then to the id.
func (q *Question) Title(lang string) string {
	return pick(lang, q.TitleKo, q.TitleEn, q.ID)
}

// NotesIn returns the question's notes in lang, falling back to the other language.
func (q *Question) NotesIn(lang string) string { return pick(lang, q.NotesKo, q.Notes, "") }

// Label returns the option's label in lang, falling back to the other
// language and then to the id.
func (o Option) Label(lang string) string { return pick(lang, o.LabelKo, o.LabelEn, o.ID) }

// Label returns the event's label in lang.
func (e Event) Label(lang string) string { return pick(lang, e.LabelKo, e.LabelEn, "") }

func pick(lang, ko, en, id string) string {
	first, second := en, ko
	if lang == "ko" {
		first, second = ko, en
	}
	switch {
	case first != "":
		return first
	case second != "":
		return second
	}
	return id
}

// Option returns the option with the given id.
func (q *Question) Option(id string) (Option, bool) {
	for _, o := range q.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// OptionIDs returns the ids of the question's options in order.
func (q *Question) OptionIDs() []string {
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	return ids
}

// Validate checks the question's id, options and events.
func (q *Question) Validate() error {
	var errs []FieldError
	if !ValidSlug(q.ID) {
		errs = append(errs, FieldError{"question_id", "must be 1-80 lower-case letters, digits or '-' (got " + quote(q.ID) + ")"})
	}
	if len(q.Options) < 2 {
		errs = append(errs, FieldError{"options", "a question needs at least two answer options"})
	}
	seen := map[string]bool{}
	for _, o := range q.Options {
		if !ValidSlug(o.ID) {
			errs = append(errs, FieldError{"options", "option id " + quote(o.ID) + " must be lower-case letters, digits or '-'"})
		}
		if seen[o.ID] {
			errs = append(errs, FieldError{"options", "option " + quote(o.ID) + " appears twice"})
		}
		seen[o.ID] = true
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return Errorf(EINVALID, "question %s: %s", quote(q.ID), strings.Join(msgs, "; "))
}

func quote(s string) string { return `"` + s + `"` }

// knownOptions maps common answer labels (English and Korean, as pollsters
// print them) to canonical option ids and labels. A question created from a
// file takes its options' labels from here.
var knownOptions = map[string]Option{
	"support":    {ID: "support", LabelKo: "찬성", LabelEn: "Support"},
	"oppose":     {ID: "oppose", LabelKo: "반대", LabelEn: "Oppose"},
	"undecided":  {ID: "undecided", LabelKo: "모름·무응답", LabelEn: "Undecided", Undecided: true},
	"approve":    {ID: "approve", LabelKo: "긍정", LabelEn: "Approve"},
	"disapprove": {ID: "disapprove", LabelKo: "부정", LabelEn: "Disapprove"},
	"positive":   {ID: "positive", LabelKo: "긍정", LabelEn: "Positive"},
	"negative":   {ID: "negative", LabelKo: "부정", LabelEn: "Negative"},
	"neither":    {ID: "neither", LabelKo: "어느 쪽도 아님", LabelEn: "Neither"},
}

// optionAliases maps labels as written in files (lower-cased) to option ids.
var optionAliases = map[string]string{
	"찬성": "support", "지지": "support", "yes": "support", "agree": "support", "favor": "support", "for": "support",
	"반대": "oppose", "no": "oppose", "disagree": "oppose", "against": "oppose",
	"모름·무응답": "undecided", "모름/무응답": "undecided", "모름": "undecided", "무응답": "undecided", "유보": "undecided",
	"모름/응답거절": "undecided", "don't know": "undecided", "dont know": "undecided", "dk": "undecided",
	"undecided": "undecided", "unsure": "undecided", "not sure": "undecided", "no opinion": "undecided", "dk/na": "undecided",
	"긍정": "approve", "잘하고 있다": "approve", "부정": "disapprove", "잘못하고 있다": "disapprove",
}

// CanonicalOption maps an answer label as a file writes it (e.g. "찬성",
// "Oppose", "모름·무응답") to an option id and default labels. Unknown
// labels become a slug of themselves; ok is false when no slug can be made.
func CanonicalOption(label string) (Option, bool) {
	l := strings.ToLower(strings.TrimSpace(label))
	if id, ok := optionAliases[l]; ok {
		l = id
	}
	if o, ok := knownOptions[l]; ok {
		return o, true
	}
	slug := Slugify(l)
	if !ValidSlug(slug) {
		return Option{}, false
	}
	return Option{ID: slug, LabelKo: strings.TrimSpace(label), LabelEn: strings.TrimSpace(label)}, true
}

// Slugify lower-cases s and turns runs of characters other than ASCII
// letters and digits into single '-'. It returns "" when nothing is left.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 80 {
		out = strings.TrimRight(out[:80], "-")
	}
	return out
}
