package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

func init() {
	register(&command{
		name:    "question set",
		usage:   "[--db FILE] [--title-ko TEXT] [--title-en TEXT] [--notes TEXT] [--notes-ko TEXT] [--option ID=KO/EN]... [--event DATE=KO/EN]... [--result ANSWER=PCT... --result-date YYYY-MM-DD] ID",
		summary: "set a question's titles, option labels, events and result (creates it when new)",
		run:     cmdQuestionSet,
	})
	register(&command{
		name:    "question list",
		usage:   "[--db FILE]",
		summary: "list questions with their poll counts",
		run:     cmdQuestionList,
	})
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func cmdQuestionSet(ctx context.Context, e *env) error {
	var dbPath, ko, en, notes, notesKo string
	var options, events, results multi
	var resultDate string
	fs := newFlags(e, "question set", &dbPath)
	fs.Var(&results, "result", "the true share of one answer, `ANSWER=PCT` (repeatable, with --result-date): an election's or referendum's result")
	fs.StringVar(&resultDate, "result-date", "", "the result's `DATE` (YYYY-MM-DD)")
	fs.StringVar(&ko, "title-ko", "", "Korean title")
	fs.StringVar(&en, "title-en", "", "English title")
	fs.StringVar(&notes, "notes", "", "notes shown under the title (English)")
	fs.StringVar(&notesKo, "notes-ko", "", "notes shown under the title (Korean)")
	fs.Var(&options, "option", "answer option `ID=KO/EN` (repeatable); new options are appended")
	fs.Var(&events, "event", "chart event `YYYY-MM-DD=KO/EN` (repeatable); replaces all events")
	if err := parse(fs, e); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name exactly one question ID")
	}
	id := fs.Arg(0)
	outcome, err := parseResultFlags(results, resultDate)
	if err != nil {
		return err
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	q, err := db.Question(id)
	if poll.ErrorCode(err) == poll.ENOTFOUND {
		q = &poll.Question{ID: id}
	} else if err != nil {
		return err
	}
	if ko != "" {
		q.TitleKo = ko
	}
	if en != "" {
		q.TitleEn = en
	}
	if notes != "" {
		q.Notes = notes
	}
	if notesKo != "" {
		q.NotesKo = notesKo
	}
	for _, s := range options {
		oid, labels, ok := strings.Cut(s, "=")
		if !ok || !poll.ValidSlug(oid) {
			return usagef("--option %q: write ID=KO/EN, e.g. support=찬성/Support", s)
		}
		lko, len_, _ := strings.Cut(labels, "/")
		o := poll.Option{ID: oid, LabelKo: lko, LabelEn: len_, Undecided: oid == "undecided"}
		replaced := false
		for i := range q.Options {
			if q.Options[i].ID == oid {
				o.Undecided = q.Options[i].Undecided
				q.Options[i] = o
				replaced = true
			}
		}
		if !replaced {
			q.Options = append(q.Options, o)
		}
	}
	if len(events) > 0 {
		q.Events = nil
		for _, s := range events {
			ds, labels, ok := strings.Cut(s, "=")
			d, err := poll.ParseDate(ds)
			if !ok || err != nil {
				return usagef("--event %q: write YYYY-MM-DD=KO/EN", s)
			}
			lko, len_, _ := strings.Cut(labels, "/")
			q.Events = append(q.Events, poll.Event{Date: d, LabelKo: lko, LabelEn: len_})
		}
	}
	if err := db.PutQuestion(q); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "question %s saved\n", q.ID)
	if outcome == nil {
		return nil
	}
	changed, err := db.SetResult(q.ID, *outcome, "cli")
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(e.stdout, "result of %s unchanged\n", q.ID)
		return nil
	}
	fmt.Fprintf(e.stdout, "result of %s on %s saved\n", q.ID, outcome.Date)
	return recalibrate(db, true, nil, e.stdout)
}

// parseResultFlags reads --result ANSWER=PCT... and --result-date; nil
// when neither is given.
func parseResultFlags(results []string, date string) (*poll.Outcome, error) {
	if len(results) == 0 && date == "" {
		return nil, nil
	}
	if len(results) == 0 || date == "" {
		return nil, usagef("a result needs both --result ANSWER=PCT (for each answer) and --result-date YYYY-MM-DD")
	}
	d, err := poll.ParseDate(date)
	if err != nil {
		return nil, usagef("--result-date %q: %v", date, err)
	}
	o := &poll.Outcome{Date: d, Shares: map[string]float64{}}
	for _, r := range results {
		a, v, ok := strings.Cut(r, "=")
		a = strings.ToLower(strings.TrimSpace(a))
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "%"), 64)
		if !ok || !poll.ValidSlug(a) || err != nil || math.IsNaN(pct) {
			return nil, usagef("--result %q: write ANSWER=PCT, e.g. dem=52.3", r)
		}
		if _, dup := o.Shares[a]; dup {
			return nil, usagef("--result: answer %q is given twice", a)
		}
		o.Shares[a] = pct
	}
	return o, nil
}

func cmdQuestionList(ctx context.Context, e *env) error {
	var dbPath string
	fs := newFlags(e, "question list", &dbPath)
	if err := parse(fs, e); err != nil {
		return err
	}
	db, err := openExisting(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	qs, err := db.Questions()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPOLLS\tOPTIONS\tTITLE")
	for _, q := range qs {
		ps, err := db.Polls(q.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", q.ID, len(ps), strings.Join(q.OptionIDs(), ","), q.Title("en"))
	}
	return tw.Flush()
}
