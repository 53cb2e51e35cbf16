package pollcsv

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/pollagg/pollagg/poll"
)

// Workbook limits. A workbook is read whole into memory (the body limit
// of an upload caps that), but what it inflates to is capped here:
// excelize's own default would let a 16 GB zip bomb through.
const (
	// XLSXUnzipLimit caps the total unpacked size of a workbook's parts.
	XLSXUnzipLimit = 64 << 20
	// XLSXUnzipXMLLimit is the size past which excelize unpacks a sheet's
	// XML to a temporary file instead of memory.
	XLSXUnzipXMLLimit = 16 << 20
	// XLSXMaxRows is the highest sheet row read: a poll file has some
	// thousands.
	XLSXMaxRows = 200_000
	// XLSXMaxEmptyRun ends a sheet: after this many empty rows in a row
	// the rest is taken as empty (a sheet can hold a million styled, empty
	// rows that cost time to walk).
	XLSXMaxEmptyRun = 1000
)

// XLSXMediaType is the media type of an .xlsx workbook.
const XLSXMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Kinds of workbook refusal, for errors.Is on a *WorkbookError.
var (
	ErrNotWorkbook       = errors.New("not an .xlsx workbook")
	ErrOldExcel          = errors.New("old binary Excel workbook (.xls)")
	ErrMacroWorkbook     = errors.New("workbook with macros")
	ErrEncryptedWorkbook = errors.New("password-protected workbook")
	ErrWorkbookTooLarge  = errors.New("workbook unpacks past the size limit")
)

// WorkbookError refuses a whole workbook: Kind says why (one of the Err…
// values above), Msg tells the user what to do.
type WorkbookError struct {
	Kind error
	Msg  string
}

func (e *WorkbookError) Error() string { return e.Msg }
func (e *WorkbookError) Unwrap() error { return e.Kind }

// XLSXOptions tells ReadXLSX which sheet to read and how to place rows.
type XLSXOptions struct {
	Options
	// Sheet names the sheet to read; "" is the first.
	Sheet string
	// UnzipLimit overrides XLSXUnzipLimit when positive (tests).
	UnzipLimit int64
}

// oleSignature starts every OLE compound file: an .xls workbook, or an
// .xlsx encrypted with a password.
var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// zipSignature starts a zip archive (an .xlsx is one).
var zipSignature = []byte("PK\x03\x04")

// IsWorkbook reports whether head (the start of a file) is a zip archive
// or an OLE compound file: an Excel workbook, new or old, rather than text.
func IsWorkbook(head []byte) bool {
	return bytes.HasPrefix(head, zipSignature) || bytes.HasPrefix(head, oleSignature)
}

// ReadXLSX reads one sheet of an .xlsx workbook as Read reads a CSV: the
// sheet's first non-empty row is the header, and the same three formats
// are told apart by it. Every problem is placed by the sheet's own row
// number (Problem.Sheet names the sheet, so it prints as
// FILE:SHEET!ROW: column: message).
//
// Cells are read as stored: a formula as its cached value, a number as
// its digits. A number in a start_date or end_date column whose format is
// a date is the Excel date it stands for; a date typed as text is read as
// text dates are in a CSV. A number formatted as a percentage (0.398
// shown as 39.8%) is read as the percentage shown.
//
// It refuses, with a *WorkbookError, a file that is not an .xlsx
// workbook, an old .xls, a workbook with macros (.xlsm), a
// password-protected one, and one that unpacks past XLSXUnzipLimit. A
// missing sheet is a poll.EINVALID error; problems of the sheet are a
// *poll.Problems, as with Read.
func ReadXLSX(name string, r io.Reader, opt XLSXOptions) (batch *Batch, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("pollcsv: reading %s: %w", name, err)
	}
	sh, err := openSheet(data, opt)
	if err != nil {
		return nil, err
	}
	sheet, text, rowOf, probs := sh.name, sh.text, sh.rowOf, sh.probs
	place := func(p *poll.Problem) {
		p.Sheet = sheet
		if p.Line >= 1 && p.Line <= len(rowOf) {
			p.Line = rowOf[p.Line-1]
		} else if p.Line > len(rowOf) && len(rowOf) > 0 {
			p.Line = rowOf[len(rowOf)-1] + 1
		}
	}
	for i := range probs {
		probs[i].File = name
		place(&probs[i])
	}
	if len(probs) > 0 {
		return nil, &poll.Problems{List: probs}
	}
	b, err := Read(name, bytes.NewReader(text), opt.Options)
	if err != nil {
		var ps *poll.Problems
		if errors.As(err, &ps) {
			for i := range ps.List {
				place(&ps.List[i])
			}
		}
		return nil, err
	}
	b.Sheet = sheet
	for i := range b.Problems {
		place(&b.Problems[i])
	}
	row := func(l int) int {
		if l >= 1 && l <= len(rowOf) {
			return rowOf[l-1]
		}
		return l
	}
	for i := range b.Rows {
		r := &b.Rows[i]
		r.Line = row(r.Line)
		for j := range r.lines {
			r.lines[j] = row(r.lines[j])
		}
		for k, l := range r.optLines {
			r.optLines[k] = row(l)
		}
	}
	if len(rowOf) > 0 {
		b.Lines = rowOf[len(rowOf)-1]
	}
	return b, nil
}

// SheetText is one sheet of a workbook as the CSV text ReadXLSX reads
// (one record per non-empty row, Excel dates as YYYY-MM-DD), with the
// sheet row of each of its lines: for showing a workbook as a table.
type SheetText struct {
	Sheet string
	Text  []byte
	RowOf []int // RowOf[i] is the sheet row of the text's line i+1
}

// ReadSheetText returns the sheet of data that ReadXLSX with opt would read, as
// text; it fails as ReadXLSX does for a workbook it refuses.
func ReadSheetText(data []byte, opt XLSXOptions) (*SheetText, error) {
	sh, err := openSheet(data, opt)
	if err != nil {
		return nil, err
	}
	return &SheetText{Sheet: sh.name, Text: sh.text, RowOf: sh.rowOf}, nil
}

// openedSheet is a sheet read out of a workbook.
type openedSheet struct {
	name  string
	text  []byte
	rowOf []int
	probs []poll.Problem // layout problems, placed on the text's lines
}

// openSheet checks and opens a workbook and reads the sheet opt names.
func openSheet(data []byte, opt XLSXOptions) (sh *openedSheet, err error) {
	// excelize parses hostile input; a panic in it is a file that cannot
	// be read, not a crash
	defer func() {
		if p := recover(); p != nil {
			sh, err = nil, &WorkbookError{ErrNotWorkbook, fmt.Sprintf("the file cannot be read as an .xlsx workbook (%v): save it again from Excel, or as CSV UTF-8", p)}
		}
	}()
	if err := checkWorkbook(data); err != nil {
		return nil, err
	}
	limit := int64(XLSXUnzipLimit)
	if opt.UnzipLimit > 0 {
		limit = opt.UnzipLimit
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: limit, UnzipXMLSizeLimit: min(limit, XLSXUnzipXMLLimit),
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, &WorkbookError{ErrWorkbookTooLarge, fmt.Sprintf(
				"the workbook unpacks to more than %s: pollagg refuses it; save the sheet as CSV UTF-8 or split it", sizeText(limit))}
		}
		return nil, &WorkbookError{ErrNotWorkbook, fmt.Sprintf("the file cannot be read as an .xlsx workbook (%v): save it again from Excel, or as CSV UTF-8", err)}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	sheet := opt.Sheet
	if sheet == "" {
		if len(sheets) == 0 {
			return nil, &WorkbookError{ErrNotWorkbook, "the workbook has no sheets"}
		}
		sheet = sheets[0]
	} else if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		return nil, poll.Errorf(poll.EINVALID, "the workbook has no sheet %q; its sheets are: %s", sheet, quoteList(sheets))
	}
	text, rowOf, probs, err := sheetCSV(f, sheet)
	if err != nil {
		return nil, &WorkbookError{ErrNotWorkbook, fmt.Sprintf("sheet %q cannot be read as a table of cells: %v", sheet, err)}
	}
	return &openedSheet{name: sheet, text: text, rowOf: rowOf, probs: probs}, nil
}

// checkWorkbook refuses what is not an .xlsx before excelize reads it:
// an OLE file (.xls, or an encrypted .xlsx), a zip without a workbook,
// and a workbook with a VBA project.
func checkWorkbook(data []byte) error {
	if bytes.HasPrefix(data, oleSignature) {
		if bytes.Contains(data, utf16le("EncryptionInfo")) || bytes.Contains(data, utf16le("EncryptedPackage")) {
			return &WorkbookError{ErrEncryptedWorkbook,
				"the workbook is password-protected: pollagg cannot open it; remove the password (File › Info › Protect Workbook) and save it again"}
		}
		return &WorkbookError{ErrOldExcel,
			"this is an old Excel 97–2003 workbook (.xls): save it as an Excel workbook (.xlsx) or as CSV UTF-8"}
	}
	if !bytes.HasPrefix(data, zipSignature) {
		return &WorkbookError{ErrNotWorkbook, "the file is not an .xlsx workbook (no zip signature)"}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &WorkbookError{ErrNotWorkbook, fmt.Sprintf("the file is not a readable .xlsx workbook: %v", err)}
	}
	hasWorkbook := false
	for _, zf := range zr.File {
		n := strings.ToLower(zf.Name)
		switch {
		case strings.HasSuffix(n, "vbaproject.bin"):
			return &WorkbookError{ErrMacroWorkbook,
				"the workbook holds macros (.xlsm): pollagg does not take workbooks with code; save it as an Excel workbook (.xlsx) without macros, or as CSV UTF-8"}
		case n == "xl/workbook.xml":
			hasWorkbook = true
		}
	}
	if !hasWorkbook {
		return &WorkbookError{ErrNotWorkbook, "the zip file holds no Excel workbook (xl/workbook.xml)"}
	}
	return nil
}

// sheetCSV writes sheet as CSV text, one record per non-empty row (rows
// before the header and empty rows left out), and returns for each
// physical line of the text the sheet row it came from. Problems of the
// sheet's layout (merged or empty header cells, too many rows) come back
// as problems placed on the CSV's lines.
func sheetCSV(f *excelize.File, sheet string) ([]byte, []int, []poll.Problem, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	var (
		buf              bytes.Buffer
		w                = csv.NewWriter(&buf)
		rowOf            []int
		probs            []poll.Problem
		header           []string
		headerRow, empty int
		dates            = map[int]bool{}
		styles           = map[int]cellFormat{}
	)
	n := 0
	for rows.Next() {
		n++
		if n > XLSXMaxRows {
			probs = append(probs, poll.Problem{Line: len(rowOf) + 1, Message: fmt.Sprintf(
				"the sheet has more than %s rows: split it into smaller files", groupDigits(XLSXMaxRows))})
			break
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, nil, err
		}
		for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) == 0 {
			empty++
			if empty >= XLSXMaxEmptyRun {
				break
			}
			continue
		}
		empty = 0
		if header == nil {
			header, headerRow = cells, n
			for i, h := range header {
				switch canonicalHeader(h) {
				case "start_date", "end_date":
					dates[i] = true
				}
			}
		} else {
			for len(cells) < len(header) {
				cells = append(cells, "")
			}
			for i, v := range cells {
				if v == "" {
					continue
				}
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(i+1, n)
				cf := formatOf(f, sheet, ref, styles)
				switch {
				case dates[i] && cf.date:
					if d, ok := serialDate(v, f); ok {
						cells[i] = d
					}
				case cf.percent:
					if x, err := strconv.ParseFloat(v, 64); err == nil {
						cells[i] = strconv.FormatFloat(x*100, 'f', -1, 64)
					}
				}
			}
		}
		before := bytes.Count(buf.Bytes(), []byte{'\n'})
		if err := w.Write(cells); err != nil {
			return nil, nil, nil, err
		}
		w.Flush()
		for k := bytes.Count(buf.Bytes(), []byte{'\n'}) - before; k > 0; k-- {
			rowOf = append(rowOf, n)
		}
	}
	if err := rows.Error(); err != nil {
		return nil, nil, nil, err
	}
	if header != nil {
		merged, err := f.GetMergeCells(sheet, true)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, m := range merged {
			_, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
			_, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
			if err1 == nil && err2 == nil && r1 <= headerRow && headerRow <= r2 {
				probs = append(probs, poll.Problem{Line: 1, Message: fmt.Sprintf(
					"header cells %s:%s are merged: give every column its own header cell", m.GetStartAxis(), m.GetEndAxis())})
			}
		}
	}
	return buf.Bytes(), rowOf, probs, nil
}

// cellFormat is what a cell's number format says about its value.
type cellFormat struct{ date, percent bool }

// formatOf returns the number format kind of the cell ref, caching by
// style index.
func formatOf(f *excelize.File, sheet, ref string, cache map[int]cellFormat) cellFormat {
	idx, err := f.GetCellStyle(sheet, ref)
	if err != nil || idx == 0 {
		return cellFormat{}
	}
	if cf, ok := cache[idx]; ok {
		return cf
	}
	var cf cellFormat
	if st, err := f.GetStyle(idx); err == nil {
		switch id := st.NumFmt; {
		case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 45 && id <= 47, id >= 50 && id <= 58:
			cf.date = true
		case id == 9 || id == 10:
			cf.percent = true
		}
		if st.CustomNumFmt != nil {
			cf = customFormat(*st.CustomNumFmt)
		}
	}
	cache[idx] = cf
	return cf
}

// customFormat reads a custom number format code such as "yyyy-mm-dd" or
// "0.0%": quoted text and [colour] sections aside, a y, d or m (not
// inside h:mm alone) makes a date, a % a percentage.
func customFormat(code string) cellFormat {
	var plain strings.Builder
	quoted, bracket := false, false
	for _, r := range code {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case bracket:
		default:
			plain.WriteRune(r)
		}
	}
	s := strings.ToLower(plain.String())
	return cellFormat{date: strings.ContainsAny(s, "yd") || (strings.Contains(s, "m") && !strings.Contains(s, "h")),
		percent: strings.Contains(s, "%")}
}

// serialDate turns an Excel date serial into YYYY-MM-DD.
func serialDate(v string, f *excelize.File) (string, bool) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 1 || x > 2958465 {
		return "", false
	}
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	t, err := excelize.ExcelDateToTime(x, date1904)
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func utf16le(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		out = append(out, c, 0)
	}
	return out
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
