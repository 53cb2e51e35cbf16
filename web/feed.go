package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/httpcache"
	"github.com/pollagg/pollagg/web/site"
)

// Atom feeds
//
// /feed.atom lists every question's news, /questions/ID/feed.atom one
// question's: an entry for each poll when it was first stored, for each
// correction (a later revision) and for each retraction, newest first, at
// most feedMaxEntries. The text is in the reader's language (?lang=), the
// links are absolute on the live server and, in the static export,
// absolute when the export knows its BaseURL and relative to the feed's
// file otherwise. Feeds carry an ETag and answer 304 as the read API does.

// AtomMediaType is the media type of the feeds.
const AtomMediaType = "application/atom+xml; charset=utf-8"

// feedMaxEntries caps a feed's entries.
const feedMaxEntries = 200

// atomNS is the Atom 1.0 namespace.
const atomNS = "http://www.w3.org/2005/Atom"

// feedTagBase starts every feed and entry id (RFC 4151 tag URIs: stable
// whatever host serves the feed).
const feedTagBase = "tag:pollagg,2026:"

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	NS      string      `xml:"xmlns,attr"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Gen     atomGen     `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomGen struct {
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
}

type atomEntry struct {
	ID       string     `xml:"id"`
	Title    string     `xml:"title"`
	Updated  string     `xml:"updated"`
	Category atomCat    `xml:"category"`
	Links    []atomLink `xml:"link"`
	Summary  atomText   `xml:"summary"`
}

type atomCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// feedEntry is one piece of news before it is written as Atom.
type feedEntry struct {
	when  time.Time
	kind  string // "poll", "correction", "retraction"
	id    string // the entry's id, after feedTagBase
	q     *poll.Question
	p     *poll.Poll
	rev   int
	extra string // who retracted
}

// feedEntries gathers the news of questions qs, newest first.
func (s *Server) feedEntries(qs []poll.Question) ([]feedEntry, error) {
	var out []feedEntry
	for i := range qs {
		q := &qs[i]
		recs, err := s.db.Records(q.ID, true)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			for k := range r.Revisions {
				rev := &r.Revisions[k]
				e := feedEntry{when: rev.Recorded, kind: "poll", q: q, p: &rev.Poll, rev: rev.Number,
					id: fmt.Sprintf("poll/%s/revision/%d", rev.Poll.ID, rev.Number)}
				if k > 0 {
					e.kind = "correction"
				}
				out = append(out, e)
			}
			if r.Retracted != nil {
				out = append(out, feedEntry{when: *r.Retracted, kind: "retraction", q: q, p: r.Current(),
					rev: len(r.Revisions), extra: r.RetractedBy, id: fmt.Sprintf("poll/%s/retracted", r.Current().ID)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].when.Equal(out[j].when) {
			return out[i].when.After(out[j].when)
		}
		return out[i].id > out[j].id
	})
	if len(out) > feedMaxEntries {
		out = out[:feedMaxEntries]
	}
	return out, nil
}

// feedLinks makes a feed's links: absolute from base when it is known,
// else relative to the feed's file in the export (from, a folder as
// staticPath returns it).
type feedLinks struct {
	base   string // "https://host" without a trailing slash; "" for relative links
	static bool
	from   string
	lang   string
}

// page is the link to page path (e.g. "/polls/ID") in the feed's language.
func (l feedLinks) page(path string) string {
	if l.static {
		rel := staticPath(l.lang, path, nil)
		if l.base != "" {
			return l.base + "/" + rel
		}
		return relativeLink(l.from, rel)
	}
	return l.base + path + "?" + url.Values{"lang": {l.lang}}.Encode()
}

// feed is a feed file's path for the question qid ("" for the site).
func (l feedLinks) feed(qid string) string {
	path := "/feed.atom"
	if qid != "" {
		path = "/questions/" + qid + "/feed.atom"
	}
	if l.static {
		rel := feedFile(l.lang, qid)
		if l.base != "" {
			return l.base + "/" + rel
		}
		return relativeLink(l.from, rel)
	}
	return l.base + path + "?" + url.Values{"lang": {l.lang}}.Encode()
}

// feedFile is where the export writes the feed of question qid ("" for the
// site's) in lang.
func feedFile(lang, qid string) string {
	if qid == "" {
		return staticPath(lang, "/", nil) + "feed.atom"
	}
	return staticPath(lang, "/questions/"+qid, nil) + "feed.atom"
}

// buildFeed writes the feed of q (nil: every question) as Atom XML.
func buildFeed(lang string, q *poll.Question, entries []feedEntry, links feedLinks, updated time.Time) ([]byte, error) {
	f := atomFeed{NS: atomNS, Lang: lang, Author: atomPerson{Name: "pollagg"}, Gen: atomGen{Text: "pollagg"}}
	qid := ""
	if q != nil {
		qid = q.ID
		f.ID = feedTagBase + "questions/" + q.ID + "/feed/" + lang
		f.Title = site.Translate(lang, "feed.question.title", q.Title(lang))
		f.Links = append(f.Links, atomLink{Rel: "alternate", Type: "text/html", Href: links.page("/questions/" + q.ID), HrefLang: lang})
	} else {
		f.ID = feedTagBase + "feed/" + lang
		f.Title = site.Translate(lang, "feed.site.title")
		f.Links = append(f.Links, atomLink{Rel: "alternate", Type: "text/html", Href: links.page("/"), HrefLang: lang})
	}
	f.Links = append(f.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: links.feed(qid)})
	if len(entries) > 0 && entries[0].when.After(updated) {
		updated = entries[0].when
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	for _, e := range entries {
		f.Entries = append(f.Entries, atomEntry{
			ID:       feedTagBase + e.id,
			Title:    entryTitle(lang, &e),
			Updated:  e.when.UTC().Format(time.RFC3339),
			Category: atomCat{Term: e.kind, Label: site.Translate(lang, "feed.kind."+e.kind)},
			Links:    []atomLink{{Rel: "alternate", Type: "text/html", Href: links.page("/polls/" + e.p.ID), HrefLang: lang}},
			Summary:  atomText{Type: "text", Text: entrySummary(lang, &e)},
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("web: feed: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// entryTitle is e.g. "New poll: Gallup Korea, Mar 7–8, 2023".
func entryTitle(lang string, e *feedEntry) string {
	return site.Translate(lang, "feed.title."+e.kind, e.p.Pollster, fieldDates(lang, e.p.Start, e.p.End))
}

// entrySummary gives the question, the numbers and the sample:
// "Question: support 35%, oppose 59%, undecided 6% (n=1,002, phone-live; sponsor: KBS)".
func entrySummary(lang string, e *feedEntry) string {
	var nums []string
	for _, o := range e.q.Options {
		if v, ok := e.p.Results.Get(o.ID); ok {
			nums = append(nums, fmt.Sprintf("%s %s%%", o.Label(lang), site.FormatNum(v, 1)))
		}
	}
	var facts []string
	if e.p.SampleSize > 0 {
		facts = append(facts, "n="+site.FormatNum(float64(e.p.SampleSize), 0))
	}
	facts = append(facts, site.Translate(lang, "mode."+modeName(e.p.Mode)))
	if e.p.Sponsor != "" {
		facts = append(facts, site.Translate(lang, "feed.sponsor", e.p.Sponsor))
	}
	s := fmt.Sprintf("%s: %s (%s)", e.q.Title(lang), strings.Join(nums, ", "), strings.Join(facts, "; "))
	switch e.kind {
	case "correction":
		s = site.Translate(lang, "feed.note.correction", e.rev) + " " + s
	case "retraction":
		s = site.Translate(lang, "feed.note.retraction") + " " + s
	}
	return s
}

// siteFeed is GET /feed.atom.
func (s *Server) siteFeed(c echo.Context) error {
	return s.serveFeed(c, "")
}

// questionFeed is GET /questions/:id/feed.atom.
func (s *Server) questionFeed(c echo.Context) error {
	return s.serveFeed(c, c.Param("id"))
}

// serveFeed answers with the feed of question qid ("" for the site), from
// the cache while the data has not changed.
func (s *Server) serveFeed(c echo.Context, qid string) error {
	lang := site.LangOf(c)
	links := feedLinks{lang: lang}
	if st := exportOf(c); st != nil {
		links.static = true
		links.base = strings.TrimRight(st.BaseURL, "/")
		links.from = staticPath(lang, "/", nil)
		if qid != "" {
			links.from = staticPath(lang, "/questions/"+qid, nil)
		}
	} else {
		links.base = siteBase(c)
	}
	key := fmt.Sprintf("feed|%s|%s|%t|%s", qid, lang, links.static, links.base)
	val, err := s.cache.get(key, s.db.Version(), func() (any, error) {
		var qs []poll.Question
		var q *poll.Question
		if qid != "" {
			one, err := s.db.Question(qid)
			if err != nil {
				return nil, err
			}
			q, qs = one, []poll.Question{*one}
		} else {
			all, err := s.db.Questions()
			if err != nil {
				return nil, err
			}
			qs = all
		}
		entries, err := s.feedEntries(qs)
		if err != nil {
			return nil, err
		}
		body, err := buildFeed(lang, q, entries, links, s.db.Updated())
		if err != nil {
			return nil, err
		}
		r := httpcache.New(body, AtomMediaType, "feed.atom", false, s.db.Updated())
		r.DropGzip() // the gzip middleware compresses feeds (skipGzip does not list them)
		return r, nil
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Language", lang)
	return serveRepresentation(c, val.(*httpcache.Representation), false)
}

// FeedLink is the link to the Atom feed of the page at path ("/" for the
// site's, "/questions/ID" for a question's), in the page's language: a
// relative link to the exported file in the static export.
func (p *Page) FeedLink(path string) string {
	qid := strings.TrimPrefix(path, "/questions/")
	if path == "/" {
		qid = ""
	}
	if p.Static {
		return relativeLink(staticPath(p.Lang, p.Path, nil), feedFile(p.Lang, qid))
	}
	if qid == "" {
		return "/feed.atom?lang=" + p.Lang
	}
	return "/questions/" + url.PathEscape(qid) + "/feed.atom?lang=" + p.Lang
}

// MetaCSP is the Content-Security-Policy the static export writes into
// each page's <meta http-equiv>, for hosts and CDNs that send no header:
// the server's policy without frame-ancestors, which browsers ignore in a
// <meta> element (and log as an error); such a host should send
// "frame-ancestors 'none'" (X-Frame-Options: DENY) itself.
func (p *Page) MetaCSP() string {
	var keep []string
	for _, d := range strings.Split(ContentSecurityPolicy, ";") {
		if d = strings.TrimSpace(d); d != "" && !strings.HasPrefix(d, "frame-ancestors") {
			keep = append(keep, d)
		}
	}
	return strings.Join(keep, "; ")
}
