package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

func init() {
	register(&command{
		name:    "pollster add",
		usage:   "[--db FILE] [--alias NAME]... NAME",
		summary: "create a pollster's account and print its API token (once)",
		run:     cmdPollsterAdd,
	})
	register(&command{
		name:    "pollster list",
		usage:   "[--db FILE]",
		summary: "list pollster accounts, the names they publish under and their tokens' state",
		run:     cmdPollsterList,
	})
	register(&command{
		name:    "token rotate",
		usage:   "[--db FILE] NAME",
		summary: "give an account (a pollster, or \"operator\") a new token; the old one stops working",
		run:     cmdTokenRotate,
	})
	register(&command{
		name:    "token revoke",
		usage:   "[--db FILE] NAME",
		summary: "make an account's token (a pollster's, or \"operator\") stop working",
		run:     cmdTokenRevoke,
	})
	register(&command{
		name:    "admin token",
		usage:   "[--db FILE]",
		summary: "print a new operator token, which may act for every pollster (replaces the previous one)",
		run:     cmdAdminToken,
	})
}

// parseMixed parses e.args with fs, allowing flags after the positional
// arguments (`pollster add "Gallup Korea" --alias 한국갤럽`), and returns
// the positional arguments. Everything after "--" is positional.
func parseMixed(fs *flag.FlagSet, e *env) ([]string, error) {
	var pos []string
	args := e.args
	for {
		sub := *e
		sub.args = args
		if err := parse(fs, &sub); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// openAccounts opens the database for an account command. bbolt allows
// one process per file, so the server must be stopped first.
// Commands that only read or change existing accounts pass mustExist,
// so that a mistyped --db says so instead of creating an empty database.
func openAccounts(path string, mustExist bool) (*store.DB, error) {
	open := store.Open
	if mustExist {
		open = openExisting
	}
	db, err := open(path)
	if poll.ErrorCode(err) == poll.EUNAVAILABLE {
		return nil, poll.Errorf(poll.EUNAVAILABLE,
			"%s is in use by another pollagg process (is `pollagg serve` running?): stop it to manage accounts, then start it again; the server reads accounts and tokens from the database on every request", path)
	}
	return db, err
}

// printToken writes a token alone on the last line of stdout, after the
// explanation on stderr, so that `TOKEN=$(pollagg pollster add NAME)`
// captures the token and nothing else.
func printToken(e *env, token string) {
	fmt.Fprintln(e.stderr, "The token is shown only this once; pollagg keeps only its hash. Send it as")
	fmt.Fprintln(e.stderr, "\"Authorization: Bearer TOKEN\" to POST /api/v1/uploads, or sign in with it at /upload.")
	fmt.Fprintln(e.stdout, token)
}

func cmdPollsterAdd(ctx context.Context, e *env) error {
	var dbPath string
	var aliases multi
	fs := newFlags(e, "pollster add", &dbPath)
	fs.Var(&aliases, "alias", "another `NAME` the pollster publishes under, e.g. its Korean name (repeatable)")
	args, err := parseMixed(fs, e)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usagef("name exactly one pollster (quote a name with spaces: \"Gallup Korea\")")
	}
	db, err := openAccounts(dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	a, tok, err := db.AddPollster(args[0], aliases)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Created the account of %q; it may publish polls of: %s.\n", a.Name, quoteAll(a.Names()))
	printToken(e, tok)
	return nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func cmdPollsterList(ctx context.Context, e *env) error {
	var dbPath string
	fs := newFlags(e, "pollster list", &dbPath)
	args, err := parseMixed(fs, e)
	if err != nil {
		return err
	}
	if len(args) != 0 {
		return usagef("takes no arguments")
	}
	db, err := openAccounts(dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	accts, err := db.Accounts()
	if err != nil {
		return err
	}
	if len(accts) == 0 {
		fmt.Fprintln(e.stdout, "no accounts yet; create one with `pollagg pollster add NAME`")
		return nil
	}
	uploads, err := db.Uploads("")
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, u := range uploads {
		count[u.Account]++
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tALIASES\tROLE\tTOKEN\tCREATED\tUPLOADS")
	for _, a := range accts {
		role := "pollster"
		if a.Operator {
			role = "operator"
		}
		state := "active since " + day(a.TokenCreated)
		if !a.Active() {
			state = "revoked"
			if a.Revoked != nil {
				state += " " + day(*a.Revoked)
			}
		}
		al := strings.Join(a.Aliases, ", ")
		if al == "" {
			al = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", a.Name, al, role, state, day(a.Created), count[a.Name])
	}
	return tw.Flush()
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// openNamedAccount parses a token command's flags and its one account
// name, and opens the existing database.
func openNamedAccount(e *env, cmd string) (*store.DB, string, error) {
	var dbPath string
	fs := newFlags(e, cmd, &dbPath)
	args, err := parseMixed(fs, e)
	if err != nil {
		return nil, "", err
	}
	if len(args) != 1 {
		return nil, "", usagef("name exactly one account (a pollster's name or alias, or \"operator\")")
	}
	db, err := openAccounts(dbPath, true)
	if err != nil {
		return nil, "", err
	}
	return db, args[0], nil
}

func cmdTokenRotate(ctx context.Context, e *env) error {
	db, name, err := openNamedAccount(e, "token rotate")
	if err != nil {
		return err
	}
	defer db.Close()
	a, tok, err := db.RotateToken(name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "New token for %q; the previous one no longer works.\n", a.Name)
	printToken(e, tok)
	return nil
}

func cmdTokenRevoke(ctx context.Context, e *env) error {
	db, name, err := openNamedAccount(e, "token revoke")
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.RevokeToken(name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Revoked the token of %q: it can no longer upload or sign in. Its uploads and polls stay; `pollagg token rotate %q` issues a new token.\n", a.Name, a.Name)
	return nil
}

func cmdAdminToken(ctx context.Context, e *env) error {
	var dbPath string
	fs := newFlags(e, "admin token", &dbPath)
	args, err := parseMixed(fs, e)
	if err != nil {
		return err
	}
	if len(args) != 0 {
		return usagef("takes no arguments")
	}
	db, err := openAccounts(dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	_, tok, err := db.OperatorToken()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "New operator token: it may upload and retract polls for every pollster. Any earlier operator token no longer works.")
	printToken(e, tok)
	return nil
}
