package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pollagg/pollagg/poll"
)

func init() {
	register(&command{
		name:    "backtest",
		usage:   "[--db FILE] [--method M]... [--min-polls N] [--ratings=BOOL] [--format text|csv|json]",
		summary: "score every method against the questions' results, learning only from earlier results",
		run:     cmdBacktest,
	})
}

func cmdBacktest(ctx context.Context, e *env) error {
	var dbPath, format string
	var methods multi
	var minPolls int
	ratings := true
	fs := newFlags(e, "backtest", &dbPath)
	fs.Var(&methods, "method", "score only this `METHOD` (repeatable; default every method)")
	fs.IntVar(&minPolls, "min-polls", 1, "score only questions with at least `N` polls before their result")
	fs.BoolVar(&ratings, "ratings", true, "feed pollster ratings (learned from earlier results) into the averages")
	fs.StringVar(&format, "format", "text", "output `FORMAT`: text, csv or json")
	if err := parse(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkReportFormat(format); err != nil {
		return err
	}
	if minPolls < 1 {
		return usagef("--min-polls %d: use 1 or more", minPolls)
	}
	bo := poll.BacktestOptions{MinPolls: minPolls, NoRatings: !ratings, Variants: true}
	for _, m := range methods {
		pm, err := poll.ParseMethod(m)
		if err != nil {
			return usagef("--method %q: use kalman, loess, weighted or latest", m)
		}
		bo.Methods = append(bo.Methods, pm)
	}
	db, err := openExisting(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	cases, err := db.ResultCases()
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return poll.Errorf(poll.EINVALID, "%s has no question with a result: import a results file (question_id,date,answer,pct) or use pollagg question set ID --result ANSWER=PCT --result-date DATE", dbPath)
	}
	rep := poll.Backtest(cases, bo)
	switch format {
	case "csv":
		return writeBacktestCSV(e.stdout, rep, bo)
	case "json":
		return writeBacktestJSON(e.stdout, rep, bo)
	}
	return writeBacktestText(e.stdout, rep, bo, len(cases))
}

// backtestNote says what every backtest output means, in comment lines.
func backtestNote(bo poll.BacktestOptions) []string {
	return []string{
		"pollagg backtest: each method's estimate for the day before each result, from the polls that ended before it;",
		"shared error and pollster ratings learned only from results dated before it (the shared error from " + strconv.Itoa(poll.MinLearnedResults) + " earlier results on;",
		fmt.Sprintf("before that %g points for the industry and %g for one pollster: shared² = industry² + pollster²/J for J pollsters).", poll.DefaultSharedError, poll.DefaultPollsterError),
		"Scores are on each question's first answer; 95% bands; interval score = width + (2/0.05)·distance outside (Gneiting & Raftery 2007).",
		"METHOD/shared_error=0: the same estimate with the band of the polls alone; METHOD/ratings=off: without pollster ratings;",
		"mean: plain mean of the polls; mean-21d: of the polls that ended in the last 21 days; their bands: the margin of error of the pooled sample.",
		fmt.Sprintf("min_polls=%d ratings=%t", bo.MinPolls, !bo.NoRatings),
	}
}

func writeBacktestText(w io.Writer, rep *poll.BacktestReport, bo poll.BacktestOptions, cases int) error {
	for _, l := range backtestNote(bo) {
		fmt.Fprintln(w, "# "+l)
	}
	fmt.Fprintf(w, "# %d questions with results\n", cases)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tquestions\tMAE\tbias\tRMSE\t95% coverage\tmean width\tinterval score\t")
	for _, s := range rep.Scores {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%+.2f\t%.2f\t%.1f%%\t%.2f\t%.2f\t\n", s.Method, s.Questions, s.MAE, s.Bias, s.RMSE, 100*s.Coverage, s.Width, s.IntervalScore)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nshared error learned from every result (empirical Bayes), points: shared² = industry² + pollster²/J")
	for _, m := range poll.Methods {
		if v, ok := rep.SharedError[m]; ok {
			fmt.Fprintf(w, "  %-8s industry %.2f ± %.2f, pollster %.2f ± %.2f (J=1: %.2f, J=5: %.2f, J=20: %.2f)\n",
				m, v.Industry, v.IndustrySE, v.Pollster, v.PollsterSE, v.For(1), v.For(5), v.For(20))
		}
	}
	return nil
}

var backtestColumns = []string{"question_id", "result_date", "answer", "method", "estimate", "lower", "upper", "actual", "covered", "shared_error", "ratings", "polls", "pollsters"}

func writeBacktestCSV(w io.Writer, rep *poll.BacktestReport, bo poll.BacktestOptions) error {
	var b bytes.Buffer
	for _, l := range backtestNote(bo) {
		b.WriteString("# " + l + "\n")
	}
	cw := csv.NewWriter(&b)
	cw.Write(backtestColumns)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, r := range rep.Rows {
		cw.Write([]string{r.QuestionID, r.ResultDate.String(), r.Answer, r.Method, f(r.Estimate), f(r.Lower), f(r.Upper), f(r.Actual),
			strconv.FormatBool(r.Covered), f(r.SharedError), strconv.FormatBool(r.Ratings), strconv.Itoa(r.Polls), strconv.Itoa(r.Pollsters)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeBacktestJSON(w io.Writer, rep *poll.BacktestReport, bo poll.BacktestOptions) error {
	type row struct {
		QuestionID  string    `json:"question_id"`
		ResultDate  poll.Date `json:"result_date"`
		Answer      string    `json:"answer"`
		Method      string    `json:"method"`
		Estimate    float64   `json:"estimate"`
		Lower       float64   `json:"lower"`
		Upper       float64   `json:"upper"`
		Actual      float64   `json:"actual"`
		Covered     bool      `json:"covered"`
		SharedError float64   `json:"shared_error"`
		Ratings     bool      `json:"ratings"`
		Polls       int       `json:"polls"`
		Pollsters   int       `json:"pollsters"`
	}
	out := struct {
		Note        string                           `json:"note"`
		Scores      []poll.MethodScore               `json:"scores"`
		SharedError map[string]poll.SharedErrorModel `json:"shared_error_learned"`
		Rows        []row                            `json:"rows"`
	}{Note: strings.Join(backtestNote(bo), " "), Scores: rep.Scores, SharedError: map[string]poll.SharedErrorModel{}, Rows: []row{}}
	for m, v := range rep.SharedError {
		out.SharedError[string(m)] = v
	}
	for _, r := range rep.Rows {
		out.Rows = append(out.Rows, row(r))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// checkReportFormat accepts the --format of the report commands (backtest,
// ratings): text, csv or json.
func checkReportFormat(format string) error {
	if format != "text" && format != "csv" && format != "json" {
		return usagef("--format %q: use text, csv or json", format)
	}
	return nil
}
