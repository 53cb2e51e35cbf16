package pollcsv

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings Read recognises besides UTF-8, as Batch.Encoding names them.
const (
	EncodingCP949   = "cp949"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
)

// sniffBytes is how much of a file decides its encoding.
const sniffBytes = 64 << 10

// errBadEncoding is returned by checkedDecoder when the decoded text holds
// a replacement character: the bytes were not valid in the encoding.
var errBadEncoding = errors.New("invalid bytes for the detected encoding")

// detectEncoding looks at the start of br and returns the reader of its
// text as UTF-8, with the name of the encoding it was read in ("" for
// UTF-8). The rules, on the raw bytes:
//
//   - a UTF-16 byte-order mark (FF FE or FE FF) is UTF-16 of that order;
//   - bytes that are valid UTF-8 (a rune cut at the end of the sniffed
//     part aside) are UTF-8: a UTF-8 file is never read as anything else;
//   - otherwise bytes that CP949 (the superset of EUC-KR that Korean Excel
//     writes) decodes without a single invalid sequence are CP949;
//   - anything else is passed on as it is, for the UTF-8 check to refuse.
//
// Newlines are the same characters in every one of these, so line numbers
// of the decoded text are those of the file. A later invalid sequence in
// a non-UTF-8 file stops reading with errBadEncoding.
func detectEncoding(br *bufio.Reader) (io.Reader, string) {
	head, _ := br.Peek(sniffBytes)
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return decoded(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)), EncodingUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return decoded(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)), EncodingUTF16BE
	case validUTF8Prefix(head):
		return br, ""
	case decodesCleanly(korean.EUCKR, head, len(head) < sniffBytes):
		return decoded(br, korean.EUCKR), EncodingCP949
	}
	return br, ""
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut off at
// its end (b is the first part of a longer file).
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for k := 1; k <= 3 && k <= len(b); k++ {
		if c := b[len(b)-k]; utf8.RuneStart(c) {
			return !utf8.FullRune(b[len(b)-k:]) && utf8.Valid(b[:len(b)-k])
		}
	}
	return false
}

// decodesCleanly reports whether enc decodes b without an invalid
// sequence. When b is not the whole file (atEOF false), a sequence cut
// off at its end is not held against it.
func decodesCleanly(enc encoding.Encoding, b []byte, atEOF bool) bool {
	if len(b) == 0 {
		return false
	}
	dst := make([]byte, 3*len(b)+16)
	nDst, nSrc, err := enc.NewDecoder().Transform(dst, b, atEOF)
	if err != nil && !(errors.Is(err, transform.ErrShortSrc) && !atEOF && len(b)-nSrc < 2) {
		return false
	}
	return !bytes.ContainsRune(dst[:nDst], utf8.RuneError)
}

// decoded returns r's text decoded by enc, failing with errBadEncoding at
// the first invalid sequence instead of passing on a replacement
// character.
func decoded(r io.Reader, enc encoding.Encoding) io.Reader {
	return &checkedDecoder{r: transform.NewReader(r, enc.NewDecoder())}
}

type checkedDecoder struct {
	r   io.Reader
	err error
}

func (d *checkedDecoder) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.r.Read(p)
	if i := bytes.IndexRune(p[:n], utf8.RuneError); i >= 0 {
		d.err = errBadEncoding
		return i, d.err
	}
	return n, err
}

// DecodeText returns data as UTF-8 text by the rules of detectEncoding,
// with the name of the encoding it was in ("" for UTF-8); ok is false
// when data is neither UTF-8 nor one of the encodings Read detects.
func DecodeText(data []byte) (text []byte, enc string, ok bool) {
	r, enc := detectEncoding(bufio.NewReaderSize(bytes.NewReader(data), sniffBytes))
	if enc == "" {
		return data, "", utf8.Valid(data)
	}
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, enc, false
	}
	return text, enc, true
}

// bomlessUTF16 reports whether head looks like UTF-16 without a
// byte-order mark: mostly ASCII text with a NUL in every other byte. Such
// a file is refused with advice rather than read as UTF-8 with a NUL in
// every cell.
func bomlessUTF16(head []byte) bool {
	if len(head) < 8 || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return false
	}
	var even, odd int
	for i, c := range head {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(head) / 2
	return even > half*3/4 || odd > half*3/4
}
