package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/pollagg/pollagg/calibrate"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

func init() {
	register(&command{
		name:    "import",
		usage:   "[--db FILE] [--question ID] [--sheet NAME] [--dry-run] FILE...",
		summary: "import poll CSV files or .xlsx workbooks (wide, Korean-header or long format), or results files (question_id,date,answer,pct); each file whole or not at all",
		run:     cmdImport,
	})
}

// progressMin is the file size above which a terminal shows a progress bar
// (about a few thousand rows).
const progressMin = 256 << 10

func cmdImport(ctx context.Context, e *env) error {
	var dbPath, question, sheet string
	var dry bool
	fs := newFlags(e, "import", &dbPath)
	fs.StringVar(&question, "question", "", "question `ID` for rows without a question_id column")
	fs.StringVar(&sheet, "sheet", "", "the sheet `NAME` to read from .xlsx workbooks (default: the first)")
	fs.BoolVar(&dry, "dry-run", false, "check the files and report what would change; write nothing")
	if err := parse(fs, e); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no files to import")
	}
	if question != "" && !poll.ValidSlug(question) {
		return usagef("--question %q: use lower-case letters, digits and '-'", question)
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	failed := 0
	var touched []string // questions whose polls or results changed
	resultsChanged := false
	for _, name := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if isResultsFile(name) {
			counts, err := importResults(db, name, dry)
			if err != nil {
				failed++
				if err := reportRejected(e, name, err); err != nil {
					return err
				}
				continue
			}
			verb := "imported results"
			if dry {
				verb = "dry run of results (nothing written)"
			}
			fmt.Fprintf(e.stdout, "%s: %s: %s\n", name, verb, counts)
			resultsChanged = resultsChanged || counts.Changed > 0
			continue
		}
		up, err := importFile(db, name, question, sheet, dry, e.stderr)
		if err != nil {
			failed++
			if err := reportRejected(e, name, err); err != nil {
				return err
			}
			continue
		}
		verb := "imported"
		if dry {
			verb = "dry run (nothing written)"
		}
		fmt.Fprintf(e.stdout, "%s: %s: %s%s\n", name, verb, up.Counts, readNote(up))
		if !dry && up.Counts.Added+up.Counts.Changed > 0 {
			touched = append(touched, up.Questions...)
		}
	}
	if !dry {
		if err := recalibrate(db, resultsChanged, touched, e.stdout); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// reportRejected tells why a file was not imported: each problem on its
// own line, or the error. It returns the error when it must stop the
// whole command (the database is held by another process).
func reportRejected(e *env, name string, err error) error {
	if probs, ok := err.(*poll.Problems); ok {
		for _, p := range probs.List {
			fmt.Fprintln(e.stderr, p.String())
		}
		fmt.Fprintf(e.stderr, "%s: rejected: %d problem(s); nothing from this file was stored\n", name, len(probs.List))
		return nil
	}
	if poll.ErrorCode(err) == poll.EUNAVAILABLE {
		return err
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", name, message(err))
	return nil
}

// message is err's user-facing text, with details for internal errors.
func message(err error) string {
	if poll.ErrorCode(err) == poll.EINTERNAL {
		return err.Error()
	}
	return poll.ErrorMessage(err)
}

// importFile reads and stores one file.
func importFile(db *store.DB, name, question, sheet string, dry bool, progress io.Writer) (*poll.Upload, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, poll.Errorf(poll.EINVALID, "cannot read: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	var r io.Reader = io.TeeReader(f, h)
	if pf, ok := progress.(*os.File); ok && st.Size() > progressMin && term.IsTerminal(int(pf.Fd())) {
		bar := &progressBar{w: pf, total: st.Size(), name: name}
		r = io.TeeReader(r, bar)
		defer bar.done()
	}
	batch, err := readPollFile(name, r, pollcsv.Options{QuestionID: question}, sheet)
	if err != nil {
		return nil, err
	}
	return db.Import(store.ImportRequest{Batch: batch, Account: "cli", FileName: name,
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: st.Size(), DryRun: dry})
}

// progressBar draws "name [=====     ] 45%" on a terminal, at most ten
// times a second.
type progressBar struct {
	w     io.Writer
	total int64
	n     int64
	name  string
	last  time.Time
}

func (p *progressBar) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if time.Since(p.last) > 100*time.Millisecond {
		p.last = time.Now()
		p.draw()
	}
	return len(b), nil
}

func (p *progressBar) draw() {
	const width = 30
	frac := float64(p.n) / float64(p.total)
	if frac > 1 {
		frac = 1
	}
	full := int(frac * width)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < full {
			bar[i] = '='
		}
	}
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%%", p.name, bar, frac*100)
}

func (p *progressBar) done() {
	p.n = p.total
	p.draw()
	fmt.Fprintln(p.w)
}

// isResultsFile reports whether the file at name starts with a results
// file's header (question_id,date,answer,pct); unreadable files are left to
// the poll reader's errors.
func isResultsFile(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	return pollcsv.IsResults(head[:n])
}

// importResults reads and stores one results file.
func importResults(db *store.DB, name string, dry bool) (store.ResultCounts, error) {
	f, err := os.Open(name)
	if err != nil {
		return store.ResultCounts{}, poll.Errorf(poll.EINVALID, "cannot read: %v", err)
	}
	defer f.Close()
	res, err := pollcsv.ReadResults(name, f)
	if err != nil {
		return store.ResultCounts{}, err
	}
	return db.ImportResults(res, "cli:"+filepath.Base(name), dry)
}

// recalibrate refreshes the stored calibration when results changed or an
// import changed polls of a question with a result, and says what it
// learned.
func recalibrate(db *store.DB, resultsChanged bool, touched []string, w io.Writer) error {
	var c *poll.Calibration
	var err error
	switch {
	case resultsChanged:
		c, err = calibrate.Refresh(db)
	case len(touched) > 0:
		var did bool
		if did, err = calibrate.AfterImport(db, touched); did {
			c, err = db.Calibration()
		}
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if c != nil {
		m := c.SharedErrorModel(poll.DefaultMethod)
		fmt.Fprintf(w, "calibrated on %d questions with results: shared error %.2f points for the industry and %.2f for one pollster (%s), %d pollsters rated\n",
			c.Questions, m.Industry, m.Pollster, poll.DefaultMethod, len(c.Ratings))
	}
	return nil
}
