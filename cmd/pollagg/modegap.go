package main

import (
	"context"
	"fmt"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

func init() {
	register(&command{
		name:    "mode-gap",
		usage:   "[--db FILE] --question ID [--a MODE] [--b MODE]",
		summary: "print how far polls of one mode sit from another's on each answer (default ARS minus live), with its SE",
		run:     cmdModeGap,
	})
}

func cmdModeGap(ctx context.Context, e *env) error {
	var dbPath, qid, a, b string
	fs := newFlags(e, "mode-gap", &dbPath)
	fs.StringVar(&qid, "question", "", "question `ID`")
	fs.StringVar(&a, "a", string(poll.ModeLive), "the reference `MODE`")
	fs.StringVar(&b, "b", string(poll.ModeARS), "the `MODE` compared with it")
	if err := parse(fs, e); err != nil {
		return err
	}
	if qid == "" {
		return usagef("--question is required")
	}
	ma, okA := poll.ParseMode(a)
	mb, okB := poll.ParseMode(b)
	if !okA || !okB || ma == mb {
		return usagef("--a %q and --b %q must be two different modes (phone-live, phone-ARS, online, mixed)", a, b)
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	q, err := db.Question(qid)
	if err != nil {
		return err
	}
	polls, err := db.Polls(qid)
	if err != nil {
		return err
	}
	gaps, err := poll.ModeGaps(q, polls, poll.DefaultOptions(), ma, mb)
	if err != nil {
		return err
	}
	if len(gaps) == 0 {
		return poll.Errorf(poll.EINVALID, "question %q has no answer reported by polls of both %s and %s", qid, ma, mb)
	}
	fmt.Fprintf(e.stdout, "answer,mode_a,mode_b,gap,se,polls_a,polls_b\n")
	for _, g := range gaps {
		fmt.Fprintf(e.stdout, "%s,%s,%s,%.2f,%.2f,%d,%d\n", g.Option, g.A, g.B, g.Gap, g.SE, g.PollsA, g.PollsB)
	}
	return nil
}
