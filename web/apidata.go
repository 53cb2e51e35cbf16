package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/httpcache"
	"github.com/pollagg/pollagg/web/site"
)

// This file builds the read API's downloads: the same documents in JSON
// and in CSV, encoded once per question, view, format and data version,
// and shared by the API handlers (api.go), the command line (pollagg
// series, polls) and the static export, which therefore all give the same
// bytes for the same request.

// The downloads. Each is a path under /api/v1 (see downloadPath).
const (
	KindQuestions    = "questions"     // every question with its counts
	KindQuestion     = "question"      // one question
	KindPolls        = "polls"         // a question's polls, house effects and weights
	KindSeries       = "series"        // the daily average
	KindHouseEffects = "house-effects" // pollster (and mode) effects
	KindPollsters    = "pollsters"     // the pollster ratings (pollsters.go)
)

// Formats a download can take.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Content types of the formats. header=present tells spreadsheets the
// first row that is not a '#' comment names the columns.
const (
	contentTypeJSON = "application/json; charset=utf-8"
	contentTypeCSV  = "text/csv; charset=utf-8; header=present"
)

// Download is one encoded download: the exact bytes the read API serves.
type Download struct {
	Body        []byte
	ContentType string
	FileName    string // descriptive, e.g. kr-forced-labor-plan-2023_series_kalman_v12.csv
	ETag        string // strong ETag of Body (uncompressed)
}

// Download returns what GET /api/v1/... serves for kind (KindSeries and
// the others), question questionID (ignored for KindQuestions) and the
// query parameters of the URL, "format" included (JSON when absent). It
// is what the command line prints, so that a researcher can pipe the API's
// bytes without running the server. Mistakes in query are EINVALID errors
// that name the parameter; an unknown question is ENOTFOUND.
func (s *Server) Download(kind, questionID string, query url.Values) (*Download, error) {
	r, _, err := s.download(kind, questionID, query, "")
	if err != nil {
		return nil, err
	}
	body, err := r.Plain()
	if err != nil {
		return nil, err
	}
	return &Download{Body: body, ContentType: r.ContentType(), FileName: r.FileName(), ETag: r.ETag()}, nil
}

// request is one parsed download request.
type request struct {
	kind, qid  string
	format     string
	fromAccept bool // the format came from the Accept header
	view       View
	retracted  bool       // include retracted polls (polls only)
	query      url.Values // the query as given, for the second parse that checks answers
}

// takesView reports whether the download depends on the averaging view.
func takesView(kind string) bool {
	return kind == KindPolls || kind == KindSeries || kind == KindHouseEffects
}

// acceptedParams returns the query parameters kind accepts, in the order
// messages list them.
func acceptedParams(kind string) []string {
	var ps []string
	if takesView(kind) {
		ps = append(ps, viewParams...)
	}
	if kind == KindPolls {
		ps = append(ps, "include_retracted")
	}
	return append(ps, "format")
}

// downloadPath returns the canonical path of a download.
func downloadPath(kind, qid string) string {
	switch kind {
	case KindQuestions:
		return "/api/v1/questions"
	case KindQuestion:
		return "/api/v1/questions/" + qid
	case KindPollsters:
		return "/api/v1/pollsters"
	}
	return "/api/v1/questions/" + qid + "/" + kind
}

// parseRequest reads and checks a download request's parameters. Unknown
// parameters are mistakes too: a misspelt half-life must not silently
// give the default average. lang is ignored (pages add it to links).
func parseRequest(kind, qid string, query url.Values, accept string) (*request, error) {
	switch kind {
	case KindQuestions, KindQuestion, KindPolls, KindSeries, KindHouseEffects, KindPollsters:
	default:
		return nil, poll.Errorf(poll.EINVALID, "unknown download %q", kind)
	}
	accepted := acceptedParams(kind)
	var unknown []string
	for k := range query {
		if k != "lang" && !slices.Contains(accepted, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, poll.Errorf(poll.EINVALID, "%s: unknown parameter; %s accepts %s",
			strings.Join(unknown, ", "), downloadPath(kind, "{id}"), strings.Join(accepted, ", "))
	}
	r := &request{kind: kind, qid: qid, query: query}
	var err error
	if r.format, r.fromAccept, err = negotiateFormat(query, accept); err != nil {
		return nil, err
	}
	if takesView(kind) {
		if r.view, err = parseViewValues(query, nil); err != nil {
			return nil, err
		}
	}
	if vs := query["include_retracted"]; len(vs) > 0 && strings.TrimSpace(vs[len(vs)-1]) != "" {
		if r.retracted, err = site.ParseBool("include_retracted", vs[len(vs)-1]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// negotiateFormat picks csv or json: the format parameter when given,
// else text/csv when Accept prefers it to JSON, else JSON.
func negotiateFormat(query url.Values, accept string) (format string, fromAccept bool, err error) {
	if vs, ok := query["format"]; ok && len(vs) > 0 {
		f := strings.ToLower(strings.TrimSpace(vs[0]))
		for _, o := range vs[1:] {
			if g := strings.ToLower(strings.TrimSpace(o)); g != f {
				return "", false, poll.Errorf(poll.EINVALID, "format: given twice (%q and %q); use one of csv, json", vs[0], o)
			}
		}
		switch f {
		case FormatCSV, FormatJSON:
			return f, false, nil
		}
		return "", false, poll.Errorf(poll.EINVALID, "format: %q is not csv or json", vs[0])
	}
	csvQ, jsonQ := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/csv":
			csvQ = max(csvQ, q)
		case "application/json":
			jsonQ = max(jsonQ, q)
		}
	}
	if csvQ > 0 && csvQ > jsonQ {
		return FormatCSV, true, nil
	}
	return FormatJSON, true, nil
}

// download returns the encoded download for a request, from the cache when
// the data has not changed. The cache key is the request's canonical form,
// so equivalent URLs share one entry and one ETag.
func (s *Server) download(kind, qid string, query url.Values, accept string) (*httpcache.Representation, bool, error) {
	r, err := parseRequest(kind, qid, query, accept)
	if err != nil {
		return nil, false, err
	}
	ver := s.db.Version()
	key := "download|" + kind + "|" + qid + "|" + r.canonical().Encode()
	val, err := s.cache.get(key, ver, func() (any, error) { return s.encode(r) })
	if err != nil {
		return nil, false, err
	}
	return val.(*httpcache.Representation), r.fromAccept, nil
}

// canonical returns the request's parameters with the view's defaults left
// out, for cache keys.
func (r *request) canonical() url.Values {
	q := url.Values{}
	if takesView(r.kind) {
		q = r.view.Query()
	}
	if r.retracted {
		q.Set("include_retracted", "true")
	}
	q.Set("format", r.format)
	return q
}

// explicit returns every parameter a client can set, defaults included:
// the generated_from URL in a download reproduces it even after a later
// pollagg changes a default.
func (r *request) explicit() url.Values {
	q := url.Values{}
	if takesView(r.kind) {
		o := r.view.Options
		q = r.view.Query()
		q.Set("method", string(o.Method))
		q.Set("half_life", strconv.FormatFloat(o.HalfLife, 'g', -1, 64))
		q.Set("window", strconv.Itoa(o.Window))
		q.Set("span", strconv.FormatFloat(o.Span, 'g', -1, 64))
		q.Set("adjust_house", strconv.FormatBool(o.AdjustHouse))
		q.Set("adjust_mode", strconv.FormatBool(o.AdjustMode))
		q.Set("drop_undecided", strconv.FormatBool(o.DropUndecided))
	}
	if r.kind == KindPolls {
		q.Set("include_retracted", strconv.FormatBool(r.retracted))
	}
	q.Set("format", r.format)
	return q
}

// source is the generated_from URL: the download's path with every
// parameter explicit.
func (r *request) source() string {
	return downloadPath(r.kind, r.qid) + "?" + r.explicit().Encode()
}

// fileName is a descriptive name for the download: the question, what it
// is, the method and any other parameter that differs from the defaults,
// and the data version, e.g. kr-forced-labor-plan-2023_series_kalman_v12.csv.
func (r *request) fileName(version uint64) string {
	parts := []string{}
	if r.kind == KindQuestions || r.kind == KindPollsters {
		parts = append(parts, "pollagg", r.kind)
	} else {
		parts = append(parts, r.qid, r.kind)
	}
	if takesView(r.kind) {
		parts = append(parts, string(r.view.Options.Method))
		q := r.view.Query()
		for _, k := range []string{"half_life", "window", "span", "adjust_house", "adjust_mode", "drop_undecided", "from", "to"} {
			if v := q.Get(k); v != "" {
				parts = append(parts, strings.ReplaceAll(k, "_", "-")+"-"+v)
			}
		}
		if len(r.view.Pollsters) > 0 || len(r.view.Modes) > 0 || len(r.view.Answers) > 0 {
			// names may be Korean or long: a short hash keeps the file name
			// ASCII and distinct per filter
			parts = append(parts, "filter-"+shortHash(q.Encode()))
		}
	}
	if r.retracted {
		parts = append(parts, "with-retracted")
	}
	name := strings.Join(parts, "_") + "_v" + strconv.FormatUint(version, 10) + "." + r.format
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			return c
		}
		return '-'
	}, name)
}

func shortHash(s string) string {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%08x", h)
}

// encode builds the download of r from the database at its current version.
func (s *Server) encode(r *request) (*httpcache.Representation, error) {
	var d *document
	var err error
	switch r.kind {
	case KindQuestions, KindQuestion:
		d, err = s.questionsDoc(r)
	case KindPollsters:
		d, err = s.pollstersDoc(r)
	default:
		d, err = s.questionDoc(r)
	}
	if err != nil {
		return nil, err
	}
	write, ct := d.writeJSON, contentTypeJSON
	if r.format == FormatCSV {
		write, ct = d.writeCSV, contentTypeCSV
	}
	// built as it is encoded: the polls download of 100,000 polls is 43 MB
	// of JSON, of which only the 3 MB gzipped are kept
	rep, err := httpcache.Build(write, ct, r.fileName(d.head.DataVersion), r.format == FormatCSV, d.modified)
	if err != nil {
		return nil, fmt.Errorf("web: encode %s: %w", r.kind, err)
	}
	return rep, nil
}

// document is one download before encoding: a head that says what it is
// and how it was made, and rows. JSON writes the head's fields and then
// the rows one per line under rowsKey; CSV writes the head as '#' comment
// lines and the rows under a header line.
type document struct {
	head     docHead
	rowsKey  string
	rows     any // a slice of structs (JSON rows)
	csvRows  *csvTable
	modified time.Time
}

// docHead is the JSON head of every download.
type docHead struct {
	// Dataset names the download: questions, question, polls, series or house-effects.
	Dataset  string       `json:"dataset"`
	Question *questionRef `json:"question,omitempty"`
	// Parameters holds every parameter that produced the numbers, the
	// averaging engine's fixed settings included.
	Parameters  ordered    `json:"parameters"`
	DataVersion uint64     `json:"data_version"`
	DataUpdated *time.Time `json:"data_updated"`
	// GeneratedFrom is the URL that reproduces the download, with every
	// parameter explicit.
	GeneratedFrom string `json:"generated_from"`
	// Columns describes each column of the rows.
	Columns ordered `json:"columns,omitempty"`
	// Calibration says what the ratings were learned from (pollsters
	// only); Note is a remark on the whole download, such as why it is
	// empty.
	Calibration ordered `json:"calibration,omitempty"`
	Note        string  `json:"note,omitempty"`
}

// questionRef names the question a download is about.
type questionRef struct {
	ID      string `json:"id"`
	TitleKo string `json:"title_ko"`
	TitleEn string `json:"title_en"`
}

// writeJSON encodes the document: the head indented, then each row on a line
// of its own, so that the file reads well and diffs by row.
func (d *document) writeJSON(w io.Writer) error {
	head, err := json.MarshalIndent(d.head, "", "  ")
	if err != nil {
		return err
	}
	b := bufio.NewWriterSize(w, 64<<10)
	b.Write(head[:len(head)-2]) // drop "\n}"
	b.WriteString(",\n  ")
	key, _ := json.Marshal(d.rowsKey)
	b.Write(key)
	b.WriteString(": [")
	rows := reflect.ValueOf(d.rows)
	// One encoder and one scratch buffer for every row, each row encoded
	// through a pointer (no copy of it in an interface).
	var row bytes.Buffer
	enc := json.NewEncoder(&row)
	for i := 0; i < rows.Len(); i++ {
		row.Reset()
		if err := enc.Encode(rows.Index(i).Addr().Interface()); err != nil {
			return err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(row.Bytes()[:row.Len()-1]) // without Encode's newline
	}
	if rows.Len() > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return b.Flush()
}

// writeCSV encodes the document: '#' lines naming the dataset, its parameters
// and data version, then the header and rows.
//
//	# pollagg series; question=q1; method=kalman; half_life=14; ...; data_version=12; data_updated=...; generated_from=/api/v1/...
//	# question: <English title> | <Korean title>
//	# columns: date = ...; lower, upper = 95% interval of the average; ...
//	date,answer,estimate,lower,upper,...
func (d *document) writeCSV(w io.Writer) error {
	b := bufio.NewWriterSize(w, 64<<10)
	h := &d.head
	b.WriteString("# pollagg ")
	b.WriteString(h.Dataset)
	if h.Question != nil {
		b.WriteString("; question=")
		b.WriteString(commentValue(h.Question.ID))
	}
	for _, kv := range h.Parameters {
		b.WriteString("; ")
		b.WriteString(kv.Key)
		b.WriteByte('=')
		b.WriteString(commentValue(rawText(kv.Value)))
	}
	fmt.Fprintf(b, "; data_version=%d; data_updated=", h.DataVersion)
	if h.DataUpdated != nil {
		b.WriteString(h.DataUpdated.Format(time.RFC3339Nano))
	}
	b.WriteString("; generated_from=")
	// The URL is query-encoded already: encoding its '%' again would turn
	// pollster=%ED%95%9C… into a URL that asks for something else.
	b.WriteString(commentURL(h.GeneratedFrom))
	b.WriteByte('\n')
	if h.Question != nil {
		fmt.Fprintf(b, "# question: %s | %s\n", commentText(h.Question.TitleEn), commentText(h.Question.TitleKo))
	}
	if len(h.Calibration) > 0 {
		b.WriteString("# calibration: ")
		for i, kv := range h.Calibration {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(kv.Key + "=" + commentValue(rawText(kv.Value)))
		}
		b.WriteByte('\n')
	}
	if h.Note != "" {
		fmt.Fprintf(b, "# note: %s\n", commentText(h.Note))
	}
	if len(h.Columns) > 0 {
		b.WriteString("# columns: ")
		for i, kv := range h.Columns {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(kv.Key)
			b.WriteString(" = ")
			b.WriteString(commentText(rawText(kv.Value)))
		}
		b.WriteByte('\n')
	}
	d.csvRows.writeTo(b)
	return b.Flush()
}

// commentText makes s safe inside a '#' line: control characters (a line
// break would start a data row) become spaces.
func commentText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// commentURL makes a URL safe as the last value of the first '#' line:
// like commentValue, but a '%' is left alone, since in a URL it already
// starts an escape (and %3B, %0A mean in a URL what ';' and a line break
// would).
func commentURL(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == ';' || r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "%%%02X", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// commentValue makes s safe as a value of the first '#' line, whose
// fields are separated by "; ": it percent-encodes ';', '%' and control
// characters.
func commentValue(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == ';' || r == '%' || r < 0x20 || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == ';' || r == '%' || r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "%%%02X", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ordered is a JSON object that keeps its keys in order.
type ordered []keyValue

type keyValue struct {
	Key   string
	Value json.RawMessage
}

// MarshalJSON writes the object with its keys in order.
func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv.Key)
		b.Write(k)
		b.WriteByte(':')
		if len(kv.Value) == 0 {
			b.WriteString("null")
		} else {
			b.Write(kv.Value)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// add appends key with v's JSON.
func (o *ordered) add(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	*o = append(*o, keyValue{key, b})
}

// rawText is a JSON value as a '#' line shows it: strings unquoted, null
// empty, arrays joined by commas, objects as key:value pairs.
func rawText(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	var text func(v any) string
	text = func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		case []any:
			parts := make([]string, len(x))
			for i, e := range x {
				parts[i] = text(e)
			}
			return strings.Join(parts, ",")
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + ":" + text(x[k])
			}
			return strings.Join(parts, ",")
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return text(v)
}

// viewParameters lists every parameter behind a view's numbers: the
// engine's options in their declared order (the design effect of the
// unknown mode under "unknown"), then the filters.
func viewParameters(v View, retracted *bool) ordered {
	var o ordered
	raw, _ := json.Marshal(v.Options)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // {
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := t.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			break
		}
		if key == "design_effect" {
			var m map[string]float64
			if json.Unmarshal(val, &m) == nil {
				if d, ok := m[""]; ok {
					delete(m, "")
					m[modeName(poll.ModeUnknown)] = d
				}
				val, _ = json.Marshal(m)
			}
		}
		if key == "from" || key == "to" {
			continue // added below, also when absent
		}
		o = append(o, keyValue{key, val})
	}
	o.add("from", v.Options.From)
	o.add("to", v.Options.To)
	modes := make([]string, len(v.Modes))
	for i, m := range v.Modes {
		modes[i] = modeName(m)
	}
	o.add("pollster", nonNil(v.Pollsters))
	o.add("mode", modes)
	o.add("answers", nonNil(v.Answers))
	if retracted != nil {
		o.add("include_retracted", *retracted)
	}
	return o
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// columns builds a column description list from name, text pairs.
func columns(pairs ...string) ordered {
	var o ordered
	for i := 0; i+1 < len(pairs); i += 2 {
		o.add(pairs[i], pairs[i+1])
	}
	return o
}

// Numbers in downloads are rounded once, the same way for JSON and CSV,
// so that both formats carry the same figures: percentages and effects to
// 4 decimals, weights (shares of 1) to 6.

// num is a percentage-scale number: 4 decimals, null (JSON) or an empty
// cell (CSV) when not finite.
type num float64

// share is a weight between 0 and 1: 6 decimals.
type share float64

func (n num) MarshalJSON() ([]byte, error)   { return appendNum(nil, float64(n), 4, "null"), nil }
func (n share) MarshalJSON() ([]byte, error) { return appendNum(nil, float64(n), 6, "null"), nil }

// appendNum appends v rounded to places decimals in its shortest form
// ("43.2199", "-1.5", "14"), or missing when v is NaN or infinite.
func appendNum(b []byte, v float64, places int, missing string) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, missing...)
	}
	p := math.Pow10(places)
	r := math.Round(v*p) / p
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.AppendFloat(b, r, 'f', -1, 64)
}

// csvTable is a CSV header and rows of cells already formatted, or a
// function that makes them one at a time (each row is written before the
// next is made, so a large download holds one row, not all of them).
type csvTable struct {
	header []string
	rows   [][]string
	each   func(emit func(cells []string))
}

// writeTo writes the table as RFC 4180 CSV with "\n" line ends. A cell is
// quoted when it holds a comma, quote, line break or '#' (R's and pandas'
// comment='#' would cut an unquoted cell there) or starts or ends with a
// space.
func (t *csvTable) writeTo(b *bufio.Writer) {
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			if c != "" && (strings.ContainsAny(c, ",\"\r\n#") || c[0] == ' ' || c[len(c)-1] == ' ') {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(c, `"`, `""`))
				b.WriteByte('"')
			} else {
				b.WriteString(c)
			}
		}
		b.WriteByte('\n')
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
	if t.each != nil {
		t.each(line)
	}
}

// textCell neutralises a text cell against formula injection: a
// spreadsheet runs a cell that starts with =, +, -, @ (or a tab or
// carriage return before one) as a formula, so such a cell gets a leading
// apostrophe. Numbers are written by numCell and never changed.
func textCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// numCell formats a percentage-scale number (4 decimals) for CSV.
func numCell(v float64) string { return string(appendNum(nil, v, 4, "")) }

// shareCell formats a weight (6 decimals) for CSV.
func shareCell(v float64) string { return string(appendNum(nil, v, 6, "")) }

func boolCell(v bool) string { return strconv.FormatBool(v) }

func intCell(n int) string { return strconv.Itoa(n) }

// rawCell formats a number as published (a poll's figures), unrounded,
// as encoding/json writes it.
func rawCell(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// optRawCell formats an optional published number; nil is an empty cell.
func optRawCell(v *float64) string {
	if v == nil {
		return ""
	}
	return rawCell(*v)
}

// timeCell formats a time as RFC 3339 (UTC, JSON's form); nil or zero is empty.
func timeCell(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// dateCell formats an optional date; nil is empty.
func dateCell(d *poll.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// timePtr returns a pointer to t in UTC, nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// ---- questions ----

// questionSummary is a question with its options, events and counts.
type questionSummary struct {
	ID      string        `json:"id"`
	TitleKo string        `json:"title_ko"`
	TitleEn string        `json:"title_en"`
	Notes   string        `json:"notes"`
	Options []poll.Option `json:"options"`
	Events  []poll.Event  `json:"events"`
	// Polls counts the polls in the average (not retracted).
	Polls     int `json:"polls"`
	Retracted int `json:"retracted"`
	// Pollsters counts the pollsters of the polls in the average.
	Pollsters int `json:"pollsters"`
	// FirstPoll is the first field day of the earliest poll, LastPoll the
	// last field day of the latest (polls in the average).
	FirstPoll *poll.Date `json:"first_poll"`
	LastPoll  *poll.Date `json:"last_poll"`
	// LastUpdate is the question's latest change: its own edit, a poll's
	// new revision or a retraction.
	LastUpdate *time.Time `json:"last_update"`
	// PollsByPollster counts the polls in the average per pollster (only
	// in the single-question download).
	PollsByPollster []pollsterCount `json:"polls_by_pollster,omitempty"`
	// Result is the question's true outcome (an election's result), null
	// when it has none; ResultHistory every recorded version of it,
	// oldest first (only in the single-question download).
	Result        *poll.Outcome          `json:"result"`
	ResultHistory []poll.OutcomeRevision `json:"result_history,omitempty"`
}

type pollsterCount struct {
	Pollster string `json:"pollster"`
	Polls    int    `json:"polls"`
}

// summarize counts a question's records.
func summarize(q *poll.Question, recs []poll.Record, byPollster bool) questionSummary {
	s := questionSummary{ID: q.ID, TitleKo: q.TitleKo, TitleEn: q.TitleEn, Notes: q.Notes,
		Options: q.Options, Events: q.Events}
	if s.Options == nil {
		s.Options = []poll.Option{}
	}
	if s.Events == nil {
		s.Events = []poll.Event{}
	}
	last := q.Updated
	counts := map[string]int{}
	for i := range recs {
		r := &recs[i]
		for _, rev := range r.Revisions {
			if rev.Recorded.After(last) {
				last = rev.Recorded
			}
		}
		if r.Retracted != nil {
			s.Retracted++
			if r.Retracted.After(last) {
				last = *r.Retracted
			}
			continue
		}
		p := r.Current()
		s.Polls++
		counts[p.Pollster]++
		if s.FirstPoll == nil || p.Start < *s.FirstPoll {
			d := p.Start
			s.FirstPoll = &d
		}
		if s.LastPoll == nil || p.End > *s.LastPoll {
			d := p.End
			s.LastPoll = &d
		}
	}
	s.Pollsters = len(counts)
	s.LastUpdate = timePtr(last)
	s.Result = q.Result()
	if byPollster {
		s.ResultHistory = q.ResultHistory
		s.PollsByPollster = []pollsterCount{}
		for name, n := range counts {
			s.PollsByPollster = append(s.PollsByPollster, pollsterCount{name, n})
		}
		sort.Slice(s.PollsByPollster, func(i, j int) bool {
			a, b := s.PollsByPollster[i], s.PollsByPollster[j]
			return a.Polls > b.Polls || a.Polls == b.Polls && a.Pollster < b.Pollster
		})
	}
	return s
}

// questionsDoc builds the questions list or one question.
func (s *Server) questionsDoc(r *request) (*document, error) {
	var qs []poll.Question
	if r.kind == KindQuestion {
		q, err := s.db.Question(r.qid)
		if err != nil {
			return nil, err
		}
		qs = []poll.Question{*q}
	} else {
		var err error
		if qs, err = s.db.Questions(); err != nil {
			return nil, err
		}
	}
	rows := make([]questionSummary, 0, len(qs))
	for i := range qs {
		recs, err := s.db.Records(qs[i].ID, true)
		if err != nil {
			return nil, err
		}
		rows = append(rows, summarize(&qs[i], recs, r.kind == KindQuestion))
	}
	d := s.newDocument(r, nil)
	d.rowsKey = "questions"
	d.rows = rows
	d.head.Columns = columns(
		"polls", "polls in the average (not retracted)",
		"retracted", "polls withdrawn from the average (kept in the record)",
		"first_poll", "first field day of the earliest poll",
		"last_poll", "last field day of the latest poll",
		"last_update", "the question's latest change (edit, poll revision or retraction), UTC",
		"result, result_date", resultColumnText,
		"result_revisions", "how many versions of the result were recorded (JSON: result_history)",
	)
	t := &csvTable{header: []string{"id", "title_ko", "title_en", "options", "undecided_option", "events",
		"polls", "retracted", "pollsters", "first_poll", "last_poll", "last_update", "notes",
		"result_date", "result", "result_revisions"}}
	for i, q := range rows {
		var opts, und, evs []string
		for _, o := range q.Options {
			opts = append(opts, o.ID)
			if o.Undecided {
				und = append(und, o.ID)
			}
		}
		for _, e := range q.Events {
			evs = append(evs, e.Date.String()+" "+e.LabelEn)
		}
		t.rows = append(t.rows, []string{textCell(q.ID), textCell(q.TitleKo), textCell(q.TitleEn),
			textCell(strings.Join(opts, ";")), textCell(strings.Join(und, ";")), textCell(strings.Join(evs, "; ")),
			intCell(q.Polls), intCell(q.Retracted), intCell(q.Pollsters), dateCell(q.FirstPoll), dateCell(q.LastPoll),
			timeCell(q.LastUpdate), textCell(q.Notes), resultDateCell(q.Result), resultSharesCell(q.Result),
			intCell(len(qs[i].ResultHistory))})
	}
	d.csvRows = t
	return d, nil
}

// newDocument starts a document for r at the database's current state.
func (s *Server) newDocument(r *request, q *poll.Question) *document {
	d := &document{modified: s.db.Updated()}
	d.head = docHead{
		Dataset:       r.kind,
		Parameters:    ordered{},
		DataVersion:   s.db.Version(),
		DataUpdated:   timePtr(d.modified),
		GeneratedFrom: r.source(),
	}
	if q != nil {
		d.head.Question = &questionRef{ID: q.ID, TitleKo: q.TitleKo, TitleEn: q.TitleEn}
	}
	if takesView(r.kind) {
		var ret *bool
		if r.kind == KindPolls {
			ret = &r.retracted
		}
		d.head.Parameters = viewParameters(r.view, ret)
	}
	return d
}

// questionDoc builds the polls, series or house-effects download of one
// question from the averaged view (the same computation, and cache entry,
// as the question's chart).
func (s *Server) questionDoc(r *request) (*document, error) {
	comp, err := s.compute(r.qid, r.view)
	if err != nil {
		return nil, err
	}
	if len(r.view.Answers) > 0 {
		// the same parser, now knowing the question's answers
		if _, err := parseViewValues(r.query, comp.Question); err != nil {
			return nil, err
		}
	}
	d := s.newDocument(r, comp.Question)
	d.head.DataVersion = comp.Version
	d.calibrated(r, comp)
	switch r.kind {
	case KindSeries:
		seriesTable(d, comp, r.view)
	case KindHouseEffects:
		houseTable(d, comp, r.view)
	case KindPolls:
		pollsTable(d, comp, r)
	}
	return d, nil
}

// wantAnswer reports whether the view's answers filter keeps answer a.
func wantAnswer(v View, a string) bool { return len(v.Answers) == 0 || slices.Contains(v.Answers, a) }

// ---- series ----

// seriesRow is one day's estimate of one answer, with the parameters that
// produced it, so that rows of several downloads can be stacked.
type seriesRow struct {
	Date          poll.Date `json:"date"`
	Answer        string    `json:"answer"`
	Estimate      num       `json:"estimate"`
	Lower         num       `json:"lower"`
	Upper         num       `json:"upper"`
	PollLower     num       `json:"poll_lower"`
	PollUpper     num       `json:"poll_upper"`
	NEff          num       `json:"n_eff"`
	Method        string    `json:"method"`
	HalfLife      num       `json:"half_life"`
	Window        int       `json:"window"`
	Span          num       `json:"span"`
	AdjustHouse   bool      `json:"adjust_house"`
	AdjustMode    bool      `json:"adjust_mode"`
	DropUndecided bool      `json:"drop_undecided"`
	QuestionID    string    `json:"question_id"`
}

var seriesColumns = []string{"date", "answer", "estimate", "lower", "upper", "poll_lower", "poll_upper", "n_eff",
	"method", "half_life", "window", "span", "adjust_house", "adjust_mode", "drop_undecided", "question_id"}

func seriesTable(d *document, comp *Computed, v View) {
	o := v.Options
	rows := []seriesRow{}
	if comp.Result != nil {
		for _, s := range comp.Result.Series {
			if !wantAnswer(v, s.Option) {
				continue
			}
			for _, p := range s.Points {
				if o.From != nil && p.Date < *o.From || o.To != nil && p.Date > *o.To {
					continue
				}
				rows = append(rows, seriesRow{Date: p.Date, Answer: s.Option, Estimate: num(p.Estimate),
					Lower: num(p.Lower), Upper: num(p.Upper), PollLower: num(p.PollLower), PollUpper: num(p.PollUpper),
					NEff: num(p.NEff), Method: string(o.Method), HalfLife: num(o.HalfLife), Window: o.Window,
					Span: num(o.Span), AdjustHouse: o.AdjustHouse, AdjustMode: o.AdjustMode,
					DropUndecided: o.DropUndecided, QuestionID: comp.Question.ID})
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Date < rows[j].Date })
	d.rowsKey = "rows"
	d.rows = rows
	band, pollRange := bandColumns(comp.SharedError)
	d.head.Columns = columns(
		"date", "the day estimated (YYYY-MM-DD)",
		"answer", "answer option id (see the question's options)",
		"estimate", "the average, percent of respondents (0-100)",
		"lower, upper", band,
		"poll_lower, poll_upper", pollRange,
		"n_eff", "effective number of polls behind the estimate (Kish)",
		"method ... drop_undecided", "the parameters that produced the row",
	)
	t := &csvTable{header: seriesColumns}
	for _, r := range rows {
		t.rows = append(t.rows, []string{r.Date.String(), textCell(r.Answer), numCell(float64(r.Estimate)),
			numCell(float64(r.Lower)), numCell(float64(r.Upper)), numCell(float64(r.PollLower)),
			numCell(float64(r.PollUpper)), numCell(float64(r.NEff)), textCell(r.Method), numCell(float64(r.HalfLife)),
			intCell(r.Window), numCell(float64(r.Span)), boolCell(r.AdjustHouse), boolCell(r.AdjustMode),
			boolCell(r.DropUndecided), textCell(r.QuestionID)})
	}
	d.csvRows = t
}

// ---- house effects ----

// effectItem is one pollster's (kind "house") or survey mode's (kind
// "mode") estimated lean on one answer.
type effectItem struct {
	Kind     string `json:"kind"`
	Pollster string `json:"pollster"`
	Mode     string `json:"mode"`
	Answer   string `json:"answer"`
	Effect   num    `json:"effect"`
	SE       num    `json:"se"`
	Polls    int    `json:"polls"`
	Method   string `json:"method"`
}

func houseTable(d *document, comp *Computed, v View) {
	rows := []effectItem{}
	if res := comp.Result; res != nil {
		for _, h := range res.HouseEffects {
			if wantAnswer(v, h.Option) {
				rows = append(rows, effectItem{Kind: "house", Pollster: h.Pollster, Answer: h.Option,
					Effect: num(h.Effect), SE: num(h.SE), Polls: h.Polls, Method: string(v.Options.Method)})
			}
		}
		for _, h := range res.ModeEffects {
			if wantAnswer(v, h.Option) {
				rows = append(rows, effectItem{Kind: "mode", Mode: modeName(poll.Mode(h.Pollster)), Answer: h.Option,
					Effect: num(h.Effect), SE: num(h.SE), Polls: h.Polls, Method: string(v.Options.Method)})
			}
		}
	}
	d.rowsKey = "house_effects"
	d.rows = rows
	d.head.Columns = columns(
		"kind", "house: a pollster's lean; mode: a survey mode's lean",
		"pollster, mode", "whose lean it is",
		"answer", "answer option id",
		"effect", "estimated lean in percentage points, positive when the pollster (mode) reports more than the average",
		"se", "standard error of the effect, percentage points",
		"polls", "polls the estimate rests on",
	)
	t := &csvTable{header: []string{"kind", "pollster", "mode", "answer", "effect", "se", "polls", "method"}}
	for _, r := range rows {
		t.rows = append(t.rows, []string{r.Kind, textCell(r.Pollster), textCell(r.Mode), textCell(r.Answer),
			numCell(float64(r.Effect)), numCell(float64(r.SE)), intCell(r.Polls), textCell(r.Method)})
	}
	d.csvRows = t
}

// ---- polls ----

// pollItem is a poll as the polls download lists it: every published
// field, its revision, whether it was retracted, its pollster's house
// effect on each answer and its weight in the average's last day.
type pollItem struct {
	*poll.Poll            // shared with the view's polls; a copy when the answers are filtered
	Midpoint   poll.Date  `json:"midpoint"`
	Revision   int        `json:"revision"`
	Recorded   time.Time  `json:"recorded"`
	Retracted  *time.Time `json:"retracted"`
	// HouseEffects is the pollster's estimated lean per answer (empty when
	// the method estimated none).
	HouseEffects map[string]num `json:"house_effects"`
	// Weight is the poll's share of the last day's estimate; null when
	// the poll is not in the average (retracted).
	Weight *share `json:"weight"`
}

// noEffects is the house effects of a poll whose pollster has none: an
// empty map (JSON {}), shared.
var noEffects = map[string]num{}

func pollsTable(d *document, comp *Computed, r *request) {
	v := r.view
	house := map[string]map[string]num{}
	weight := map[string]float64{}
	if res := comp.Result; res != nil {
		for _, h := range res.HouseEffects {
			if house[h.Pollster] == nil {
				house[h.Pollster] = map[string]num{}
			}
			house[h.Pollster][h.Option] = num(h.Effect)
		}
		for i, w := range comp.pollWeights() {
			if !math.IsNaN(w) {
				weight[comp.Polls[i].ID] = w
			}
		}
	}
	var answers []string
	for _, id := range comp.Question.OptionIDs() {
		if wantAnswer(v, id) {
			answers = append(answers, id)
		}
	}
	items := make([]pollItem, 0, len(comp.All))
	for i := range comp.All {
		rec := &comp.Meta[i]
		if rec.Retracted != nil && !r.retracted {
			continue
		}
		p := &comp.All[i]
		// every poll of the average, whatever from and to: they bound the
		// days estimated, and polls outside them still carry weight
		if !v.keep(p) {
			continue
		}
		it := pollItem{Poll: p, Midpoint: p.Midpoint(), Revision: rec.Revisions,
			Recorded: rec.Recorded.UTC(), HouseEffects: noEffects}
		if len(v.Answers) > 0 {
			cp := *p
			cp.Results = make(poll.Shares, 0, len(answers))
			for _, a := range answers {
				if x, ok := p.Results.Get(a); ok {
					cp.Results.Set(a, x)
				}
			}
			it.Poll = &cp
		}
		if rec.Retracted != nil {
			it.Retracted = timePtr(*rec.Retracted)
		} else if w, ok := weight[p.ID]; ok {
			sw := share(w)
			it.Weight = &sw
		}
		if h := house[p.Pollster]; len(v.Answers) == 0 && h != nil {
			it.HouseEffects = h // every answer's: the pollster's own map, shared
		} else {
			for a, e := range h {
				if wantAnswer(v, a) {
					if len(it.HouseEffects) == 0 {
						it.HouseEffects = map[string]num{}
					}
					it.HouseEffects[a] = e
				}
			}
		}
		items = append(items, it)
	}
	d.rowsKey = "polls"
	d.rows = items
	d.head.Columns = columns(
		"id", "pollagg's stable poll id",
		"poll_id", "the pollster's own id, when given",
		"start_date, end_date, midpoint", "field period (YYYY-MM-DD)",
		"sample_size", "respondents; empty when not reported",
		"mode", "phone-live, phone-ARS, online or mixed; empty when not reported",
		"response_rate", "percent; empty when not reported",
		"margin_of_error", "reported 95% half-width, percentage points",
		"pct_<answer>", "the poll's result for each answer, percent (JSON: results)",
		"label_<answer>", "the pollster's own label for the answer (JSON: answer_labels)",
		"house_effect_<answer>", "the pollster's estimated lean, percentage points (JSON: house_effects)",
		"revision", "1 for the first publication, +1 per correction",
		"recorded", "when the current revision was recorded, UTC",
		"retracted", "when the poll was withdrawn from the average, UTC; empty while it counts",
		"weight", "the poll's share of the average on its last day (0-1); empty when not in the average",
	)
	header := []string{"id", "question_id", "poll_id", "pollster", "sponsor", "start_date", "end_date", "midpoint",
		"sample_size", "population", "mode", "mode_note", "response_rate", "margin_of_error", "weighting",
		"wording", "source_url", "registry_id", "notes"}
	for _, a := range answers {
		header = append(header, "pct_"+a)
	}
	for _, a := range answers {
		header = append(header, "label_"+a)
	}
	for _, a := range answers {
		header = append(header, "house_effect_"+a)
	}
	header = append(header, "revision", "recorded", "retracted", "weight")
	t := &csvTable{header: header}
	var row []string
	t.each = func(emit func([]string)) {
		for i := range items {
			it := &items[i]
			p := it.Poll
			size := ""
			if p.SampleSize != 0 {
				size = intCell(p.SampleSize)
			}
			row = append(row[:0], textCell(p.ID), textCell(p.QuestionID), textCell(p.ExternalID), textCell(p.Pollster),
				textCell(p.Sponsor), p.Start.String(), p.End.String(), it.Midpoint.String(), size,
				textCell(p.Population), textCell(string(p.Mode)), textCell(p.ModeNote), optRawCell(p.ResponseRate),
				optRawCell(p.MarginOfError), textCell(p.Weighting), textCell(p.Wording), textCell(p.SourceURL),
				textCell(p.RegistryID), textCell(p.Notes))
			for _, a := range answers {
				if x, ok := p.Results.Get(a); ok {
					row = append(row, rawCell(x))
				} else {
					row = append(row, "")
				}
			}
			for _, a := range answers {
				row = append(row, textCell(p.AnswerLabels[a]))
			}
			for _, a := range answers {
				if e, ok := it.HouseEffects[a]; ok {
					row = append(row, numCell(float64(e)))
				} else {
					row = append(row, "")
				}
			}
			w := ""
			if it.Weight != nil {
				w = shareCell(float64(*it.Weight))
			}
			row = append(row, intCell(it.Revision), timeCell(&it.Recorded), timeCell(it.Retracted), w)
			emit(row)
		}
	}
	d.csvRows = t
}
