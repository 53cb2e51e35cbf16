package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/auth"
	"github.com/pollagg/pollagg/web/site"
)

// One poll: its page (GET /polls/{id}) with every field, the revision
// history and the retraction notice; its history as JSON (GET
// /api/v1/polls/{id}/revisions); and its retraction (DELETE
// /api/v1/polls/{id}, by its pollster or an operator).

// PollHistory is a poll's record as the API gives it: the answer to GET
// /api/v1/polls/{id}/revisions and to DELETE /api/v1/polls/{id}.
type PollHistory struct {
	PollID     string `json:"poll_id"`
	QuestionID string `json:"question_id"`
	Pollster   string `json:"pollster"`
	// Retracted is when the poll was withdrawn; null while it counts.
	Retracted   *time.Time `json:"retracted"`
	RetractedBy string     `json:"retracted_by"` // the account that retracted it; "" while it counts
	// Revisions are oldest first; the last is the poll as it stands.
	Revisions []RevisionView `json:"revisions"`
	URL       string         `json:"url"` // the poll's page
}

// RevisionView is one revision with what it changed.
type RevisionView struct {
	Revision int       `json:"revision"`
	UploadID string    `json:"upload_id"` // the upload that brought it ("" for polls stored before uploads were recorded)
	Recorded time.Time `json:"recorded"`
	// Changes lists what differs from the previous revision; empty for the first.
	Changes []Change  `json:"changes"`
	Poll    poll.Poll `json:"poll"`
}

// Change is one field that a revision changed. An answer's result is
// named by its option id; a label by "answer_labels.ID".
type Change struct {
	Field string `json:"field"`
	From  string `json:"from"` // "" when the field was not set
	To    string `json:"to"`   // "" when the field was removed
}

// historyOf turns a stored record into its API form.
func historyOf(r *poll.Record) PollHistory {
	cur := r.Current()
	h := PollHistory{PollID: cur.ID, QuestionID: cur.QuestionID, Pollster: cur.Pollster,
		Retracted: r.Retracted, RetractedBy: r.RetractedBy, URL: "/polls/" + cur.ID}
	for i, rev := range r.Revisions {
		v := RevisionView{Revision: rev.Number, UploadID: rev.UploadID, Recorded: rev.Recorded, Poll: rev.Poll, Changes: []Change{}}
		if i > 0 {
			v.Changes = pollChanges(&r.Revisions[i-1].Poll, &rev.Poll)
		}
		h.Revisions = append(h.Revisions, v)
	}
	return h
}

// pollRoutes registers a poll's page, its history and its retraction.
func (s *Server) pollRoutes(e *echo.Echo, api *echo.Group) {
	api.GET("/polls/:id/revisions", s.pollRevisions, site.JSONOnly)
	api.DELETE("/polls/:id", s.retractPoll, auth.RequireToken(s.db))
	getHead(e, "/polls/:id", s.pollPage)
}

// pollFields lists a poll's fields in display order, formatted as text.
func pollFields(p *poll.Poll) [][2]string {
	opt := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	n := ""
	if p.SampleSize > 0 {
		n = strconv.Itoa(p.SampleSize)
	}
	out := [][2]string{
		{"question_id", p.QuestionID}, {"pollster", p.Pollster}, {"sponsor", p.Sponsor},
		{"start_date", p.Start.String()}, {"end_date", p.End.String()}, {"sample_size", n},
		{"population", p.Population}, {"mode", string(p.Mode)}, {"mode_note", p.ModeNote},
		{"response_rate", opt(p.ResponseRate)}, {"margin_of_error", opt(p.MarginOfError)},
		{"weighting", p.Weighting}, {"wording", p.Wording}, {"source_url", p.SourceURL},
		{"registry_id", p.RegistryID}, {"notes", p.Notes}, {"poll_id", p.ExternalID},
	}
	for _, id := range unionKeys(p.AnswerLabels, nil) {
		out = append(out, [2]string{"answer_labels." + id, p.AnswerLabels[id]})
	}
	for _, r := range p.Results {
		out = append(out, [2]string{r.Option, strconv.FormatFloat(r.Pct, 'f', -1, 64)})
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// pollChanges lists the fields that differ between revisions a and b.
func pollChanges(a, b *poll.Poll) []Change {
	from := map[string]string{}
	var order []string
	for _, f := range pollFields(a) {
		from[f[0]] = f[1]
		order = append(order, f[0])
	}
	to := map[string]string{}
	for _, f := range pollFields(b) {
		to[f[0]] = f[1]
		if _, ok := from[f[0]]; !ok {
			order = append(order, f[0])
		}
	}
	out := []Change{}
	for _, k := range order {
		if from[k] != to[k] {
			out = append(out, Change{Field: k, From: from[k], To: to[k]})
		}
	}
	return out
}

// pollRevisions is GET /api/v1/polls/{id}/revisions.
func (s *Server) pollRevisions(c echo.Context) error {
	r, err := s.db.Record(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, historyOf(r))
}

// retractPoll is DELETE /api/v1/polls/{id}: the poll leaves every average
// and stays in the record, marked retracted. Its pollster's token or an
// operator's may do it (403 otherwise); retracting again changes nothing.
func (s *Server) retractPoll(c echo.Context) error {
	a := auth.Account(c)
	r, err := s.db.Retract(c.Param("id"), a.Name, auth.PublishRule(a))
	if err != nil {
		return err
	}
	s.log.Info("poll retracted", "poll", r.Current().ID, "by", r.RetractedBy, "account", a.Name)
	// a retracted poll of a question with a result leaves the ratings too
	s.calib.afterImport([]string{r.Current().QuestionID})
	return c.JSON(http.StatusOK, historyOf(r))
}

// pollPageData is what templates/poll.html shows.
type pollPageData struct {
	Rating        *pollsterRatingView // its pollster's rating (pollsters.go); nil without ratings
	Poll          *poll.Poll
	QuestionTitle string
	QuestionPath  string
	Results       []resultRow
	SampleText    string // the sample size with thousands separators
	Mode          string // the mode in the page's language
	ModeNote      string // the mode as the pollster wrote it, when that says more
	HasLabels     bool   // some answer has a label of the pollster's own
	SourceURL     string // only http and https addresses; "" otherwise
	Retracted     *time.Time
	RetractedBy   string
	Revisions     []revisionRow // newest first
}

// resultRow is one answer of the poll.
type resultRow struct {
	Option string  // the question's label for the option
	Label  string  // the label the pollster used, when it differs
	Pct    float64 // percent
}

// revisionRow is one revision in the page's history.
type revisionRow struct {
	Number   int
	Recorded time.Time
	UploadID string
	Upload   *poll.Upload // nil when the upload record is missing
	Changes  []Change
}

// pollPage is GET /polls/{id}.
func (s *Server) pollPage(c echo.Context) error {
	r, err := s.db.Record(c.Param("id"))
	if err != nil {
		return err
	}
	lang := site.LangOf(c)
	p := r.Current()
	d := pollPageData{Poll: p, Retracted: r.Retracted, RetractedBy: r.RetractedBy,
		QuestionTitle: p.QuestionID, QuestionPath: "/questions/" + url.PathEscape(p.QuestionID),
		Mode: site.Translate(lang, "poll.mode."+modeKey(p.Mode)), SampleText: site.FormatNum(float64(p.SampleSize), 0)}
	q, err := s.db.Question(p.QuestionID)
	if err == nil {
		d.QuestionTitle = q.Title(lang)
	} else if poll.ErrorCode(err) != poll.ENOTFOUND {
		return err
	}
	if n := strings.TrimSpace(p.ModeNote); n != "" && !strings.EqualFold(n, d.Mode) && !strings.EqualFold(n, string(p.Mode)) {
		d.ModeNote = n
	}
	d.SourceURL = safeURL(p.SourceURL)
	// results in the question's option order, then any others
	var ids []string
	if q != nil {
		for _, o := range q.Options {
			if _, ok := p.Results.Get(o.ID); ok {
				ids = append(ids, o.ID)
			}
		}
	}
	for _, id := range p.Results.Options() {
		if q == nil {
			ids = append(ids, id)
		} else if _, ok := q.Option(id); !ok {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		row := resultRow{Option: id, Pct: p.Results.Pct(id)}
		if q != nil {
			if o, ok := q.Option(id); ok {
				row.Option = o.Label(lang)
			}
		}
		if l := p.AnswerLabels[id]; l != "" && l != row.Option {
			row.Label = l
			d.HasLabels = true
		}
		d.Results = append(d.Results, row)
	}
	h := historyOf(r)
	for i := len(h.Revisions) - 1; i >= 0; i-- {
		rv := h.Revisions[i]
		row := revisionRow{Number: rv.Revision, Recorded: rv.Recorded, UploadID: rv.UploadID, Changes: rv.Changes}
		if rv.UploadID != "" {
			if up, err := s.db.Upload(rv.UploadID); err == nil {
				row.Upload = up
			}
		}
		d.Revisions = append(d.Revisions, row)
	}
	d.Rating = s.pollsterRating(p.Pollster)
	title := p.Pollster + " · " + p.Start.String() + "–" + p.End.String()
	return s.render(c, http.StatusOK, "poll", title, d)
}

// modeKey is the message key suffix of a mode.
func modeKey(m poll.Mode) string {
	if m == poll.ModeUnknown {
		return "unknown"
	}
	return strings.ToLower(string(m))
}
