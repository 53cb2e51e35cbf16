package upload

import (
	"io"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// Results uploads. POST /api/v1/uploads with a results file (its header
// is question_id,date,answer,pct, one row per answer; see
// pollcsv.FormatResults) records the true outcomes of questions:
//
//	201 {"results": {...}, "calibration": {...}}   results stored (and the calibration refreshed)
//	200 the same for a dry run, or when every result was already stored
//	403 the token is a pollster's: only the operator records results
//	422 every problem with its line (unknown questions or answers, bad
//	    dates, shares that do not sum to about 100); nothing stored
//
// Storing results recomputes the calibration (pollster ratings and the
// learned shared error) before answering, so that the answer says what it
// now holds.

// ResultsUpload says what a results upload did.
type ResultsUpload struct {
	File      string   `json:"file"`
	Lines     int      `json:"lines"`     // the file's last data line
	Questions []string `json:"questions"` // the questions it gives results for, sorted
	Changed   int      `json:"changed"`   // questions that got a new or first result
	Unchanged int      `json:"unchanged"` // questions whose result was already this one
	DryRun    bool     `json:"dry_run"`
}

// ResultsResponse is the answer to a results upload.
type ResultsResponse struct {
	Results *ResultsUpload `json:"results"`
	// Calibration summarises the stored calibration after the upload;
	// null when there is none (or, in CalibrationError, when refreshing
	// it failed: the results are stored all the same).
	Calibration      *CalibrationSummary `json:"calibration"`
	CalibrationError string              `json:"calibration_error,omitempty"`
}

// CalibrationSummary is what a calibration was learned from.
type CalibrationSummary struct {
	Questions   int                              `json:"questions"`
	Polls       int                              `json:"polls"`
	Pollsters   int                              `json:"pollsters"` // rated
	LastResult  poll.Date                        `json:"last_result"`
	SharedError map[string]poll.SharedErrorModel `json:"shared_error"`
}

func summarizeCalibration(c *poll.Calibration) *CalibrationSummary {
	if c == nil {
		return nil
	}
	s := &CalibrationSummary{Questions: c.Questions, Polls: c.Polls, Pollsters: len(c.Ratings), LastResult: c.LastResult,
		SharedError: map[string]poll.SharedErrorModel{}}
	for m, v := range c.SharedError {
		s.SharedError[string(m)] = v
	}
	return s
}

// resultsElsewhere is the answer to a results file where only poll files
// go (the upload page): forbidden to a pollster, and for the operator a
// pointer to the API.
func resultsElsewhere(a *store.Account) error {
	if !a.Operator {
		return errResultsForbidden
	}
	return poll.Errorf(poll.EINVALID, "this is a results file (question_id,date,answer,pct): send it to POST /api/v1/uploads with the operator's token")
}

var errResultsForbidden = poll.Errorf(poll.EFORBIDDEN,
	"this is a results file (question_id,date,answer,pct), which records the true outcome of questions: only the operator may upload one")

// postResults stores (or, dry, checks) a results file for the operator.
func (u *Handler) postResults(c echo.Context, a *store.Account, name string, body io.Reader, src *sourceReader, question string, dry bool) error {
	if !a.Operator {
		return errResultsForbidden
	}
	if question != "" {
		return poll.Errorf(poll.EINVALID, "question: a results file names its questions in its question_id column; leave the parameter out")
	}
	res, err := pollcsv.ReadResults(name, body)
	switch {
	case src.err != nil:
		return bodyError(src.err)
	case err != nil:
		return err
	case len(res.Problems) > 0:
		return &poll.Problems{List: res.Problems}
	}
	out := &ResultsUpload{File: name, Lines: res.Lines, Questions: []string{}, DryRun: dry}
	for _, o := range res.Outcomes() {
		out.Questions = append(out.Questions, o.QuestionID)
	}
	sort.Strings(out.Questions)
	db := u.cfg.DB
	if dry {
		qs := map[string]*poll.Question{}
		for _, o := range res.Outcomes() {
			q, err := db.Question(o.QuestionID)
			if err != nil && poll.ErrorCode(err) != poll.ENOTFOUND {
				return err
			}
			qs[o.QuestionID] = q
		}
		if probs := res.ValidateResults(qs); len(probs) > 0 {
			return &poll.Problems{List: probs}
		}
		for _, o := range res.Outcomes() {
			if cur := qs[o.QuestionID].Result(); cur != nil && cur.Equal(&o.Outcome) {
				out.Unchanged++
			} else {
				out.Changed++
			}
		}
		u.cfg.Log.Info("results dry run (not stored)", "account", a.Name, "file", name, "changed", out.Changed, "unchanged", out.Unchanged)
		cal, err := u.cfg.Calibration()
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ResultsResponse{Results: out, Calibration: summarizeCalibration(cal)})
	}
	counts, err := db.ImportResults(res, name, false)
	if err != nil {
		return err
	}
	out.Changed, out.Unchanged = counts.Changed, counts.Unchanged
	u.cfg.Log.Info("results stored", "account", a.Name, "file", name, "counts", counts.String())
	resp := ResultsResponse{Results: out}
	status := http.StatusOK
	if counts.Changed > 0 {
		status = http.StatusCreated
	}
	// Refresh even when nothing changed: a calibration that failed before
	// is computed again. The refresh runs in the calibrator, one at a
	// time, so that it never races another upload's.
	if err := <-u.cfg.Refresh(); err != nil {
		resp.CalibrationError = "the results are stored, but the calibration could not be refreshed: " + poll.ErrorMessage(err)
	}
	cal, err := db.Calibration()
	if err != nil {
		if resp.CalibrationError == "" {
			u.cfg.Log.Error("reading the calibration", "err", err)
			resp.CalibrationError = "the calibration could not be read: " + poll.ErrorMessage(err)
		}
	}
	resp.Calibration = summarizeCalibration(cal)
	return c.JSON(status, resp)
}
