package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web"
)

// The read API's downloads on the command line: `pollagg series`, `polls`
// and `house-effects` print exactly the bytes GET /api/v1/questions/ID/...
// serves for the same parameters (the web package encodes both), and
// `pollagg export` writes the whole public site as static files.

func init() {
	for _, d := range []struct{ kind, summary string }{
		{web.KindSeries, "print a question's daily average (CSV or JSON, the API's bytes)"},
		{web.KindPolls, "print a question's polls with house effects and weights (CSV or JSON, the API's bytes)"},
		{web.KindHouseEffects, "print a question's pollster and mode effects (CSV or JSON, the API's bytes)"},
	} {
		kind := d.kind
		usage := "[--db FILE] --question ID [--format csv|json] [--method M] [--half-life DAYS] [--window DAYS] [--span F] [--adjust-house=BOOL] [--adjust-mode=BOOL] [--drop-undecided=BOOL] [--from DATE] [--to DATE] [--pollster NAME]... [--mode M,...] [--answers A,...] [--shared-error POINTS] [--ratings=BOOL]"
		if kind == web.KindPolls {
			usage += " [--include-retracted]"
		}
		register(&command{name: kind, usage: usage, summary: d.summary,
			run: func(ctx context.Context, e *env) error { return cmdDownload(ctx, e, kind) }})
	}
	register(&command{
		name:    "export",
		usage:   "[--db FILE] --out DIR [--base-url URL]",
		summary: "write the public site (pages in both languages, static files, every download) as static files",
		run:     cmdExport,
	})
}

// param is a flag whose value goes to the API query parameter of the same
// name (half-life → half_life) only when it is given, so that the server's
// defaults apply otherwise. Boolean flags may be written without a value.
type param struct {
	name   string // the query parameter
	values []string
	isBool bool
	repeat bool
}

func (p *param) String() string { return strings.Join(p.values, ",") }

func (p *param) Set(s string) error {
	if p.repeat {
		p.values = append(p.values, s)
	} else {
		p.values = []string{s}
	}
	return nil
}

func (p *param) IsBoolFlag() bool { return p.isBool }

// downloadFlags are the flags of series, polls and house-effects: the
// API's query parameters with dashes.
var downloadFlags = []struct {
	flag, usage   string
	isBool, multi bool
}{
	{"method", "averaging `METHOD`: kalman, loess, weighted or latest (default kalman)", false, false},
	{"half-life", "recency half-life in `DAYS`", false, false},
	{"window", "`DAYS` latest and weighted look back", false, false},
	{"span", "loess neighbourhood, a `FRACTION` of the polls", false, false},
	{"adjust-house", "subtract pollsters' house effects (true or false)", true, false},
	{"adjust-mode", "subtract survey modes' effects (true or false)", true, false},
	{"drop-undecided", "drop the undecided answer and renormalise (true or false)", true, false},
	{"from", "first `DATE` (YYYY-MM-DD)", false, false},
	{"to", "last `DATE` (YYYY-MM-DD)", false, false},
	{"pollster", "only this pollster's polls (`NAME`, repeatable)", false, true},
	{"mode", "only polls of these `MODES` (phone-live,phone-ARS,online,mixed,unknown)", false, false},
	{"answers", "only these `ANSWERS` (comma-separated option ids)", false, false},
	{"shared-error", "error all polls share, in `POINTS`, added to the band (default: learned from the results, else 2.5; 0: the polls' own band)", false, false},
	{"ratings", "feed the pollster ratings into the average (true or false; default true)", true, false},
}

func cmdDownload(ctx context.Context, e *env, kind string) error {
	var dbPath, question, format string
	fs := newFlags(e, kind, &dbPath)
	fs.StringVar(&question, "question", "", "question `ID` (see pollagg question list)")
	fs.StringVar(&format, "format", "csv", "output `FORMAT`: csv or json")
	var params []*param
	add := func(flagName, usage string, isBool, multi bool) {
		p := &param{name: strings.ReplaceAll(flagName, "-", "_"), isBool: isBool, repeat: multi}
		fs.Var(p, flagName, usage)
		params = append(params, p)
	}
	for _, f := range downloadFlags {
		add(f.flag, f.usage, f.isBool, f.multi)
	}
	if kind == web.KindPolls {
		add("include-retracted", "list retracted polls too", true, false)
	}
	if err := parse(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if question == "" {
		return usagef("--question is required")
	}
	q := url.Values{"format": {format}}
	for _, p := range params {
		if len(p.values) > 0 {
			q[p.name] = p.values
		}
	}
	db, err := openExisting(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := web.NewServer(db, web.Config{})
	if err != nil {
		return err
	}
	d, err := srv.Download(kind, question, q)
	if err != nil {
		return flagError(fs, err)
	}
	_, err = e.stdout.Write(d.Body)
	return err
}

// flagError rewrites an API parameter's name at the start of an EINVALID
// message as its flag ("half_life: ..." → "--half-life: ...").
func flagError(fs *flag.FlagSet, err error) error {
	if poll.ErrorCode(err) != poll.EINVALID {
		return err
	}
	msg := poll.ErrorMessage(err)
	name, rest, ok := strings.Cut(msg, ": ")
	if flagName := strings.ReplaceAll(name, "_", "-"); ok && fs.Lookup(flagName) != nil {
		return poll.Errorf(poll.EINVALID, "--%s: %s", flagName, rest)
	}
	return err
}

// openExisting opens the database at path, which must exist: a download
// from a mistyped path should say so, not create an empty database.
func openExisting(path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, poll.Errorf(poll.ENOTFOUND, "no database at %s: pass --db FILE (pollagg import or serve create one)", path)
	}
	return store.Open(path)
}

func cmdExport(ctx context.Context, e *env) error {
	var dbPath, out, base string
	fs := newFlags(e, "export", &dbPath)
	fs.StringVar(&out, "out", "", "`DIR` to write the site into (created when missing)")
	fs.StringVar(&base, "base-url", "", "`URL` the site will be published at, for the API page's examples")
	if err := parse(fs, e); err != nil {
		return err
	}
	if out == "" {
		return usagef("--out DIR is required")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if base != "" {
		if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--base-url %q: give an http or https address, e.g. https://polls.example.org", base)
		}
	}
	db, err := openExisting(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := web.NewServer(db, web.Config{})
	if err != nil {
		return err
	}
	rep, err := srv.ExportWith(out, web.ExportOptions{BaseURL: base})
	if err != nil {
		return err
	}
	for _, l := range rep.BrokenLinks {
		fmt.Fprintf(e.stderr, "pollagg export: warning: link to a page a static site cannot have: %s\n", l)
	}
	fmt.Fprintf(e.stdout, "exported %d files (%.1f MB) to %s\n", rep.Files, float64(rep.Bytes)/1e6, out)
	return nil
}
