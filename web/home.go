package web

import (
	"sort"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// indexGroup is one titled group of question cards on the index page.
type indexGroup struct {
	ID      string
	Title   string // empty for the questions outside the demo's groups
	Lede    string
	Entries []indexEntry
}

// cardPollster is a pollster and how many of a question's polls it ran.
type cardPollster struct {
	Name  string
	Polls int
}

// cardShown is how many pollsters a card names before "and N more".
const cardShown = 3

// MorePollsters is how many of the card's pollsters it does not name.
func (e indexEntry) MorePollsters() int { return max(0, len(e.Pollsters)-cardShown) }

// ShownPollsters are the pollsters the card names: those with the most polls.
func (e indexEntry) ShownPollsters() []cardPollster {
	return e.Pollsters[:min(len(e.Pollsters), cardShown)]
}

// cardFacts sets an entry's date range and pollsters (most polls first)
// from the polls of its default view.
func cardFacts(e *indexEntry, polls []poll.Poll) {
	n := map[string]int{}
	for _, p := range polls {
		if e.First == 0 || p.Start < e.First {
			e.First = p.Start
		}
		n[p.Pollster]++
	}
	e.Pollsters = make([]cardPollster, 0, len(n))
	for name, c := range n {
		e.Pollsters = append(e.Pollsters, cardPollster{name, c})
	}
	sort.Slice(e.Pollsters, func(i, j int) bool {
		a, b := e.Pollsters[i], e.Pollsters[j]
		if a.Polls != b.Polls {
			return a.Polls > b.Polls
		}
		return a.Name < b.Name
	})
}

// groupEntries arranges the index entries (newest data first) into the
// demo's groups, each in the order the demo gives, and puts every other
// question, newest first, in a last group without a title. Questions that
// were renamed are left out: their pages redirect to the new id.
func groupEntries(lang string, entries []indexEntry) []indexGroup {
	groups, _ := data.Groups()
	renamed, _ := data.Renamed()
	byID := make(map[string]indexEntry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	used := map[string]bool{}
	var out []indexGroup
	for _, g := range groups {
		ig := indexGroup{ID: g.ID, Title: g.Title(lang), Lede: g.Lede(lang)}
		for _, id := range g.Questions {
			if e, ok := byID[id]; ok && !used[id] {
				ig.Entries = append(ig.Entries, e)
				used[id] = true
			}
		}
		if len(ig.Entries) > 0 {
			out = append(out, ig)
		}
	}
	rest := indexGroup{ID: "other"}
	for _, e := range entries {
		if _, old := renamed[e.ID]; !used[e.ID] && !old {
			rest.Entries = append(rest.Entries, e)
		}
	}
	if len(rest.Entries) > 0 {
		if len(out) > 0 {
			rest.Title = site.Translate(lang, "index.other")
		}
		out = append(out, rest)
	}
	return out
}

// relatedLink is a link from a question's page to a related question.
type relatedLink struct {
	ID    string
	Title string
}

// relatedLinks returns the question's related questions that the database
// holds, in the question's order, each titled in lang.
func (s *Server) relatedLinks(lang string, q *poll.Question) []relatedLink {
	var out []relatedLink
	for _, id := range q.Related {
		r, err := s.db.Question(id)
		if err != nil || id == q.ID {
			continue
		}
		out = append(out, relatedLink{ID: id, Title: r.Title(lang)})
	}
	return out
}

func init() {
	site.AddMessages(map[string][2]string{
		"index.other":         {"그 밖의 질문", "Other questions"},
		"index.pollsters":     {"조사기관 %d곳", "%d pollsters"},
		"index.pollsters.one": {"조사기관 %d곳", "%d pollster"},
		"index.more":          {"외 %d곳", "and %d more"},
		"index.range":         {"%s – %s", "%s – %s"},
		"q.related":           {"관련 질문", "Related questions"},
	})
}

// modeGapRow is, for one answer, how far ARS polls sit from live-interview
// polls in the house-and-mode model, with the SE of the difference.
type modeGapRow struct {
	Label  string
	Gap    float64
	SE     float64
	PollsA int // live
	PollsB int // ARS
}

// Signed is the gap with its sign, one decimal.
func (r modeGapRow) Signed() string { return effectCell{Effect: r.Gap, OK: true}.Signed() }

// modeGapRows returns the ARS-minus-live gap of each answer the view's
// polls of both modes report, from the average's own fit (the one behind
// the mode effects beside it); none when either mode is missing.
func modeGapRows(lang string, comp *Computed) []modeGapRow {
	if comp.Result == nil || len(comp.Result.ModeEffects) == 0 {
		return nil
	}
	var out []modeGapRow
	for _, o := range comp.Question.Options {
		g, ok := comp.Result.ModeGap(o.ID, poll.ModeLive, poll.ModeARS)
		if !ok || o.Undecided {
			continue
		}
		out = append(out, modeGapRow{Label: o.Label(lang), Gap: g.Gap, SE: g.SE, PollsA: g.PollsA, PollsB: g.PollsB})
	}
	return out
}

func init() {
	site.AddMessages(map[string][2]string{
		"q.modegap": {"ARS 조사와 전화면접 조사의 차이(ARS − 면접, 괄호 안은 표준오차)", "ARS polls minus live-interview polls (standard error in brackets)"},
	})
}
