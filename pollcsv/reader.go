// Package pollcsv reads poll files in the formats pollagg accepts and turns
// them into poll values with line-numbered problems. It knows nothing of
// storage or HTTP.
//
// Three formats are detected from the header:
//
//   - wide: pollagg's template, one row per poll with one column per answer
//     option (support, oppose, undecided, ...);
//   - wide-ko: the same template with Korean headers (조사기관, 의뢰기관,
//     조사시작일, 조사종료일, 표본수, 조사방법, 응답률, 표본오차, and answer
//     columns such as 찬성, 반대, 모름·무응답);
//   - long: the FiveThirtyEight-style layout, one row per poll and answer
//     (poll_id, pollster, sponsor, start_date, end_date, sample_size,
//     population, methodology, question_id or question, answer, pct).
//
// Files are UTF-8, with or without a byte-order mark, or CP949/EUC-KR or
// UTF-16 with a byte-order mark (see detectEncoding); Excel workbooks are
// read by ReadXLSX. Every problem is reported, not only the first, each
// with its physical line and column.
package pollcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gocarina/gocsv"

	"github.com/pollagg/pollagg/poll"
)

// Format names a file layout.
type Format string

// The formats Read detects.
const (
	FormatWide   Format = "wide"
	FormatWideKo Format = "wide-ko"
	FormatLong   Format = "long"
)

// MaxLineBytes is the longest physical line Read accepts. Longer lines are
// rejected before they are held in memory.
const MaxLineBytes = 1 << 20

// MaxProblems is how many problems Read and Validate report before they
// stop looking: enough to fix a file, not so many that a broken file floods
// a terminal or a response.
const MaxProblems = 200

// record is one CSV row as gocsv maps it. Every field is a string: pollagg
// parses each itself, so an empty or malformed cell is an error with its
// place, never a silent zero.
type record struct {
	QuestionID    string `csv:"question_id"`
	Question      string `csv:"question"`
	PollID        string `csv:"poll_id"`
	Pollster      string `csv:"pollster"`
	Sponsor       string `csv:"sponsor"`
	StartDate     string `csv:"start_date"`
	EndDate       string `csv:"end_date"`
	SampleSize    string `csv:"sample_size"`
	Population    string `csv:"population"`
	Mode          string `csv:"mode"`
	ResponseRate  string `csv:"response_rate"`
	MarginOfError string `csv:"margin_of_error"`
	Weighting     string `csv:"weighting"`
	Wording       string `csv:"wording"`
	AnswerLabels  string `csv:"answer_labels"`
	SourceURL     string `csv:"source_url"`
	RegistryID    string `csv:"registry_id"`
	Notes         string `csv:"notes"`
	Answer        string `csv:"answer"`
	Pct           string `csv:"pct"`
}

// headerAliases maps header names as files write them (lower-cased, spaces
// and '-' as '_') to the canonical names in record's tags.
var headerAliases = map[string]string{
	"조사기관": "pollster", "조사_기관": "pollster", "조사회사": "pollster", "pollster_name": "pollster",
	"의뢰기관": "sponsor", "의뢰처": "sponsor", "sponsors": "sponsor",
	"조사시작일": "start_date", "조사_시작일": "start_date", "start": "start_date", "field_start": "start_date",
	"조사종료일": "end_date", "조사_종료일": "end_date", "end": "end_date", "field_end": "end_date",
	"표본수": "sample_size", "표본_수": "sample_size", "표본크기": "sample_size", "n": "sample_size",
	"조사방법": "mode", "조사_방법": "mode", "methodology": "mode", "method": "mode",
	"응답률":  "response_rate",
	"표본오차": "margin_of_error", "moe": "margin_of_error", "margin": "margin_of_error",
	"조사대상": "population", "모집단": "population",
	"가중치": "weighting", "가중값": "weighting", "가중치_부여": "weighting", "가중값_산출": "weighting",
	"질문": "wording", "질문내용": "wording", "문항": "wording", "question_text": "wording",
	"응답_매핑": "answer_labels", "보기": "answer_labels",
	"출처": "source_url", "url": "source_url", "source": "source_url",
	"등록번호": "registry_id", "nesdc": "registry_id", "nesdc_id": "registry_id",
	"비고": "notes", "note": "notes",
	"질문id": "question_id", "문항id": "question_id",
	"조사id": "poll_id", "id": "poll_id",
	"answer_label": "answer", "choice": "answer",
	"percent": "pct", "percentage": "pct",
}

var koreanHeaders = map[string]bool{}

func init() {
	for k := range headerAliases {
		if k[0] >= 0x80 {
			koreanHeaders[k] = true
		}
	}
}

// canonicalHeader returns the canonical field name for a header as written,
// or the cleaned header when it is not a known field (an answer column).
func canonicalHeader(h string) string {
	k := strings.ToLower(strings.TrimSpace(h))
	k = strings.NewReplacer(" ", "_", "-", "_").Replace(k)
	if c, ok := headerAliases[k]; ok {
		return c
	}
	return k
}

var knownFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range []string{"question_id", "question", "poll_id", "pollster", "sponsor", "start_date", "end_date",
		"sample_size", "population", "mode", "response_rate", "margin_of_error", "weighting", "wording",
		"answer_labels", "source_url", "registry_id", "notes", "answer", "pct"} {
		m[f] = true
	}
	return m
}()

// Options tells Read how to place rows.
type Options struct {
	// QuestionID names the question for rows that do not name one in a
	// question_id column. A row that names a different one is an error.
	QuestionID string
}

// Cell is a place in the file.
type Cell struct {
	Line   int    // 1-based physical line
	Col    int    // 1-based field number
	Column string // header as written in the file
}

// Row is one poll read from a file, with where its fields came from.
type Row struct {
	Poll poll.Poll
	Line int // the first physical line of the poll
	// lines holds each column's physical line when the record spans more
	// than one line (a quoted field with a newline); nil otherwise.
	lines []int
	// optLines holds, in the long format, the line of each answer's row.
	optLines map[string]int
}

// Batch is a whole file read and parsed, ready to validate and store.
type Batch struct {
	Name   string // file name, used in problems
	Format Format
	Rows   []Row
	// Options lists, per question id, the answer options the file carries,
	// in the order the file first shows them. A question not yet known is
	// created with these.
	Options map[string][]poll.Option
	// Lines is the number of physical lines read.
	Lines int
	// Problems holds the rows that could not be read as polls (bad
	// numbers, dates, duplicates). Validate adds the rule checks of the
	// rows that could; a file with any problem must not be stored.
	Problems []poll.Problem
	// Labels maps, per question, an answer option id to the label the file
	// used for it (its column header, or its first answer text in the long
	// format), e.g. "support" → "찬성".
	Labels map[string]map[string]string
	// Encoding is the text encoding the file was read in: "" for UTF-8,
	// else EncodingCP949, EncodingUTF16LE or EncodingUTF16BE.
	Encoding string
	// Sheet is the workbook sheet the batch was read from ("" for CSV);
	// lines are then the sheet's row numbers.
	Sheet string

	header []string       // the header as written
	cols   map[string]int // field or answer option id → column index
}

// Cell returns where field (a canonical field name or an answer option id)
// of row i is in the file.
func (b *Batch) Cell(i int, field string) (Cell, bool) {
	r := &b.Rows[i]
	col, ok := b.cols[field]
	if !ok {
		return Cell{}, false
	}
	line := r.Line
	if l, ok := r.optLines[field]; ok {
		line = l
	} else if r.lines != nil {
		line = r.lines[col]
	}
	return Cell{Line: line, Col: col + 1, Column: b.header[col]}, true
}

// Pollsters returns the distinct pollster names in the batch, in file order.
func (b *Batch) Pollsters() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range b.Rows {
		if !seen[r.Poll.Pollster] {
			seen[r.Poll.Pollster] = true
			out = append(out, r.Poll.Pollster)
		}
	}
	return out
}

// Problem places a field error of row i in the file.
func (b *Batch) Problem(i int, fe poll.FieldError) poll.Problem {
	if c, ok := b.Cell(i, fe.Field); ok {
		return poll.Problem{File: b.Name, Sheet: b.Sheet, Line: c.Line, Column: c.Column, ColNum: c.Col, Message: fe.Message}
	}
	return poll.Problem{File: b.Name, Sheet: b.Sheet, Line: b.Rows[i].Line, Column: fe.Field, Message: fe.Message}
}

// Validate checks every row against its question (from questions; a
// question absent there is checked without its options) and today. It
// returns every problem, Read's included, in file order.
func (b *Batch) Validate(questions map[string]*poll.Question, today poll.Date) []poll.Problem {
	out := append([]poll.Problem(nil), b.Problems...)
	for i := range b.Rows {
		p := &b.Rows[i].Poll
		q := questions[p.QuestionID]
		for _, fe := range p.Validate(q, today) {
			out = append(out, b.Problem(i, fe))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	if len(out) > MaxProblems {
		out = out[:MaxProblems]
	}
	return out
}

// errLineTooLong is returned by lineGuard for a line over MaxLineBytes.
var errLineTooLong = errors.New("line too long")

// lineGuard passes bytes through while counting lines, refusing a line
// longer than MaxLineBytes and text that is not UTF-8.
type lineGuard struct {
	r       *bufio.Reader
	line    int // 1-based line of the next byte
	run     int // bytes since the last newline
	badUTF8 bool
	pending []byte // an incomplete UTF-8 sequence carried to the next read
	buf     []byte // reused for the pending bytes and the new ones
}

func (g *lineGuard) Read(p []byte) (int, error) {
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	n, err := g.r.Read(p)
	chunk := append(append(g.buf[:0], g.pending...), p[:n]...)
	g.buf = chunk
	// hold back a trailing partial rune for the next check
	cut := len(chunk)
	for k := 1; k <= 3 && k <= len(chunk); k++ {
		c := chunk[len(chunk)-k]
		if c < 0x80 {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(chunk[len(chunk)-k:]) {
				cut = len(chunk) - k
			}
			break
		}
	}
	if err == io.EOF {
		cut = len(chunk)
	}
	bad, invalid := 0, false // bad: offset in p of the first invalid byte (≤ 0 when it is in the carried bytes)
	if !utf8.Valid(chunk[:cut]) {
		invalid = true
		for i := 0; i < cut; {
			r, size := utf8.DecodeRune(chunk[i:cut])
			if r == utf8.RuneError && size <= 1 {
				bad = i - len(g.pending)
				break
			}
			i += size
		}
	}
	g.pending = append(g.pending[:0], chunk[cut:]...)
	for i := 0; i < n; i++ {
		if invalid && i >= bad {
			g.badUTF8 = true
			return i, errNotUTF8
		}
		if p[i] == '\n' {
			g.line++
			g.run = 0
			continue
		}
		g.run++
		if g.run > MaxLineBytes {
			return i, errLineTooLong
		}
	}
	if invalid {
		g.badUTF8 = true
		return n, errNotUTF8
	}
	return n, err
}

var errNotUTF8 = errors.New("not UTF-8")

// Read reads a whole poll file. name is used in problems. It returns a
// *poll.Problems error when the file as a whole cannot be read as polls
// (empty, not UTF-8, missing columns); problems of single rows go into
// Batch.Problems so that every one is reported. Other errors come from r.
func Read(name string, r io.Reader, opt Options) (*Batch, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	if head, _ := br.Peek(sniffBytes); bomlessUTF16(head) {
		return nil, &poll.Problems{List: []poll.Problem{{File: name, Line: 1,
			Message: "the file looks like UTF-16 text without a byte-order mark; save it as \"CSV UTF-8\" (or as Unicode text, which starts with the mark)"}}}
	}
	text, enc := detectEncoding(br)
	tr, ok := text.(*bufio.Reader)
	if !ok {
		tr = bufio.NewReaderSize(text, 64<<10)
	}
	guard := &lineGuard{r: tr, line: 1}
	cr := csv.NewReader(guard)
	cr.FieldsPerRecord = 0 // the header sets the count
	cr.TrimLeadingSpace = true
	var probs []poll.Problem
	fail := func(line int, column, format string, args ...any) {
		if len(probs) < MaxProblems {
			probs = append(probs, poll.Problem{File: name, Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
		}
	}
	readErr := func(err error) bool { // reports a reader error; true when reading must stop
		var pe *csv.ParseError
		switch {
		case errors.Is(err, errLineTooLong):
			fail(guard.line, "", "line is longer than %d bytes; is this a CSV file?", MaxLineBytes)
			return true
		case errors.Is(err, errBadEncoding):
			guard.badUTF8 = true // the whole file is suspect, not one row
			fail(guard.line, "", "the file reads as %s up to here, but this line holds bytes that are not %s text; save the file as \"CSV UTF-8\"", enc, enc)
			return true
		case errors.Is(err, errNotUTF8):
			fail(guard.line, "", "file is not UTF-8 text; save it as \"CSV UTF-8\" (files from Korean Excel are often CP949/EUC-KR)")
			return true
		case errors.As(err, &pe):
			fail(pe.Line, "", "%v", pe.Err)
			return !errors.Is(pe.Err, csv.ErrFieldCount)
		}
		fail(guard.line, "", "reading: %v", err)
		return true
	}

	// a *record: gocsv then allocates each row's struct once, not again
	// when it returns it as an interface
	um, err := gocsv.NewUnmarshaller(cr, &record{})
	if err != nil {
		if errors.Is(err, io.EOF) {
			fail(1, "", "file is empty: expected a header row and at least one poll")
		} else {
			readErr(err)
		}
		return nil, &poll.Problems{List: probs}
	}
	// the rows' field slices are only read, not kept: reuse one (not
	// before the header is read, which is kept)
	cr.ReuseRecord = true
	raw := um.Headers
	if len(raw) == 1 {
		for _, sep := range []string{";", "\t", "|"} {
			if strings.Count(raw[0], sep) >= 2 {
				name := map[string]string{";": "semicolons", "\t": "tabs", "|": "'|'"}[sep]
				fail(1, "", "the header is one column: the file seems separated by %s; save it comma-separated (CSV)", name)
				return nil, &poll.Problems{List: probs}
			}
		}
	}
	canon := make([]string, len(raw))
	seen := map[string]int{}
	format := FormatWide
	for i, h := range raw {
		canon[i] = canonicalHeader(h)
		if koreanHeaders[strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))] {
			format = FormatWideKo
		}
		if strings.TrimSpace(h) == "" {
			fail(1, "", "column %d has no header name", i+1)
		}
		if msg := cellIssue(h); msg != "" {
			fail(1, "", "the header of column %d %s", i+1, msg)
		}
		if j, dup := seen[canon[i]]; dup && canon[i] != "" {
			fail(1, h, "column %d repeats column %d (%q)", i+1, j+1, raw[j])
		}
		seen[canon[i]] = i
	}
	if _, ok := seen["answer"]; ok {
		if _, ok := seen["pct"]; ok {
			format = FormatLong
		}
	}
	if err := um.RenormalizeHeaders(func([]string) []string { return canon }); err != nil {
		fail(1, "", "header: %v", err)
	}
	need := []string{"pollster", "start_date", "end_date"}
	if format == FormatLong {
		need = append(need, "answer", "pct")
	}
	if opt.QuestionID == "" {
		_, hasID := seen["question_id"]
		_, hasQ := seen["question"]
		if !hasID && !(format == FormatLong && hasQ) {
			fail(1, "", "no question_id column: name the question in one, or for the whole file with --question ID (?question=ID in the API)")
		}
	}
	for _, f := range need {
		if _, ok := seen[f]; !ok {
			fail(1, "", "missing required column %q (columns found: %s)", f, strings.Join(raw, ", "))
		}
	}
	var answerCols []int // wide: columns that are answer options
	if format != FormatLong {
		for i, c := range canon {
			if !knownFields[c] && c != "" {
				answerCols = append(answerCols, i)
			}
		}
		if len(answerCols) == 0 {
			fail(1, "", "no answer columns: add one column per answer option (e.g. support, oppose, undecided)")
		}
	}
	if len(probs) > 0 {
		return nil, &poll.Problems{List: probs}
	}

	b := &Batch{Name: name, Format: format, Encoding: enc, Options: map[string][]poll.Option{}, Labels: map[string]map[string]string{},
		header: raw, cols: map[string]int{}}
	for f, i := range seen {
		if knownFields[f] {
			b.cols[f] = i
		}
	}
	addOption := func(qid string, o poll.Option, label string) {
		if b.Labels[qid] == nil {
			b.Labels[qid] = map[string]string{}
		}
		if _, ok := b.Labels[qid][o.ID]; !ok {
			b.Labels[qid][o.ID] = label
			b.Options[qid] = append(b.Options[qid], o)
		}
	}
	answerOpt := make([]poll.Option, len(answerCols)) // by position in answerCols
	for k, i := range answerCols {
		o, ok := poll.CanonicalOption(raw[i])
		if !ok {
			fail(1, raw[i], "answer column %q cannot be an option id; name it with letters or digits (e.g. support)", raw[i])
			continue
		}
		answerOpt[k] = o
		b.cols[o.ID] = i
	}
	if len(probs) > 0 {
		return nil, &poll.Problems{List: probs}
	}

	var rows rowList
	longIndex := map[string]int{}    // long format: poll key → index in rows
	wideOptions := map[string]bool{} // wide format: questions whose answer columns are added
	dataRows := 0
	pollIDs := pollIDIndex{}
	for {
		v, unmatched, err := um.ReadUnmatched()
		if err == io.EOF {
			break
		}
		if err != nil {
			if readErr(err) {
				break
			}
			continue
		}
		dataRows++
		rec := v.(*record)
		line, _ := cr.FieldPos(0)
		var lines []int
		if last, _ := cr.FieldPos(len(raw) - 1); last != line {
			lines = make([]int, len(raw))
			for i := range raw {
				lines[i], _ = cr.FieldPos(i)
			}
		}
		cell := func(field string) Cell {
			i := seen[field]
			l := line
			if lines != nil {
				l = lines[i]
			}
			return Cell{Line: l, Col: i + 1, Column: raw[i]}
		}
		var rowProbs []poll.Problem
		bad := func(field, format string, args ...any) {
			c := cell(field)
			rowProbs = append(rowProbs, poll.Problem{File: name, Line: c.Line, Column: c.Column, ColNum: c.Col, Message: fmt.Sprintf(format, args...)})
		}
		if issues := recordIssues(rec, unmatched, seen); len(issues) > 0 {
			for _, is := range issues {
				l := line
				if lines != nil {
					l = lines[is.col]
				}
				rowProbs = append(rowProbs, poll.Problem{File: name, Line: l, Column: raw[is.col], ColNum: is.col + 1, Message: is.msg})
			}
			probs = appendCapped(probs, rowProbs...)
			continue
		}
		p := poll.Poll{
			ExternalID: strings.TrimSpace(rec.PollID),
			Pollster:   cleanText(rec.Pollster),
			Sponsor:    cleanText(rec.Sponsor),
			Population: cleanText(rec.Population),
			Weighting:  cleanText(rec.Weighting),
			Wording:    cleanText(rec.Wording),
			RegistryID: cleanText(rec.RegistryID),
			Notes:      cleanText(rec.Notes),
			ModeNote:   cleanText(rec.Mode),
		}
		// question
		qid := strings.TrimSpace(rec.QuestionID)
		if qid == "" && format == FormatLong && strings.TrimSpace(rec.Question) != "" {
			qid = poll.Slugify(rec.Question)
		}
		switch {
		case qid == "" && opt.QuestionID != "":
			qid = opt.QuestionID
		case qid == "":
			bad("question_id", "empty: name the question (or use --question ID for the whole file)")
		case opt.QuestionID != "" && qid != opt.QuestionID:
			bad("question_id", "row names question %q but the file is imported as %q", qid, opt.QuestionID)
		case !poll.ValidSlug(qid):
			bad("question_id", "%q is not a question id: use lower-case letters, digits and '-'", qid)
		}
		p.QuestionID = qid
		if p.Pollster == "" {
			bad("pollster", "is empty: every poll needs its pollster")
		}
		if d, err := poll.ParseDate(rec.StartDate); err != nil {
			bad("start_date", "%v", err)
		} else {
			p.Start = d
		}
		if d, err := poll.ParseDate(rec.EndDate); err != nil {
			bad("end_date", "%v", err)
		} else {
			p.End = d
		}
		if s := strings.TrimSpace(rec.SampleSize); s != "" {
			n, err := parseCount(s)
			switch {
			case err != nil:
				bad("sample_size", "%q is not a whole number of respondents", s)
			case n <= 0:
				bad("sample_size", "%s", poll.SampleSizeMessage(n))
			default:
				p.SampleSize = n
			}
		}
		if m, ok := poll.ParseMode(rec.Mode); ok {
			p.Mode = m
		}
		if s := strings.TrimSpace(rec.ResponseRate); s != "" {
			if f, err := parsePct(s); err != nil {
				bad("response_rate", "%q is not a percentage", s)
			} else {
				p.ResponseRate = &f
			}
		}
		if s := strings.TrimSpace(rec.MarginOfError); s != "" {
			if f, err := parsePct(s); err != nil {
				bad("margin_of_error", "%q is not a number of percentage points (e.g. 3.1 or ±3.1%%p)", s)
			} else {
				p.MarginOfError = &f
			}
		}
		if s := strings.TrimSpace(rec.SourceURL); s != "" {
			if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad("source_url", "%q is not an http or https address", s)
			} else {
				p.SourceURL = s
			}
		}
		if s := strings.TrimSpace(rec.AnswerLabels); s != "" {
			labels, err := parseLabels(s)
			if err != nil {
				bad("answer_labels", "%v", err)
			}
			p.AnswerLabels = labels
		}
		if len(rowProbs) == 0 && p.ExternalID != "" {
			if msg := pollIDs.check(&p, line); msg != "" {
				bad("poll_id", "%s", msg)
			}
		}
		row := Row{Poll: p, Line: line, lines: lines}
		if format == FormatLong {
			ans := strings.TrimSpace(rec.Answer)
			o, ok := poll.CanonicalOption(ans)
			if !ok {
				bad("answer", "%q is not an answer option name", ans)
			}
			pct, err := parsePct(rec.Pct)
			if err != nil {
				bad("pct", "%q is not a percentage", strings.TrimSpace(rec.Pct))
			}
			if len(rowProbs) > 0 {
				probs = appendCapped(probs, rowProbs...)
				continue
			}
			key := p.ExternalID
			if key == "" {
				key = poll.IdentityKey(&p)
			} else {
				key = "x\x00" + p.QuestionID + "\x00" + strings.ToLower(p.Pollster) + "\x00" + key
			}
			j, exists := longIndex[key]
			if !exists {
				row.Poll.Results = poll.Shares{}
				row.optLines = map[string]int{}
				j = rows.add(row)
				longIndex[key] = j
			} else if first := &rows.at(j).Poll; !sameHeader(first, &p) {
				probs = appendCapped(probs, poll.Problem{File: name, Line: line, Column: raw[seen["poll_id"]],
					Message: fmt.Sprintf("poll %q is described differently here than on line %d (pollster, dates, sample size and question must match)", p.ExternalID, rows.at(j).Line)})
				continue
			}
			r := rows.at(j)
			if _, dup := r.Poll.Results.Get(o.ID); dup {
				probs = appendCapped(probs, poll.Problem{File: name, Line: line, Column: raw[seen["answer"]],
					Message: fmt.Sprintf("duplicate row: answer %q of this poll is already on line %d", ans, r.optLines[o.ID])})
				continue
			}
			r.Poll.Results.Set(o.ID, pct)
			r.optLines[o.ID] = cell("pct").Line
			b.cols[o.ID] = seen["pct"]
			addOption(p.QuestionID, o, ans)
			continue
		}
		row.Poll.Results = make(poll.Shares, 0, len(answerCols))
		// every row of a question adds the same answer columns: once is enough
		optionsAdded := wideOptions[p.QuestionID]
		if !optionsAdded {
			wideOptions[p.QuestionID] = true
		}
		for k, i := range answerCols {
			o := answerOpt[k]
			l, c := line, i+1
			if lines != nil {
				l = lines[i]
			}
			if !optionsAdded {
				addOption(p.QuestionID, o, raw[i])
			}
			val := strings.TrimSpace(unmatched[canon[i]])
			if val == "" {
				continue // not reported
			}
			f, err := parsePct(val)
			if err != nil {
				rowProbs = append(rowProbs, poll.Problem{File: name, Line: l, Column: raw[i], ColNum: c,
					Message: fmt.Sprintf("%q is not a percentage (in the wide format every column that is not a known field is an answer option)", val)})
				continue
			}
			row.Poll.Results.Set(o.ID, f)
		}
		if len(rowProbs) > 0 {
			probs = appendCapped(probs, rowProbs...)
			continue
		}
		rows.add(row)
	}
	b.Rows = rows.all()
	b.Lines = guard.line
	if dataRows == 0 && len(probs) == 0 {
		fail(2, "", "no polls: the file has a header but no rows")
		return nil, &poll.Problems{List: probs}
	}
	if guard.badUTF8 { // the whole file is suspect, not one row
		return nil, &poll.Problems{List: probs}
	}
	{ // duplicate polls within one file
		first := make(map[string]int, len(b.Rows))
		for i := range b.Rows {
			p := &b.Rows[i].Poll
			p.ID = poll.PollID(p)
			k := poll.IdentityKey(p)
			if j, dup := first[k]; dup {
				probs = appendCapped(probs, poll.Problem{File: name, Line: b.Rows[i].Line,
					Message: fmt.Sprintf("duplicate row: the same poll (pollster, dates, sample size) is already on line %d", b.Rows[j].Line)})
				continue
			}
			first[k] = i
		}
	}
	b.Problems = probs
	return b, nil
}

// rowList collects rows in blocks and copies them once into one slice at
// the end. Appending to a single slice of rows (296 bytes each)
// allocated and copied about five times the final size as it grew.
type rowList struct {
	blocks [][]Row
	starts []int // index of each block's first row
	n      int
}

func (l *rowList) add(r Row) int {
	if k := len(l.blocks) - 1; k < 0 || len(l.blocks[k]) == cap(l.blocks[k]) {
		size := 64
		if k >= 0 {
			size = min(2*cap(l.blocks[k]), 4096)
		}
		l.blocks = append(l.blocks, make([]Row, 0, size))
		l.starts = append(l.starts, l.n)
	}
	k := len(l.blocks) - 1
	l.blocks[k] = append(l.blocks[k], r)
	l.n++
	return l.n - 1
}

func (l *rowList) at(i int) *Row {
	k := sort.SearchInts(l.starts, i+1) - 1
	return &l.blocks[k][i-l.starts[k]]
}

// all returns the rows in order, nil when there are none.
func (l *rowList) all() []Row {
	if l.n == 0 {
		return nil
	}
	out := make([]Row, 0, l.n)
	for _, b := range l.blocks {
		out = append(out, b...)
	}
	return out
}

func appendCapped(list []poll.Problem, ps ...poll.Problem) []poll.Problem {
	for _, p := range ps {
		if len(list) >= MaxProblems {
			break
		}
		list = append(list, p)
	}
	return list
}

func sameHeader(a, b *poll.Poll) bool {
	return a.QuestionID == b.QuestionID && a.Pollster == b.Pollster && a.Start == b.Start && a.End == b.End && a.SampleSize == b.SampleSize
}

// cleanText trims s and drops control characters other than tab and newline.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool { return (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f }

// parseCount reads a whole number such as 1002, "1,002" or "1002명".
func parseCount(s string) (int, error) {
	s = strings.TrimSuffix(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), "명")
	return strconv.Atoi(strings.TrimSpace(s))
}

// parsePct reads a percentage such as 41.9, "41.9%", "±3.1%p". It rejects
// NaN and infinities.
func parsePct(s string) (float64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "±")
	s = strings.TrimPrefix(s, "+-")
	s = strings.TrimSuffix(s, "%p")
	s = strings.TrimSuffix(s, "%")
	s = strings.TrimSuffix(s, "%P")
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	return f, nil
}

// parseLabels reads "support=agree, for national interest; oppose=disagree".
func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: write option=label pairs separated by ';' (e.g. support=agree; oppose=disagree)", part)
		}
		o, ok := poll.CanonicalOption(k)
		if !ok {
			return nil, fmt.Errorf("%q is not an answer option", strings.TrimSpace(k))
		}
		out[o.ID] = cleanText(v)
	}
	return out, nil
}
