package pollcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pollagg/pollagg/poll"
)

// FormatResults is a results file: the true shares of questions' answers
// on a date (an election's or a referendum's result), one row per answer:
//
//	question_id,date,answer,pct
//	r2-2014-sen-g-mi,2014-11-04,dem,56.921
//	r2-2014-sen-g-mi,2014-11-04,rep,43.079
const FormatResults Format = "results"

// resultsHeader is the header that marks a results file.
var resultsHeader = []string{"question_id", "date", "answer", "pct"}

// IsResults reports whether the first line of a file (as Peek returns it)
// is a results file's header: question_id,date,answer,pct, in any case,
// with or without a byte-order mark and surrounding spaces.
func IsResults(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	line, _, _ := bytes.Cut(head, []byte("\n"))
	fields := strings.Split(strings.TrimRight(string(line), "\r"), ",")
	if len(fields) != len(resultsHeader) {
		return false
	}
	for i, f := range fields {
		if strings.ToLower(strings.Trim(strings.TrimSpace(f), `"`)) != resultsHeader[i] {
			return false
		}
	}
	return true
}

// ResultRow is one answer's share in a results file.
type ResultRow struct {
	Line       int
	QuestionID string
	Date       poll.Date
	Answer     string
	Pct        float64
}

// Results is a results file read and parsed. Each question's rows are
// together one poll.Outcome; Outcomes gives them in the file's order.
type Results struct {
	Name     string
	Rows     []ResultRow
	Lines    int
	Problems []poll.Problem
}

// Outcome is one question's result gathered from a file, with the line of
// its first row.
type Outcome struct {
	QuestionID string
	Line       int
	Outcome    poll.Outcome
	// Lines maps each answer to its row's line.
	Lines map[string]int
}

// ReadResults reads a results file. Problems of form (a bad date or
// number, a missing cell, an answer given twice, two dates for one
// question) are in Results.Problems with their lines; whether questions and
// answers exist and shares sum to 100 is checked by ValidateResults
// against the stored questions.
func ReadResults(name string, r io.Reader) (*Results, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = len(resultsHeader)
	cr.TrimLeadingSpace = true
	res := &Results{Name: name}
	fail := func(line int, col, format string, args ...any) {
		if len(res.Problems) < MaxProblems {
			res.Problems = append(res.Problems, poll.Problem{File: name, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
		}
	}
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			fail(1, "", "the file is empty: a results file starts with the header question_id,date,answer,pct")
			return res, nil
		}
		fail(1, "", "%v", err)
		return res, nil
	}
	if !IsResults([]byte(strings.Join(head, ","))) {
		fail(1, "", "the header must be question_id,date,answer,pct (got %s)", strings.Join(head, ","))
		return res, nil
	}
	type seenKey struct{ q, a string }
	seen := map[seenKey]int{}
	dateOf := map[string]ResultRow{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(pe.Line, "", "%v", pe.Err)
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					continue
				}
			} else {
				fail(res.Lines+1, "", "reading: %v", err)
			}
			break
		}
		line, _ := cr.FieldPos(0) // the record has its four fields here
		res.Lines = line
		row := ResultRow{Line: line, QuestionID: strings.TrimSpace(rec[0]), Answer: strings.ToLower(strings.TrimSpace(rec[2]))}
		ok := true
		for i, v := range rec {
			if strings.TrimSpace(v) == "" {
				fail(line, resultsHeader[i], "is empty")
				ok = false
			} else if strings.ContainsFunc(v, isControl) {
				fail(line, resultsHeader[i], "holds a control character")
				ok = false
			}
		}
		if !ok {
			continue
		}
		if !poll.ValidSlug(row.QuestionID) {
			fail(line, "question_id", "%q is not a question id (lower-case letters, digits and '-')", row.QuestionID)
			ok = false
		}
		d, err := poll.ParseDate(strings.TrimSpace(rec[1]))
		if err != nil {
			fail(line, "date", "%v", err)
			ok = false
		}
		row.Date = d
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rec[3]), "%"), 64)
		if err != nil || math.IsNaN(pct) || math.IsInf(pct, 0) {
			fail(line, "pct", "%q is not a percentage (write 56.9 for 56.9%%)", rec[3])
			ok = false
		} else if pct < 0 || pct > 100 {
			fail(line, "pct", "%s is outside 0-100", rec[3])
			ok = false
		}
		row.Pct = pct
		if !ok {
			continue
		}
		k := seenKey{row.QuestionID, row.Answer}
		if first, dup := seen[k]; dup {
			fail(line, "answer", "answer %q of question %q is given twice (first on line %d)", row.Answer, row.QuestionID, first)
			continue
		}
		seen[k] = line
		if first, ok := dateOf[row.QuestionID]; ok && first.Date != row.Date {
			fail(line, "date", "question %q has the date %s on line %d: one result per question", row.QuestionID, first.Date, first.Line)
			continue
		} else if !ok {
			dateOf[row.QuestionID] = row
		}
		res.Rows = append(res.Rows, row)
	}
	if len(res.Rows) == 0 && len(res.Problems) == 0 {
		fail(1, "", "the file has a header but no results")
	}
	return res, nil
}

// Outcomes groups the rows by question, in the order questions first
// appear.
func (r *Results) Outcomes() []Outcome {
	idx := map[string]int{}
	var out []Outcome
	for _, row := range r.Rows {
		i, ok := idx[row.QuestionID]
		if !ok {
			i = len(out)
			idx[row.QuestionID] = i
			out = append(out, Outcome{QuestionID: row.QuestionID, Line: row.Line,
				Outcome: poll.Outcome{Date: row.Date, Shares: map[string]float64{}}, Lines: map[string]int{}})
		}
		out[i].Outcome.Shares[row.Answer] = row.Pct
		out[i].Lines[row.Answer] = row.Line
	}
	return out
}

// ValidateResults checks each outcome against its question (nil when the
// database has no such question) and returns every problem with its line.
func (r *Results) ValidateResults(questions map[string]*poll.Question) []poll.Problem {
	var probs []poll.Problem
	for _, o := range r.Outcomes() {
		q := questions[o.QuestionID]
		if q == nil {
			probs = append(probs, poll.Problem{File: r.Name, Line: o.Line, Column: "question_id",
				Message: fmt.Sprintf("unknown question %q: import its polls first, or create it with pollagg question set", o.QuestionID)})
			continue
		}
		for _, fe := range o.Outcome.Validate(q) {
			line := o.Line
			if fe.Field == "answer" { // place an unknown answer at its own row
				for a, l := range o.Lines {
					if _, ok := q.Option(a); !ok && strings.Contains(fe.Message, strconv.Quote(a)) {
						line = l
					}
				}
			}
			probs = append(probs, poll.Problem{File: r.Name, Line: line, Column: fe.Field, Message: fe.Message})
		}
	}
	return probs
}
