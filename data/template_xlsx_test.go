package data_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// updateTemplate rewrites data/template.xlsx from template.csv:
//
//	go test ./data -run TestTemplateXLSX -update-template
var updateTemplate = flag.Bool("update-template", false, "rewrite template.xlsx from template.csv")

// buildTemplateXLSX makes the Excel template from template.csv: the same
// header row and example row, on a sheet named "Polls", with the dates as
// Excel dates (yyyy-mm-dd), the numbers as numbers, and a drop-down (data
// validation) of the modes pollagg knows on the mode column.
func buildTemplateXLSX(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("template.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("template.csv: %d records, %v", len(recs), err)
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Polls"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	dateFmt := "yyyy-mm-dd"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	header, example := recs[0], recs[1]
	modeCol := ""
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sheet, cell, h)
		f.SetCellStyle(sheet, cell, cell, bold)
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, col, col, float64(max(12, min(40, len(h)+4))))
		v := example[i]
		cell, _ = excelize.CoordinatesToCellName(i+1, 2)
		switch {
		case h == "start_date" || h == "end_date":
			d, err := poll.ParseDate(v)
			if err != nil {
				t.Fatal(err)
			}
			f.SetCellValue(sheet, cell, d.Time())
			f.SetCellStyle(sheet, cell, cell, dateStyle)
		case h == "mode":
			modeCol = col
			f.SetCellStr(sheet, cell, v)
		case h != "poll_id" && h != "registry_id" && isNumber(v):
			x, _ := strconv.ParseFloat(v, 64)
			f.SetCellFloat(sheet, cell, x, -1, 64)
		default:
			f.SetCellStr(sheet, cell, v)
		}
	}
	if modeCol == "" {
		t.Fatal("template.csv has no mode column")
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = modeCol + "2:" + modeCol + "1000"
	var modes []string
	for _, m := range poll.Modes {
		if m != poll.ModeUnknown {
			modes = append(modes, string(m))
		}
	}
	if err := dv.SetDropList(modes); err != nil {
		t.Fatal(err)
	}
	dv.SetError(excelize.DataValidationErrorStyleWarning, "mode", "Use one of: "+strings.Join(modes, ", "))
	if err := f.AddDataValidation(sheet, dv); err != nil {
		t.Fatal(err)
	}
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// TestTemplateXLSX checks that the shipped template.xlsx is what
// buildTemplateXLSX makes from template.csv, that pollagg reads it as the
// CSV template, and that its mode column carries the drop-down.
func TestTemplateXLSX(t *testing.T) {
	want := buildTemplateXLSX(t)
	if *updateTemplate {
		if err := os.WriteFile("template.xlsx", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("template.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("template.xlsx differs from what template.csv makes: go test ./data -run TestTemplateXLSX -update-template")
	}
	x, err := pollcsv.ReadXLSX("template.xlsx", bytes.NewReader(got), pollcsv.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile("template.csv")
	c, err := pollcsv.Read("template.csv", bytes.NewReader(raw), pollcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Rows) != 1 || len(c.Rows) != 1 || len(x.Problems)+len(c.Problems) != 0 {
		t.Fatalf("rows: xlsx %d (%v), csv %d (%v)", len(x.Rows), x.Problems, len(c.Rows), c.Problems)
	}
	xp, cp := x.Rows[0].Poll, c.Rows[0].Poll
	if xp.ID != cp.ID || xp.Start != cp.Start || xp.End != cp.End || xp.SampleSize != cp.SampleSize || xp.Mode != cp.Mode ||
		xp.Pollster != cp.Pollster || *xp.MarginOfError != *cp.MarginOfError || len(xp.Results) != len(cp.Results) {
		t.Errorf("the workbook reads as %+v, the CSV as %+v", xp, cp)
	}
	for _, r := range cp.Results {
		if k, v := r.Option, r.Pct; xp.Results.Pct(k) != v {
			t.Errorf("%s: %v in the workbook, %v in the CSV", k, xp.Results.Pct(k), v)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if typ, _ := f.GetCellType("Polls", "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("start_date cell type %v, want a number (an Excel date)", typ)
	}
	dvs, err := f.GetDataValidations("Polls")
	if err != nil || len(dvs) != 1 {
		t.Fatalf("data validations %v, %v", dvs, err)
	}
	if !strings.HasPrefix(dvs[0].Sqref, "I2:") || !strings.Contains(dvs[0].Formula1, "phone-ARS") {
		t.Errorf("validation on %s with %s, want the mode column I with the modes", dvs[0].Sqref, dvs[0].Formula1)
	}
}
