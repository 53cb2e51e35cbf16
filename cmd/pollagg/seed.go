package main

import (
	"context"
	"fmt"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/store"
)

func init() {
	register(&command{
		name:    "seed",
		usage:   "[--db FILE] [--dry-run]",
		summary: "import the shipped demo polls into a database (adds new polls, revises changed ones, removes nothing)",
		run:     cmdSeed,
	})
}

func cmdSeed(ctx context.Context, e *env) error {
	var dbPath string
	var dry bool
	fs := newFlags(e, "seed", &dbPath)
	fs.BoolVar(&dry, "dry-run", false, "report what would change; write nothing")
	if err := parse(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("seed takes no arguments (got %q)", fs.Arg(0))
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	update, verb := data.Update, "seeded"
	if dry {
		update, verb = data.Stale, "dry run (nothing written)"
	}
	rep, err := update(db)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s: %s\n", dbPath, verb, rep)
	if dry || rep.Added+rep.Changed == 0 {
		return nil
	}
	// new or corrected demo polls of a question with a result change the ratings
	qs, err := db.Questions()
	if err != nil {
		return err
	}
	ids := make([]string, len(qs))
	for i := range qs {
		ids[i] = qs[i].ID
	}
	return recalibrate(db, false, ids, e.stdout)
}

// staleDemoNotice tells the operator of a database that holds an older
// demo how to bring it up to date; it says nothing for a database without
// demo questions or with the current demo.
func staleDemoNotice(db *store.DB, dbPath string) (string, error) {
	qs, err := data.Questions()
	if err != nil {
		return "", err
	}
	found := false
	for i := range qs {
		if _, err := db.Question(qs[i].ID); err == nil {
			found = true
			break
		}
	}
	if !found {
		return "", nil
	}
	rep, err := data.Stale(db)
	if err != nil || rep.Current() {
		return "", err
	}
	return fmt.Sprintf("pollagg: this database holds an older demo (the shipped one would add %d polls and revise %d): run `pollagg seed --db %s` to update it\n",
		rep.Added, rep.Changed, dbPath), nil
}
