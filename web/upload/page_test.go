package upload

import (
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

func TestBuildPreview(t *testing.T) {
	data := "\xEF\xBB\xBFpollster,start_date,pct\n" +
		"Alpha,2023-03-01,40\n" +
		"Beta,2023-03-02,abc\n" +
		"\"Gamma\nResearch\",2023-03-03,41\n"
	probs := []poll.Problem{
		{Line: 3, Column: "pct", Message: "not a number"},
		{Line: 2, ColNum: 2, Message: "bad date"},
		{Line: 4, Message: "row problem"},
		{Line: 5, Column: "sponsor", Message: "named column not in the file"},
		{Line: 1, Column: "pct", Message: "header problem"},
		{Line: 1, Message: "file problem"},
	}
	tb := buildPreview([]byte(data), probs)
	if tb == nil {
		t.Fatal("buildPreview=nil")
	}
	if got, want := len(tb.Header), 3; got != want {
		t.Fatalf("header cells=%d, want %d", got, want)
	}
	if got, want := tb.Header[0].Text, "pollster"; got != want {
		t.Errorf("header[0]=%q, want %q (the BOM dropped)", got, want)
	}
	if !tb.Header[2].Bad || tb.Header[2].Notes[0] != "header problem" {
		t.Errorf("header pct=%+v, want the header problem", tb.Header[2])
	}
	if got, want := len(tb.Rows), 3; got != want {
		t.Fatalf("rows=%d, want %d", got, want)
	}
	if r := tb.Rows[0]; !r.Bad || !r.Cells[1].Bad || r.Cells[1].Notes[0] != "bad date" {
		t.Errorf("row 2=%+v, want the date cell marked", r)
	}
	if r := tb.Rows[1]; !r.Bad || !r.Cells[2].Bad || r.Cells[2].Column != "pct" || r.Cells[0].Bad {
		t.Errorf("row 3=%+v, want only the pct cell marked", r)
	}
	// the quoted field spans lines 4 and 5: both belong to the record
	if r := tb.Rows[2]; r.Line != 4 || !r.Bad || len(r.Notes) != 2 ||
		r.Notes[0] != "row problem" || r.Notes[1] != "sponsor: named column not in the file" {
		t.Errorf("row 4=%+v, want line 4 with two row notes", r)
	}
	if len(tb.Unplaced) != 1 || tb.Unplaced[0].Message != "file problem" {
		t.Errorf("unplaced=%+v, want the file problem alone", tb.Unplaced)
	}
}

func TestBuildPreview_HiddenRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := 0; i < previewMaxRows+7; i++ {
		b.WriteString("1,2\n")
	}
	last := previewMaxRows + 7 + 1 // the file's last line
	tb := buildPreview([]byte(b.String()), []poll.Problem{{Line: last, Column: "b", Message: "hidden"}})
	if got, want := len(tb.Rows), previewMaxRows; got != want {
		t.Errorf("rows=%d, want %d", got, want)
	}
	if got, want := tb.Hidden, 7; got != want {
		t.Errorf("hidden=%d, want %d", got, want)
	}
	if len(tb.Unplaced) != 1 || tb.Unplaced[0].Message != "hidden" {
		t.Errorf("unplaced=%+v, want the hidden row's problem", tb.Unplaced)
	}
}

func TestBuildPreview_NotText(t *testing.T) {
	if tb := buildPreview([]byte{0xff, 0xfe, 0x00, 'a'}, nil); tb != nil {
		t.Errorf("buildPreview of bytes that are not UTF-8=%+v, want nil", tb)
	}
	if tb := buildPreview(nil, nil); tb != nil {
		t.Errorf("buildPreview of nothing=%+v, want nil", tb)
	}
}

func TestShorten(t *testing.T) {
	if got, want := shorten("가나다라", 4), "가나다라"; got != want {
		t.Errorf("shorten=%q, want %q", got, want)
	}
	if got, want := shorten("가나다라마", 4), "가나다라…"; got != want {
		t.Errorf("shorten=%q, want %q", got, want)
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{900, "900 bytes"},
		{1 << 10, "1 KB"},
		{512 << 10, "512 KB"},
		{10 << 20, "10 MB"},
		{3 << 19, "1.5 MB"},
	}
	for _, tt := range tests {
		if got := byteSize(tt.n); got != tt.want {
			t.Errorf("byteSize(%d)=%q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"plain", "polls.csv", "polls.csv"},
		{"unix path", "/home/me/polls.csv", "polls.csv"},
		{"windows path", `C:\Users\me\여론조사.csv`, "여론조사.csv"},
		{"control characters", "po\x00ll\ns.csv", "polls.csv"},
		{"empty", "", "upload.csv"},
		{"dot", ".", "upload.csv"},
		{"slash", "/", "upload.csv"},
		{"long", strings.Repeat("가", 100), strings.Repeat("가", 66)}, // 200 bytes at most, whole runes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanFileName(tt.input); got != tt.want {
				t.Errorf("cleanFileName(%q)=%q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

func TestSheetParam(t *testing.T) {
	if got, err := sheetParam("  2023년 3월 "); err != nil || got != "2023년 3월" {
		t.Errorf("sheetParam=%q, %v", got, err)
	}
	for _, bad := range []string{"a\tb", strings.Repeat("x", 101)} {
		if _, err := sheetParam(bad); poll.ErrorCode(err) != poll.EINVALID {
			t.Errorf("sheetParam(%q) err=%v, want EINVALID", bad, err)
		}
	}
}

func TestEncodingName(t *testing.T) {
	tests := []struct{ enc, want string }{
		{pollcsv.EncodingCP949, "CP949 (EUC-KR)"},
		{pollcsv.EncodingUTF16LE, "UTF-16"},
		{pollcsv.EncodingUTF16BE, "UTF-16"},
		{"latin1", "LATIN1"},
	}
	for _, tt := range tests {
		if got := (previewData{Encoding: tt.enc}).EncodingName(); got != tt.want {
			t.Errorf("EncodingName(%q)=%q, want %q", tt.enc, got, tt.want)
		}
	}
}
