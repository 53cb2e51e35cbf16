package pollcsv_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"

	"github.com/pollagg/pollagg/pollcsv"
)

// encodeFixture re-encodes testdata/korean.csv (UTF-8 with a BOM, Korean
// headers and pollster names) as Korean Excel or Excel's "Unicode text"
// would save it: the fixtures of the encoding tests.
func encodeFixture(t *testing.T, enc encoding.Encoding) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/korean.csv")
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.TrimPrefix(src, []byte("\xEF\xBB\xBF"))
	out, err := enc.NewEncoder().Bytes(src)
	if err != nil {
		t.Fatalf("encoding the fixture: %v", err)
	}
	return out
}

func TestReadEncodingsGolden(t *testing.T) {
	utf8Src, _ := os.ReadFile("testdata/korean.csv")
	base, err := pollcsv.Read("korean.csv", bytes.NewReader(utf8Src), pollcsv.Options{QuestionID: "kr-q"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		golden, enc string
		data        []byte
	}{
		{"cp949.golden", pollcsv.EncodingCP949, encodeFixture(t, korean.EUCKR)},
		{"utf16le.golden", pollcsv.EncodingUTF16LE, encodeFixture(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM))},
		{"utf16be.golden", pollcsv.EncodingUTF16BE, encodeFixture(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM))},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			if tt.enc == pollcsv.EncodingCP949 && bytes.Equal(tt.data, bytes.TrimPrefix(utf8Src, []byte("\xEF\xBB\xBF"))) {
				t.Fatal("the CP949 fixture is the UTF-8 file")
			}
			b, err := pollcsv.Read("korean.csv", bytes.NewReader(tt.data), pollcsv.Options{QuestionID: "kr-q"})
			if err != nil {
				t.Fatal(err)
			}
			if b.Encoding != tt.enc {
				t.Errorf("encoding %q, want %q", b.Encoding, tt.enc)
			}
			checkGolden(t, tt.golden, dumpBatch(b))
			// the same polls, lines and labels as the UTF-8 file
			g, u := dumpBatch(b), dumpBatch(base)
			g.Encoding = ""
			if a, c := mustJSON(t, g), mustJSON(t, u); a != c {
				t.Errorf("read differently from the UTF-8 file:\n%s\n%s", a, c)
			}
		})
	}
}

func TestReadEncodingDetection(t *testing.T) {
	head := "question_id,pollster,start_date,end_date,sample_size,support,oppose\n"
	cp := func(s string) string {
		b, err := korean.EUCKR.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name, text, enc string
		want            []string // problems (prefixes)
	}{
		{"UTF-8 Korean stays UTF-8", head + "q,한국갤럽,2023-03-01,2023-03-02,1000,40,55\n", "", nil},
		// bytes that are valid UTF-8 and would also decode as CP949 (a
		// Hangul syllable in UTF-8 is three bytes CP949 reads as 1.5
		// characters): UTF-8 wins
		{"UTF-8 never misread", head + "q,가나다라마바,2023-03-01,2023-03-02,1000,40,55\n", "", nil},
		{"CP949", head + "q," + cp("리얼미터") + ",2023-03-01,2023-03-02,1000,40,55\n", pollcsv.EncodingCP949, nil},
		{"CP949 extension (UHC) syllable", head + "q," + cp("똠방각하") + ",2023-03-01,2023-03-02,1000,40,55\n", pollcsv.EncodingCP949, nil},
		{"neither", head + "q,Caf\xe9 \xff,2023-03-01,2023-03-02,1000,40,55\n", "", []string{"f.csv:2: file is not UTF-8 text"}},
		// past the part detection looks at (64 KB)
		{"CP949 then invalid bytes later", head + "q," + cp("한국") + ",2023-03-01,2023-03-02,1000,40,55\n" + manyRows(2000) + "q,\x80\x80,2023-03-01,2023-03-02,1000,40,55\n",
			pollcsv.EncodingCP949, []string{"f.csv:2003: the file reads as cp949 up to here"}},
		{"UTF-16 without a byte-order mark", string(utf16NoBOM("question_id,pollster\nq,A\n")), "", []string{"f.csv:1: the file looks like UTF-16 text without a byte-order mark"}},
		{"UTF-16 bad surrogate", "\xff\xfe" + "q\x00,\x00\x00\xd8", pollcsv.EncodingUTF16LE, []string{"f.csv:1: the file reads as utf-16le"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := read(t, tt.text, pollcsv.Options{})
			if len(tt.want) == 0 {
				if len(probs) > 0 {
					t.Fatalf("problems %q", probs)
				}
				if b.Encoding != tt.enc {
					t.Errorf("encoding %q, want %q", b.Encoding, tt.enc)
				}
				return
			}
			if len(probs) != len(tt.want) {
				t.Fatalf("problems %q, want %q", probs, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(probs[i], w) {
					t.Errorf("problem %q, want %q", probs[i], w)
				}
			}
		})
	}
}

// A CP949 file whose first 64 KB are plain ASCII is UTF-8 as far as
// detection goes: its Korean bytes further on are refused with the advice,
// never read as something else.
func TestReadEncodingLateKorean(t *testing.T) {
	var b strings.Builder
	b.WriteString("question_id,pollster,start_date,end_date,sample_size,support,oppose\n")
	for b.Len() < 70<<10 {
		b.WriteString("q,Ascii Research,2023-03-01,2023-03-02,1000,40,55\n")
	}
	kr, _ := korean.EUCKR.NewEncoder().String("한국갤럽")
	b.WriteString("q," + kr + ",2023-03-05,2023-03-06,1000,40,55\n")
	_, probs := read(t, b.String(), pollcsv.Options{})
	if len(probs) != 1 || !strings.Contains(probs[0], "file is not UTF-8 text") {
		t.Fatalf("problems %q", probs)
	}
}

func TestDecodeText(t *testing.T) {
	kr, _ := korean.EUCKR.NewEncoder().String("조사기관,찬성\n한국갤럽,35\n")
	text, enc, ok := pollcsv.DecodeText([]byte(kr))
	if !ok || enc != pollcsv.EncodingCP949 || string(text) != "조사기관,찬성\n한국갤럽,35\n" {
		t.Errorf("DecodeText = %q, %q, %v", text, enc, ok)
	}
	if _, _, ok := pollcsv.DecodeText([]byte("a,\xff\n")); ok {
		t.Error("undecodable bytes decoded")
	}
}

// manyRows returns n distinct poll rows (about 40 bytes each).
func manyRows(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "q,A,2023-03-01,2023-03-02,%d,40,55\n", 1000+i)
	}
	return b.String()
}

func utf16NoBOM(s string) []byte {
	var out []byte
	for _, c := range []byte(s) {
		out = append(out, c, 0)
	}
	return out
}
