package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"
)

func writeBytes(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// cliWorkbook is a long-format workbook with a "Notes" sheet first and the
// polls on "Polls", dates typed as Excel dates.
func cliWorkbook(t *testing.T, pct any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "Notes")
	f.SetCellValue("Notes", "A1", "see the Polls sheet")
	f.NewSheet("Polls")
	dateFmt := "yyyy-mm-dd"
	st, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	rows := [][]any{
		strs(strings.Split(strings.TrimSpace(longHead), ",")),
		{"x1", "Excel Research", "", time.Date(2023, 3, 11, 0, 0, 0, 0, time.UTC), time.Date(2023, 3, 12, 0, 0, 0, 0, time.UTC), 1000, "a", "Online", "xlsx-q", "support", 40},
		{"x1", "Excel Research", "", time.Date(2023, 3, 11, 0, 0, 0, 0, time.UTC), time.Date(2023, 3, 12, 0, 0, 0, 0, time.UTC), 1000, "a", "Online", "xlsx-q", "oppose", pct},
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Polls", cell, v)
			if _, ok := v.(time.Time); ok {
				f.SetCellStyle("Polls", cell, cell, st)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func TestImportCommand_Formats(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	// CP949 and UTF-16, with the note
	kr := "조사기관,조사시작일,조사종료일,표본수,찬성,반대\n한국리서치,2023-03-07,2023-03-08,1000,39.8,53.1\n"
	cp, _ := korean.EUCKR.NewEncoder().String(kr)
	cpFile := writeBytes(t, dir, "cp949.csv", []byte(cp))
	code, out, errs := runCmd(t, "import", "--db", db, "--question", "kr-q", cpFile)
	if code != 0 || !strings.Contains(out, "1 added") || !strings.Contains(out, "read as CP949/EUC-KR") {
		t.Fatalf("CP949: %d %q %q", code, out, errs)
	}
	u16 := []byte{0xFF, 0xFE}
	for _, r := range strings.ReplaceAll(kr, "한국리서치", "리얼미터") {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	code, out, errs = runCmd(t, "import", "--db", db, "--question", "kr-q", writeBytes(t, dir, "u16.csv", u16))
	if code != 0 || !strings.Contains(out, "1 added") || !strings.Contains(out, "read as UTF-16LE") {
		t.Fatalf("UTF-16: %d %q %q", code, out, errs)
	}
	// a workbook: --sheet, and problems placed by sheet row
	good := writeBytes(t, dir, "good.xlsx", cliWorkbook(t, 55))
	bad := writeBytes(t, dir, "bad.xlsx", cliWorkbook(t, "abc"))
	before := fileSum(t, db)
	code, _, errs = runCmd(t, "import", "--db", db, bad)
	if code != 1 || !strings.Contains(errs, "no question_id column") && !strings.Contains(errs, "Notes!1") {
		t.Fatalf("the first sheet (Notes) is read by default: %d %q", code, errs)
	}
	code, _, errs = runCmd(t, "import", "--db", db, "--sheet", "Polls", bad)
	if code != 1 || !strings.Contains(errs, bad+`:Polls!3: pct: "abc" is not a percentage`) {
		t.Fatalf("bad sheet: %d %q", code, errs)
	}
	code, _, errs = runCmd(t, "import", "--db", db, "--sheet", "Nope", good)
	if code != 1 || !strings.Contains(errs, `no sheet "Nope"; its sheets are: "Notes", "Polls"`) {
		t.Fatalf("missing sheet: %d %q", code, errs)
	}
	if fileSum(t, db) != before {
		t.Fatal("a refused workbook changed the database")
	}
	code, out, errs = runCmd(t, "import", "--db", db, "--sheet", "Polls", good)
	if code != 0 || !strings.Contains(out, `1 added, 0 changed, 0 unchanged (sheet "Polls")`) {
		t.Fatalf("good workbook: %d %q %q", code, out, errs)
	}
	// refused whole: .xls
	xls := writeBytes(t, dir, "old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...))
	code, _, errs = runCmd(t, "import", "--db", db, xls)
	if code != 1 || !strings.Contains(errs, "old Excel 97–2003 workbook (.xls)") {
		t.Fatalf(".xls: %d %q", code, errs)
	}
	if code, _, errs = runCmd(t, "import", "--db", db, "--sheet", "Polls", cpFile); code != 1 || !strings.Contains(errs, "not a workbook") {
		t.Fatalf("--sheet on a CSV: %d %q", code, errs)
	}
}

// The bad-input holes on the command line: every one refused at its line,
// nothing stored.
func TestImportCommand_BadInputHoles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if code, _, errs := runCmd(t, "import", "--db", db, writeFile(t, dir, "ok.csv", longHead+"o1,Ok,,2023-03-01,2023-03-02,1000,a,Online,ok-q,support,40\no1,Ok,,2023-03-01,2023-03-02,1000,a,Online,ok-q,oppose,55\n")); code != 0 {
		t.Fatal(errs)
	}
	before := fileSum(t, db)
	long := strings.Repeat("P", 100<<10)
	files := []struct {
		name, text string
		want       []string
	}{
		{"nul.csv", longHead + "n1,Nul\x00 Research,,2023-03-01,2023-03-02,1000,a,Online,nul-q,support,40\nn1,Nul\x00 Research,,2023-03-01,2023-03-02,1000,a,Online,nul-q,oppose,55\n",
			[]string{"nul.csv:2: pollster: holds the control character U+0000", "nul.csv:3: pollster: holds the control character U+0000"}},
		{"split.csv", longHead + "s1,First Research,,2023-03-01,2023-03-02,1000,a,Online,split-q,support,40\ns1,Second Research,,2023-03-01,2023-03-02,1000,a,Online,split-q,oppose,55\n",
			[]string{`split.csv:3: poll_id: poll_id "s1" is given for two pollsters: "First Research" on line 2 and "Second Research" on line 3`}},
		{"long.csv", longHead + "l1," + long + ",,2023-03-01,2023-03-02,1000,a,Online,l-q,support,40\nl2,Fine,,2023-03-01,2023-03-02,1000,a,Online,l-q,support,40\nl3,Fine,," + long + ",2023-03-02,1000,a,Online,l-q,support,40\n",
			[]string{"long.csv:2: pollster: is 102,400 bytes long", "long.csv:4: start_date: is 102,400 bytes long"}},
	}
	for _, f := range files {
		p := writeFile(t, dir, f.name, f.text)
		code, out, errs := runCmd(t, "import", "--db", db, p)
		if code != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %q", f.name, code, out)
		}
		for _, w := range f.want {
			if !strings.Contains(errs, filepath.Join(dir, w)) {
				t.Errorf("%s: stderr lacks %q:\n%.2000s", f.name, w, errs)
			}
		}
		if len(errs) > 5000 {
			t.Errorf("%s: %d bytes of errors: the long cell is echoed", f.name, len(errs))
		}
	}
	if fileSum(t, db) != before {
		t.Fatal("a refused file changed the database")
	}
}
