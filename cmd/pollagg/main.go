// Command pollagg collects public-opinion polls, averages them and serves
// the trend: import CSV files, run the dashboard and API, and print or
// export the averaged series. Run `pollagg help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/pollagg/pollagg/poll"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// defaultDB is the database file every subcommand uses without --db.
const defaultDB = "./pollagg.db"

// env is what a subcommand runs with: its arguments and streams, so tests
// can run commands in-process.
type env struct {
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand. Each file registers its own in init.
type command struct {
	name    string // e.g. "import" or "pollster add"
	usage   string // arguments after the name
	summary string
	run     func(ctx context.Context, e *env) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError is a mistake in how a command was called: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitError carries an exit status and a message already printed.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs one pollagg command line and returns its exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := lookup(args[1:]); c != nil {
				fmt.Fprintf(stdout, "usage: pollagg %s %s\n\n%s\n", c.name, c.usage, c.summary)
				return 0
			}
			if args[0] == "help" {
				fmt.Fprintf(stderr, "pollagg help: unknown command %q; run `pollagg help` for the list\n", strings.Join(args[1:min(3, len(args))], " "))
				return 2
			}
		}
		help(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "pollagg", version)
		return 0
	}
	c := lookup(args)
	if c == nil {
		fmt.Fprintf(stderr, "pollagg: unknown command %q; run `pollagg help` for the list\n", strings.Join(args[:min(2, len(args))], " "))
		return 2
	}
	n := len(strings.Fields(c.name))
	err := c.run(ctx, &env{args: args[n:], stdin: stdin, stdout: stdout, stderr: stderr})
	var ue *usageError
	var xe *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "pollagg %s: %s\nusage: pollagg %s %s\n", c.name, ue.msg, c.name, c.usage)
		return 2
	case errors.As(err, &xe):
		return xe.code
	}
	if poll.ErrorCode(err) == poll.EINTERNAL {
		fmt.Fprintf(stderr, "pollagg %s: %v\n", c.name, err)
	} else {
		fmt.Fprintf(stderr, "pollagg %s: %s\n", c.name, poll.ErrorMessage(err))
	}
	return 1
}

// lookup finds the command named by the first one or two arguments.
func lookup(args []string) *command {
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c
		}
	}
	return commands[args[0]]
}

func help(w io.Writer) {
	fmt.Fprintf(w, "pollagg %s: collect public-opinion polls, average them, serve the trend.\n\nusage: pollagg COMMAND [--db FILE] [flags] [args]\n\ncommands:\n", version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-18s %s\n", n, c.summary)
	}
	fmt.Fprintf(w, "\nEvery command takes --db FILE (default %s). `pollagg help COMMAND` shows a command's flags.\n", defaultDB)
}

// newFlags returns a flag set for a command with the shared --db flag.
func newFlags(e *env, c string, db *string) *flag.FlagSet {
	fs := flag.NewFlagSet("pollagg "+c, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if db != nil {
		fs.StringVar(db, "db", defaultDB, "database `FILE`")
	}
	return fs
}

// parse parses e.args with fs and turns flag errors into usage errors.
func parse(fs *flag.FlagSet, e *env) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags]\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2}
	}
	return nil
}
