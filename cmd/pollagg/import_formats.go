package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// readPollFile reads one file for import: an Excel workbook (by its zip
// or OLE signature, or an .xlsx, .xlsm or .xls name) with ReadXLSX and
// sheet, anything else as CSV text.
func readPollFile(name string, r io.Reader, opt pollcsv.Options, sheet string) (*pollcsv.Batch, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls":
		return pollcsv.ReadXLSX(name, br, pollcsv.XLSXOptions{Options: opt, Sheet: sheet})
	}
	if pollcsv.IsWorkbook(head) {
		return pollcsv.ReadXLSX(name, br, pollcsv.XLSXOptions{Options: opt, Sheet: sheet})
	}
	if sheet != "" {
		return nil, poll.Errorf(poll.EINVALID, "--sheet %q: the file is not a workbook", sheet)
	}
	return pollcsv.Read(name, br, opt)
}

// readNote says how a file was read when that is worth knowing: in
// which encoding a CSV that was not UTF-8, which sheet of a workbook.
func readNote(up *poll.Upload) string {
	switch {
	case up.Encoding == pollcsv.EncodingCP949:
		return " (read as CP949/EUC-KR, Korean Excel's encoding)"
	case up.Encoding != "":
		return fmt.Sprintf(" (read as %s)", strings.ToUpper(up.Encoding))
	case up.Sheet != "":
		return fmt.Sprintf(" (sheet %q)", up.Sheet)
	}
	return ""
}
