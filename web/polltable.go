package web

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// The question page's poll table shows one page of the view's polls, so
// that the page's size does not grow with the number of polls. Its
// parameters join the view's in the URL, so that paging and sorting work
// without JavaScript:
//
//	page=N (from 1)   sort=field|pollster|sponsor|n|mode|weight|ANSWER   order=asc|desc
//
// The default is the newest polls first (sort=field&order=desc). The
// whole list is one click away: the polls download (CSV or JSON).

// pollsPerPage is how many polls one page of the table lists.
const pollsPerPage = 50

func init() {
	site.AddMessages(map[string][2]string{
		"q.polls.range":     {"%d–%d번째 조사 (전체 %d건)", "Polls %d–%d of %d"},
		"q.polls.none":      {"이 보기에 들어가는 조사가 없습니다.", "No polls in this view."},
		"q.polls.pages":     {"조사 목록 페이지", "Pages of the poll list"},
		"q.polls.first":     {"처음", "First"},
		"q.polls.prev":      {"이전", "Previous"},
		"q.polls.next":      {"다음", "Next"},
		"q.polls.last":      {"마지막", "Last"},
		"q.polls.pageof":    {"%d / %d쪽", "Page %d of %d"},
		"q.polls.full":      {"전체 목록 내려받기:", "The full list:"},
		"q.polls.static":    {"이 사본은 최근 조사 %d건을 보여 줍니다. 전체 목록은 조사 목록 파일에 있습니다:", "This copy shows the %d newest polls; the full list is in the polls download:"},
		"q.polls.sortby":    {"%s 기준으로 정렬", "Sort by %s"},
		"q.polls.sorted":    {"정렬 기준", "sorted by"},
		"q.polls.ascending": {"오름차순", "ascending"},
	})
}

// tableQuery is the poll table's part of a question page's URL.
type tableQuery struct {
	Sort string // a column: see tableSorts, or an answer's id
	Desc bool
	Page int // from 1
}

// tableSorts are the table's sort keys other than the answers, with the
// order a click on their heading asks for first.
var tableSorts = map[string]bool{"field": true, "pollster": false, "sponsor": false, "n": false, "mode": false, "weight": false}

// defaultTable is the table's first page, newest polls first.
func defaultTable() tableQuery { return tableQuery{Sort: "field", Desc: true, Page: 1} }

// parseTableQuery reads the table's parameters. Every mistake is an
// EINVALID error naming the parameter (a 400). The sort key is checked
// against the question's answers by check, once the question is known.
func parseTableQuery(qs url.Values) (tableQuery, error) {
	t := defaultTable()
	last := func(k string) string {
		if vs := qs[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[len(vs)-1])
		}
		return ""
	}
	if s := last("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return t, poll.Errorf(poll.EINVALID, "page: %q is not a page number (1 or more)", s)
		}
		t.Page = n
	}
	if s := last("sort"); s != "" {
		if len(s) > 100 {
			return t, poll.Errorf(poll.EINVALID, "sort: %.20q… is not a column", s)
		}
		t.Sort = s
		if desc, ok := tableSorts[s]; ok {
			t.Desc = desc
		} else {
			t.Desc = false
		}
	}
	switch s := strings.ToLower(last("order")); s {
	case "":
	case "asc":
		t.Desc = false
	case "desc":
		t.Desc = true
	default:
		return t, poll.Errorf(poll.EINVALID, "order: %q is not asc or desc", last("order"))
	}
	return t, nil
}

// check reports a sort key that is neither a column nor an answer of q.
func (t tableQuery) check(q *poll.Question) error {
	if _, ok := tableSorts[t.Sort]; ok {
		return nil
	}
	if _, ok := q.Option(t.Sort); ok {
		return nil
	}
	return poll.Errorf(poll.EINVALID, "sort: %q is not one of field, pollster, sponsor, n, mode, weight or an answer (%s)",
		t.Sort, strings.Join(q.OptionIDs(), ", "))
}

// values returns the table's parameters, leaving out those at their
// defaults (the canonical form).
func (t tableQuery) values() url.Values {
	v := url.Values{}
	if t.Sort != "field" {
		v.Set("sort", t.Sort)
	}
	if desc, ok := tableSorts[t.Sort]; !ok && t.Desc || ok && t.Desc != desc {
		v.Set("order", map[bool]string{true: "desc", false: "asc"}[t.Desc])
	}
	if t.Page > 1 {
		v.Set("page", strconv.Itoa(t.Page))
	}
	return v
}

// withTable returns the view's query plus the table's parameters.
func withTable(view url.Values, t tableQuery) url.Values {
	out := cloneValues(view)
	for k, vs := range t.values() {
		out[k] = vs
	}
	return out
}

// pollTable is one page of the poll table, as question.html shows it.
type pollTable struct {
	Rows       []pollRow
	Total      int // polls in the view
	Page       int
	Pages      int
	From, To   int // the rows' positions in the whole list, from 1
	Sort       tableQuery
	Headings   []tableHeading // in the table's column order
	First      *pagerLink     // the pager's links (nil: none)
	Prev, Next *pagerLink
	Last       *pagerLink
}

// pagerLink is the query of one of the pager's links.
type pagerLink struct{ Query url.Values }

// tableHeading is one column heading: its sort link's query, and whether
// the table is sorted by it now ("ascending", "descending" or "").
type tableHeading struct {
	Label   string
	Key     string
	Num     bool
	Sorts   bool // the heading links to the table sorted by it
	Query   url.Values
	AriaDir string
}

// pollOrder is the view's polls in one sort order, as indices into
// Computed.Polls; cached per view, sort and data version, so that paging
// costs no sort.
type pollOrder []int32

func (o pollOrder) cacheBytes() int { return 64 + 4*len(o) }

// pollWeights returns each of c.Polls' weight (share of the last day's
// average; NaN: none).
func (c *Computed) pollWeights() []float64 {
	if len(c.weights) != len(c.Polls) { // a Computed not made by compute
		var ws []poll.PollWeight
		if c.Result != nil {
			ws = c.Result.Weights
		}
		return alignWeights(c.Polls, ws)
	}
	return c.weights
}

// alignWeights returns ws by index into polls (NaN: no weight). The
// weights come in the polls' order (some left out), so this is a merge,
// not a map of 100,000 ids.
func alignWeights(polls []poll.Poll, ws []poll.PollWeight) []float64 {
	w := make([]float64, len(polls))
	for i := range w {
		w[i] = math.NaN()
	}
	j := 0
	for i := range polls {
		if j < len(ws) && ws[j].PollID == polls[i].ID {
			w[i] = ws[j].Weight
			j++
		}
	}
	if j < len(ws) { // not in the polls' order after all: look them up
		byID := make(map[string]float64, len(ws))
		for _, pw := range ws {
			byID[pw.PollID] = pw.Weight
		}
		for i := range polls {
			if v, ok := byID[polls[i].ID]; ok {
				w[i] = v
			}
		}
	}
	return w
}

// sortPolls returns the order of comp's polls for t: by the column, ties
// by the newest field end, then pollster and id, so that every order is
// total and a page always lists the same polls.
func sortPolls(comp *Computed, t tableQuery) pollOrder {
	ps := comp.Polls
	order := make(pollOrder, len(ps))
	for i := range order {
		order[i] = int32(i)
	}
	var w []float64
	if t.Sort == "weight" {
		w = comp.pollWeights()
	}
	by := func(i, j int32) int {
		a, b := &ps[i], &ps[j]
		switch t.Sort {
		case "field":
			return cmp.Or(cmp.Compare(a.End, b.End), cmp.Compare(a.Start, b.Start))
		case "pollster":
			return strings.Compare(a.Pollster, b.Pollster)
		case "sponsor":
			return strings.Compare(a.Sponsor, b.Sponsor)
		case "n":
			return cmp.Compare(a.SampleSize, b.SampleSize)
		case "mode":
			return strings.Compare(string(a.Mode), string(b.Mode))
		case "weight":
			wa, wb := w[i], w[j]
			if oka, okb := !math.IsNaN(wa), !math.IsNaN(wb); oka != okb { // polls without a weight sort below every weight
				if oka {
					return 1
				}
				return -1
			}
			return cmp.Compare(wa, wb)
		}
		va, oka := a.Results.Get(t.Sort)
		vb, okb := b.Results.Get(t.Sort)
		if oka != okb {
			if oka {
				return 1
			}
			return -1
		}
		return cmp.Compare(va, vb)
	}
	slices.SortStableFunc(order, func(i, j int32) int {
		a, b := &ps[i], &ps[j]
		c := by(i, j)
		if t.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Or(-cmp.Compare(a.End, b.End), strings.Compare(a.Pollster, b.Pollster), strings.Compare(a.ID, b.ID))
	})
	return order
}

// pollOrderOf returns the cached order of comp's polls for t.
func (s *Server) pollOrderOf(qid string, view View, comp *Computed, t tableQuery) (pollOrder, error) {
	key := "order|" + qid + "|" + view.Key() + "|" + t.Sort + "|" + strconv.FormatBool(t.Desc)
	val, err := s.cache.get(key, comp.Version, func() (any, error) { return sortPolls(comp, t), nil })
	if err != nil {
		return nil, err
	}
	return val.(pollOrder), nil
}

// newPollTable builds page t.Page of the view's polls in order. A page
// past the last is ENOTFOUND (page 1 of a view without polls is empty).
func newPollTable(lang string, comp *Computed, answers []answerCol, order pollOrder, view url.Values, t tableQuery, static bool) (*pollTable, error) {
	total := len(order)
	pages := max(1, (total+pollsPerPage-1)/pollsPerPage)
	if t.Page > pages {
		return nil, poll.Errorf(poll.ENOTFOUND, "page: %d is past the last page of the poll list (%d)", t.Page, pages)
	}
	pt := &pollTable{Total: total, Page: t.Page, Pages: pages, Sort: t}
	lo := (t.Page - 1) * pollsPerPage
	hi := min(total, lo+pollsPerPage)
	if total > 0 {
		pt.From, pt.To = lo+1, hi
	}
	weights := comp.pollWeights()
	for _, i := range order[lo:hi] {
		p := &comp.Polls[i]
		row := pollRow{ID: p.ID, Pollster: p.Pollster, Sponsor: p.Sponsor, Start: p.Start, End: p.End,
			N: p.SampleSize, Mode: site.Translate(lang, "mode."+modeName(p.Mode)), Source: safeURL(p.SourceURL)}
		if w := weights[i]; !math.IsNaN(w) {
			row.Weight, row.HasWeight = 100*w, true
		}
		for _, a := range answers {
			v, ok := p.Results.Get(a.ID)
			row.Results = append(row.Results, resultCell{Value: v, OK: ok})
		}
		pt.Rows = append(pt.Rows, row)
	}

	// Headings sort by their column (first click: tableSorts' order,
	// a second click reverses); in the export, which holds one page per
	// view, they are plain text.
	heading := func(label, key string, num bool) tableHeading {
		h := tableHeading{Label: label, Key: key, Num: num}
		if t.Sort == key {
			h.AriaDir = map[bool]string{true: "descending", false: "ascending"}[t.Desc]
		}
		if !static {
			next := tableQuery{Sort: key, Page: 1}
			next.Desc = tableSorts[key]
			if t.Sort == key {
				next.Desc = !t.Desc
			}
			h.Sorts, h.Query = true, withTable(view, next)
		}
		return h
	}
	pt.Headings = []tableHeading{
		heading(site.Translate(lang, "q.col.pollster"), "pollster", false),
		heading(site.Translate(lang, "q.col.sponsor"), "sponsor", false),
		heading(site.Translate(lang, "q.col.field"), "field", false),
		heading(site.Translate(lang, "q.col.n"), "n", true),
		heading(site.Translate(lang, "q.col.mode"), "mode", false),
	}
	for _, a := range answers {
		pt.Headings = append(pt.Headings, heading(a.Label, a.ID, true))
	}
	pt.Headings = append(pt.Headings, heading(site.Translate(lang, "q.col.weight"), "weight", true))
	if !static {
		at := func(page int) *pagerLink {
			n := t
			n.Page = page
			return &pagerLink{withTable(view, n)}
		}
		if t.Page > 1 {
			pt.First, pt.Prev = at(1), at(t.Page-1)
		}
		if t.Page < pages {
			pt.Next, pt.Last = at(t.Page+1), at(pages)
		}
	}
	return pt, nil
}
