package upload

import (
	"bytes"
	"errors"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// Upload formats beyond UTF-8 CSV
//
// A body whose bytes start with a zip or OLE signature, or whose file
// name ends in .xlsx, .xlsm or .xls, is read as an Excel workbook
// (pollcsv.ReadXLSX; ?sheet=NAME or the page's "sheet" field picks the
// sheet, the first by default). A workbook refused as a whole (an old
// .xls, macros, a password, a zip bomb) is a 415 (413 for the bomb) and
// stores nothing. A text body in CP949/EUC-KR or UTF-16 is read by the
// CSV reader, which records the encoding in the upload ("encoding":
// "cp949").

// readableCharsets are the Content-Type charsets a CSV body may name:
// those the CSV reader detects by itself.
var readableCharsets = map[string]bool{
	"utf-8": true, "utf8": true, "us-ascii": true,
	"cp949": true, "euc-kr": true, "ks_c_5601-1987": true, "x-windows-949": true, "windows-949": true,
	"utf-16": true, "utf-16le": true, "utf-16be": true,
}

// isWorkbookUpload reports whether an upload is an Excel workbook, by
// its first bytes or its file name.
func isWorkbookUpload(name string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls":
		return true
	}
	return pollcsv.IsWorkbook(head)
}

// sniffText is http.DetectContentType for a body that may be CSV text
// with NUL bytes in it: those are left to the CSV reader, which refuses
// each at its line, rather than turning the whole file into "binary".
func sniffText(head []byte) string {
	if bytes.IndexByte(head, 0) >= 0 {
		head = bytes.ReplaceAll(head, []byte{0}, []byte{' '})
	}
	return http.DetectContentType(head)
}

// workbookError turns a workbook refused as a whole into its HTTP answer;
// any other error is returned as it is.
func workbookError(err error) error {
	var we *pollcsv.WorkbookError
	if !errors.As(err, &we) {
		return err
	}
	if errors.Is(we, pollcsv.ErrWorkbookTooLarge) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, we.Msg)
	}
	return echo.NewHTTPError(http.StatusUnsupportedMediaType, we.Msg)
}

// sheetParam checks a sheet name given with an upload.
func sheetParam(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 100 || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "", poll.Errorf(poll.EINVALID, "sheet: %q is not a sheet name", s)
	}
	return s, nil
}

// EncodingName names the preview's text encoding for readers:
// "CP949 (EUC-KR)", "UTF-16".
func (d previewData) EncodingName() string {
	switch d.Encoding {
	case pollcsv.EncodingCP949:
		return "CP949 (EUC-KR)"
	case pollcsv.EncodingUTF16LE, pollcsv.EncodingUTF16BE:
		return "UTF-16"
	}
	return strings.ToUpper(d.Encoding)
}

// workbookPreview lays the sheet of a workbook out as the preview table,
// each problem in its cell: the sheet as the text the reader read, its
// problems' sheet rows turned into that text's lines for buildPreview,
// and the table's lines turned back into sheet rows. nil when the
// workbook cannot be read.
func workbookPreview(data []byte, sheet string, probs []poll.Problem) *previewTable {
	st, err := pollcsv.ReadSheetText(data, pollcsv.XLSXOptions{Sheet: sheet})
	if err != nil {
		return nil
	}
	firstLine := map[int]int{} // sheet row → its first line in the text
	for i, r := range st.RowOf {
		if _, ok := firstLine[r]; !ok {
			firstLine[r] = i + 1
		}
	}
	row := func(line int) int {
		switch {
		case line < 0:
			return -line // a row the text does not hold, kept as it was
		case line >= 1 && line <= len(st.RowOf):
			return st.RowOf[line-1]
		}
		return line
	}
	mapped := make([]poll.Problem, len(probs))
	for i, p := range probs {
		if l, ok := firstLine[p.Line]; ok {
			p.Line = l
		} else {
			p.Line = -p.Line // left out of the table (buildPreview: before its first line)
		}
		mapped[i] = p
	}
	t := buildPreview(st.Text, mapped)
	if t == nil {
		return nil
	}
	for i := range t.Rows {
		t.Rows[i].Line = row(t.Rows[i].Line)
	}
	for i := range t.Unplaced {
		t.Unplaced[i].Line = row(t.Unplaced[i].Line)
	}
	return t
}
