package pollcsv_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// longHeader is the long format's header, as the workbook fixtures use it.
var longHeader = []any{"poll_id", "pollster", "sponsor", "start_date", "end_date", "sample_size", "mode", "question_id", "answer", "pct"}

// workbook makes an .xlsx with excelize: sheets in order, each a list of
// rows (nil for an empty row); a time.Time cell is typed as an Excel date
// with the format yyyy-mm-dd, a cell "=..." is a formula whose cached
// value is the cell after it in the row's extra map.
type sheetSpec struct {
	name string
	rows [][]any
	// formulas maps a cell (e.g. "J3") to its formula; the value written
	// there stays as its cached value.
	formulas map[string]string
	merge    [][2]string
	pctCells []string // cells formatted as 0.0%
}

func workbook(t testing.TB, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		t.Fatal(err)
	}
	pctStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	for i, sh := range sheets {
		if i == 0 {
			f.SetSheetName("Sheet1", sh.name)
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh.rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if v == nil {
					continue
				}
				if err := f.SetCellValue(sh.name, cell, v); err != nil {
					t.Fatal(err)
				}
				if _, ok := v.(time.Time); ok {
					f.SetCellStyle(sh.name, cell, cell, dateStyle)
				}
			}
		}
		for cell, formula := range sh.formulas {
			if err := f.SetCellFormula(sh.name, cell, formula); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range sh.merge {
			if err := f.MergeCell(sh.name, m[0], m[1]); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range sh.pctCells {
			f.SetCellStyle(sh.name, c, c, pctStyle)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// readX reads a workbook and returns the batch and every problem as strings.
func readX(t *testing.T, data []byte, opt pollcsv.XLSXOptions) (*pollcsv.Batch, []string, error) {
	t.Helper()
	b, err := pollcsv.ReadXLSX("f.xlsx", bytes.NewReader(data), opt)
	var probs []poll.Problem
	var pe *poll.Problems
	switch {
	case errors.As(err, &pe):
		probs = pe.List
	case err != nil:
		return nil, nil, err
	default:
		probs = b.Validate(map[string]*poll.Question{}, today)
	}
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.String()
	}
	return b, out, nil
}

// The golden workbook: a long-format sheet with dates typed as Excel
// dates and as text, a formula read as its cached value, a percentage
// cell, an empty row kept in the row numbers, on the second sheet.
func TestReadXLSXGolden(t *testing.T) {
	data := workbook(t,
		sheetSpec{name: "Notes", rows: [][]any{{"read me"}}},
		sheetSpec{name: "Polls", rows: [][]any{
			longHeader,
			{"p1", "Gallup Korea", "self", day(2023, 3, 7), day(2023, 3, 9), 1002, "phone-live", "kr-q", "support", 35},
			{"p1", "Gallup Korea", "self", day(2023, 3, 7), day(2023, 3, 9), 1002, "phone-live", "kr-q", "oppose", 59},
			nil,
			{"p2", "Realmeter", "", "2023-03-06", "2023. 3. 8.", 1006, "ARS", "kr-q", "support", 0.378},
			{"p2", "Realmeter", "", "2023-03-06", "2023. 3. 8.", 1006, "ARS", "kr-q", "oppose", 57.9},
			{"p2", "Realmeter", "", "2023-03-06", "2023. 3. 8.", 1006, "ARS", "kr-q", "undecided", 4.3},
		}, formulas: map[string]string{"J7": "100-J5*100-J6"}, pctCells: []string{"J5"}},
	)
	b, probs, err := readX(t, data, pollcsv.XLSXOptions{Sheet: "Polls"})
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v, problems %q", err, probs)
	}
	if b.Sheet != "Polls" || len(b.Rows) != 2 || b.Rows[1].Line != 5 {
		t.Errorf("sheet %q, %d rows, second at row %d; want Polls, 2, 5", b.Sheet, len(b.Rows), b.Rows[1].Line)
	}
	checkGolden(t, "xlsx_dates.golden", dumpBatch(b))
}

func TestReadXLSXProblemsPlacedBySheetRow(t *testing.T) {
	data := workbook(t, sheetSpec{name: "Polls", rows: [][]any{
		nil, // the header may start lower
		longHeader,
		{"x1", "Excel Research", "", day(2023, 3, 11), day(2023, 3, 12), 1000, "online", "xlsx-q", "support", 40},
		nil,
		{"x1", "Excel Research", "", day(2023, 3, 11), day(2023, 3, 12), 1000, "online", "xlsx-q", "oppose", "abc"},
		{"x2", "Excel Research", "", "2023-13-40", day(2023, 3, 12), 1000, "online", "xlsx-q", "oppose", 50},
		{"x3", strings.Repeat("Long Research ", 1500), "", day(2023, 3, 11), day(2023, 3, 12), 1000, "online", "xlsx-q", "oppose", 50},
	}})
	_, probs, err := readX(t, data, pollcsv.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"f.xlsx:Polls!5: pct: ", "f.xlsx:Polls!6: start_date: ", "f.xlsx:Polls!7: pollster: is 21,000 bytes long"}
	if len(probs) != len(want) {
		t.Fatalf("problems %q, want %q", probs, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(probs[i], w) {
			t.Errorf("problem %q, want %q…", probs[i], w)
		}
	}
}

func TestReadXLSXLayoutProblems(t *testing.T) {
	tests := []struct {
		name string
		spec sheetSpec
		opt  pollcsv.XLSXOptions
		want string
	}{
		{"merged header", sheetSpec{name: "S", rows: [][]any{
			{"question_id", "pollster", "", "end_date", "support", "oppose"},
			{"q", "A", day(2023, 3, 1), day(2023, 3, 2), 40, 55}}, merge: [][2]string{{"B1", "C1"}}},
			pollcsv.XLSXOptions{}, "f.xlsx:S!1: header cells B1:C1 are merged"},
		{"empty header cell", sheetSpec{name: "S", rows: [][]any{
			{"question_id", "pollster", nil, "start_date", "end_date", "support"},
			{"q", "A", "x", day(2023, 3, 1), day(2023, 3, 2), 40}}},
			pollcsv.XLSXOptions{}, "f.xlsx:S!1: column 3 has no header name"},
		{"header only", sheetSpec{name: "S", rows: [][]any{{"question_id", "pollster", "start_date", "end_date", "support"}}},
			pollcsv.XLSXOptions{}, "f.xlsx:S!2: no polls"},
		{"empty sheet", sheetSpec{name: "S"}, pollcsv.XLSXOptions{}, "f.xlsx:S!1: file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs, err := readX(t, workbook(t, tt.spec), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) == 0 || !strings.HasPrefix(probs[0], tt.want) {
				t.Fatalf("problems %q, want %q…", probs, tt.want)
			}
		})
	}
}

func TestReadXLSXSheets(t *testing.T) {
	data := workbook(t,
		sheetSpec{name: "First", rows: [][]any{{"question_id", "pollster", "start_date", "end_date", "support", "oppose"},
			{"q", "A", day(2023, 3, 1), day(2023, 3, 2), 40, 55}}},
		sheetSpec{name: "조사", rows: [][]any{{"조사기관", "조사시작일", "조사종료일", "찬성", "반대"},
			{"한국갤럽", day(2023, 3, 1), day(2023, 3, 2), 35, 59}}})
	b, probs, err := readX(t, data, pollcsv.XLSXOptions{})
	if err != nil || len(probs) > 0 || b.Sheet != "First" || b.Format != pollcsv.FormatWide {
		t.Fatalf("first sheet: %v %q %+v", err, probs, b)
	}
	b, probs, err = readX(t, data, pollcsv.XLSXOptions{Sheet: "조사", Options: pollcsv.Options{QuestionID: "kr-q"}})
	if err != nil || len(probs) > 0 || b.Format != pollcsv.FormatWideKo || b.Rows[0].Poll.Pollster != "한국갤럽" {
		t.Fatalf("named sheet: %v %q %+v", err, probs, b)
	}
	_, _, err = readX(t, data, pollcsv.XLSXOptions{Sheet: "Nope"})
	if poll.ErrorCode(err) != poll.EINVALID || !strings.Contains(err.Error(), `"First", "조사"`) {
		t.Fatalf("missing sheet: %v", err)
	}
}

// rezip copies a workbook, replacing or adding parts.
func rezip(t *testing.T, data []byte, parts map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	done := map[string]bool{}
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if p, ok := parts[f.Name]; ok {
			w.Write(p)
			done[f.Name] = true
			continue
		}
		r, _ := f.Open()
		io.Copy(w, r)
		r.Close()
	}
	for name, p := range parts {
		if !done[name] {
			w, _ := zw.Create(name)
			w.Write(p)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSXRefusals(t *testing.T) {
	good := workbook(t, sheetSpec{name: "S", rows: [][]any{{"question_id", "pollster", "start_date", "end_date", "support", "oppose"},
		{"q", "A", day(2023, 3, 1), day(2023, 3, 2), 40, 55}}})
	ole := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	enc := append(append([]byte{}, ole...), make([]byte, 512)...)
	enc = append(enc, []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00")...)
	// a zip bomb: the sheet's XML padded with 65 MB of spaces deflates to
	// about 64 KB
	bomb := zipBomb(t, good, 65<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes, not small", len(bomb))
	}
	tests := []struct {
		name string
		data []byte
		kind error
	}{
		{"xls", append(append([]byte{}, ole...), make([]byte, 1024)...), pollcsv.ErrOldExcel},
		{"encrypted", enc, pollcsv.ErrEncryptedWorkbook},
		{"xlsm", rezip(t, good, map[string][]byte{"xl/vbaProject.bin": []byte("macro")}), pollcsv.ErrMacroWorkbook},
		{"zip bomb", bomb, pollcsv.ErrWorkbookTooLarge},
		{"zip without a workbook", plainZip(t), pollcsv.ErrNotWorkbook},
		{"not a zip", []byte("question_id,pollster\n"), pollcsv.ErrNotWorkbook},
		{"truncated", good[:len(good)/2], pollcsv.ErrNotWorkbook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := pollcsv.ReadXLSX("f.xlsx", bytes.NewReader(tt.data), pollcsv.XLSXOptions{})
			var we *pollcsv.WorkbookError
			if !errors.As(err, &we) || !errors.Is(err, tt.kind) {
				t.Fatalf("err %v (%T), want %v", err, err, tt.kind)
			}
			if we.Msg == "" || time.Since(start) > 5*time.Second {
				t.Errorf("message %q after %v", we.Msg, time.Since(start))
			}
		})
	}
	// the same bomb under a smaller limit than the real one's, to show the
	// limit is what refuses it
	if _, err := pollcsv.ReadXLSX("f.xlsx", bytes.NewReader(good), pollcsv.XLSXOptions{UnzipLimit: 1024}); !errors.Is(err, pollcsv.ErrWorkbookTooLarge) {
		t.Errorf("a 1 KB limit let a %d-byte workbook through: %v", len(good), err)
	}
}

// A sheet with a long run of empty (styled) rows is read up to the run,
// quickly, not walked to its millionth row.
func TestReadXLSXEmptyRun(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{{"question_id", "pollster", "start_date", "end_date", "support", "oppose"}, {"q", "A", "2023-03-01", "2023-03-02", 40, 55}}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	st, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err := f.SetCellStyle("Sheet1", "A3", "A"+strconv.Itoa(3+pollcsv.XLSXMaxEmptyRun+10), st); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Sheet1", "B"+strconv.Itoa(3+pollcsv.XLSXMaxEmptyRun+20), "after the run")
	var buf bytes.Buffer
	f.Write(&buf)
	b, probs, err := readX(t, buf.Bytes(), pollcsv.XLSXOptions{})
	if err != nil || len(probs) > 0 || len(b.Rows) != 1 {
		t.Fatalf("err %v, problems %q, rows %d", err, probs, len(b.Rows))
	}
}

// plainZip is a zip archive that holds no workbook.
func plainZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hello"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb copies a workbook with its sheet's XML padded by n spaces (which
// deflate to about n/1000 bytes), written in chunks at the fastest level.
func zipBomb(t *testing.T, data []byte, n int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if f.Name != "xl/worksheets/sheet1.xml" {
			w.Write(b)
			continue
		}
		w.Write(bytes.Replace(b, []byte("</worksheet>"), nil, 1))
		for k := 0; k < n; k += len(chunk) {
			w.Write(chunk)
		}
		w.Write([]byte("</worksheet>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadXLSX feeds damaged workbooks to ReadXLSX: it must answer with
// a batch or an error, never panic (go test runs the seeds).
func FuzzReadXLSX(f *testing.F) {
	good := workbook(f, sheetSpec{name: "S", rows: [][]any{{"question_id", "pollster", "start_date", "end_date", "support", "oppose"},
		{"q", "A", day(2023, 3, 1), day(2023, 3, 2), 40, 55}}})
	f.Add(good)
	for _, cut := range []int{30, 100, len(good) / 3, len(good) - 22} {
		f.Add(good[:cut])
	}
	flipped := append([]byte(nil), good...)
	for i := 200; i < len(flipped); i += 97 {
		flipped[i] ^= 0x5a
	}
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := pollcsv.ReadXLSX("f.xlsx", bytes.NewReader(data), pollcsv.XLSXOptions{UnzipLimit: 4 << 20})
		if (b == nil) == (err == nil) {
			t.Fatalf("batch %v and error %v", b, err)
		}
	})
}
