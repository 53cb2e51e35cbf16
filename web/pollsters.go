package web

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// Pollster ratings: GET /api/v1/pollsters (JSON, or CSV with ?format=csv,
// through the same download machinery, cache and ETags as the question
// downloads) and the page GET /pollsters, in both languages. Both read
// the calibration the database stores (calibrate.Refresh computes it when
// results or their polls change); no request recomputes it.

// calibrationEntry is the decoded stored calibration, cached per data
// version (nil when there is none).
type calibrationEntry struct{ cal *poll.Calibration }

func (e *calibrationEntry) cacheBytes() int {
	if e.cal == nil {
		return 64
	}
	return 1024 + 512*len(e.cal.Ratings)
}

// calibration returns the database's stored calibration, decoded once per
// data version; nil when it has none.
func (s *Server) calibration() (*poll.Calibration, error) {
	val, err := s.cache.get("calibration", s.db.Version(), func() (any, error) {
		c, err := s.db.Calibration()
		if err != nil {
			return nil, err
		}
		return &calibrationEntry{c}, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*calibrationEntry).cal, nil
}

// pollsterRow is one rated pollster in the download.
type pollsterRow struct {
	Pollster      string         `json:"pollster"`
	Questions     int            `json:"questions"`
	Polls         int            `json:"polls"`
	MeanAbsError  num            `json:"mean_abs_error"`
	Bias          []pollsterBias `json:"bias"`
	ExcessError   num            `json:"excess_error"`
	ExcessErrorSE num            `json:"excess_error_se"`
	Weight        share          `json:"weight"`
}

type pollsterBias struct {
	Answer string `json:"answer"`
	Bias   num    `json:"bias"`
	SE     num    `json:"se"`
	Polls  int    `json:"polls"`
}

// noCalibrationNote is the download's note for a database without a
// calibration.
const noCalibrationNote = "no calibration: this database has no question with a result, so no pollster is rated (the list is empty)"

// calibrationHead summarises what a calibration was learned from.
func calibrationHead(c *poll.Calibration) ordered {
	var o ordered
	o.add("questions", c.Questions)
	o.add("polls", c.Polls)
	o.add("last_result", c.LastResult)
	type model struct {
		Industry   num `json:"industry"`
		IndustrySE num `json:"industry_se"`
		Pollster   num `json:"pollster"`
		PollsterSE num `json:"pollster_se"`
		Questions  int `json:"questions"`
	}
	se := map[string]model{}
	for m, v := range c.SharedError {
		se[string(m)] = model{num(v.Industry), num(v.IndustrySE), num(v.Pollster), num(v.PollsterSE), v.Questions}
	}
	o.add("shared_error", se)
	o.add("race_sd", num(c.Model.RaceSD))
	o.add("pollster_sd", num(c.Model.PollsterSD))
	o.add("poll_sd", num(c.Model.PollSD))
	return o
}

// pollstersDoc builds the pollster ratings download.
func (s *Server) pollstersDoc(r *request) (*document, error) {
	cal, err := s.calibration()
	if err != nil {
		return nil, err
	}
	d := s.newDocument(r, nil)
	rows := []pollsterRow{}
	answers := map[string]bool{}
	if cal == nil {
		d.head.Note = noCalibrationNote
	} else {
		d.head.Calibration = calibrationHead(cal)
		for _, rt := range cal.Ratings {
			row := pollsterRow{Pollster: rt.Pollster, Questions: rt.Questions, Polls: rt.Polls,
				MeanAbsError: num(rt.MeanAbsError), ExcessError: num(rt.ExcessError),
				ExcessErrorSE: num(rt.ExcessErrorSE), Weight: share(rt.Weight), Bias: []pollsterBias{}}
			for _, b := range rt.Bias {
				row.Bias = append(row.Bias, pollsterBias{Answer: b.Answer, Bias: num(b.Bias), SE: num(b.SE), Polls: b.Polls})
				answers[b.Answer] = true
			}
			rows = append(rows, row)
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Pollster < rows[j].Pollster })
	}
	d.rowsKey = "pollsters"
	d.rows = rows
	d.head.Columns = columns(
		"pollster", "the pollster's name as its polls give it",
		"questions, polls", "questions with a result it polled, and its polls of them that ended before the result",
		"mean_abs_error", "plain mean absolute error of its polls against the results on each question's first answer, percentage points",
		"bias_<answer>, bias_se_<answer>", "its lean on the answer against the other pollsters of the same questions, shrunk toward 0 by how much evidence there is (empirical Bayes), and its standard error, percentage points (JSON: bias)",
		"excess_error, excess_error_se", "how much larger (+) or smaller (-) its polls' error is than the industry's after each race's shared miss and its own bias, shrunk toward 0, and its standard error, points of standard deviation",
		"weight", "the quality weight its polls get in every average (1 is average)",
	)
	ids := sortedKeysOf(answers)
	header := []string{"pollster", "questions", "polls", "mean_abs_error", "excess_error", "excess_error_se", "weight"}
	for _, a := range ids {
		header = append(header, "bias_"+a, "bias_se_"+a)
	}
	t := &csvTable{header: header}
	for _, row := range rows {
		cells := []string{textCell(row.Pollster), intCell(row.Questions), intCell(row.Polls), numCell(float64(row.MeanAbsError)),
			numCell(float64(row.ExcessError)), numCell(float64(row.ExcessErrorSE)), shareCell(float64(row.Weight))}
		for _, a := range ids {
			b, se := "", ""
			for _, x := range row.Bias {
				if x.Answer == a {
					b, se = numCell(float64(x.Bias)), numCell(float64(x.SE))
				}
			}
			cells = append(cells, b, se)
		}
		t.rows = append(t.rows, cells)
	}
	d.csvRows = t
	return d, nil
}

// pollstersData is what templates/pollsters.html shows.
type pollstersData struct {
	Cal         *poll.Calibration // nil without a calibration
	SharedError string            // "kalman 2.1 (±0.3), latest 2.4 (±0.3)"
	Rows        []ratingRow
}

// ratingRow is one pollster on the page.
type ratingRow struct {
	Anchor string
	poll.Rating
	Bias []biasText
}

type biasText struct {
	Answer string
	Text   string // "+1.2 (0.8)"
}

// signed formats v with its sign and one decimal ("+1.2", "−0.4", "0.0").
func signed(v float64) string { return effectCell{Effect: v}.Signed() }

// pollsterAnchor is the fragment id of a pollster's row on /pollsters.
func pollsterAnchor(name string) string {
	return "p-" + shortHash(strings.ToLower(strings.TrimSpace(name)))
}

// pollstersPage is GET /pollsters: every rated pollster's record.
func (s *Server) pollstersPage(c echo.Context) error {
	lang := site.LangOf(c)
	return s.servePage(c, "pollsters", url.Values{}, func() (string, string, any, error) {
		cal, err := s.calibration()
		if err != nil {
			return "", "", nil, err
		}
		d := &pollstersData{Cal: cal}
		if cal != nil {
			var parts []string
			for _, m := range poll.Methods {
				if v, ok := cal.SharedError[m]; ok {
					parts = append(parts, fmt.Sprintf("%s %s (±%s), %s (±%s)", m, site.FormatNum(v.Industry, 2), site.FormatNum(v.IndustrySE, 2),
						site.FormatNum(v.Pollster, 2), site.FormatNum(v.PollsterSE, 2)))
				}
			}
			d.SharedError = strings.Join(parts, ", ")
			for _, rt := range cal.Ratings {
				row := ratingRow{Anchor: pollsterAnchor(rt.Pollster), Rating: rt}
				for _, b := range rt.Bias {
					row.Bias = append(row.Bias, biasText{Answer: b.Answer, Text: signed(b.Bias) + " (" + site.FormatNum(b.SE, 1) + ")"})
				}
				d.Rows = append(d.Rows, row)
			}
			sort.SliceStable(d.Rows, func(i, j int) bool { return d.Rows[i].Pollster < d.Rows[j].Pollster })
		}
		return "pollsters", site.Translate(lang, "pr.title"), d, nil
	})
}

// pollsterRatingView is a pollster's rating as its poll pages show it.
type pollsterRatingView struct {
	Rating *poll.Rating // nil when it has none
	Rated  bool         // the database has ratings at all
	Anchor string
}

// pollsterRating returns what a poll's page says of its pollster's
// rating; nil when the database has no calibration.
func (s *Server) pollsterRating(name string) *pollsterRatingView {
	cal, err := s.calibration()
	if err != nil {
		s.log.Error("reading the calibration", "err", err)
		return nil
	}
	if cal == nil {
		return nil
	}
	v := &pollsterRatingView{Rated: true, Rating: cal.Rating(name)}
	if v.Rating != nil {
		v.Anchor = pollsterAnchor(v.Rating.Pollster)
	}
	return v
}

// pollsterRoutes registers the ratings page.
func (s *Server) pollsterRoutes(e *echo.Echo) {
	getHead(e, "/pollsters", s.pollstersPage)
}

// ExcessText is the excess error with its sign.
func (r ratingRow) ExcessText() string { return signed(r.ExcessError) }

// ExcessText is the excess error with its sign.
func (v *pollsterRatingView) ExcessText() string { return signed(v.Rating.ExcessError) }
