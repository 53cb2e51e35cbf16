package poll

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes, machine-readable and stable: the web package maps each to an
// HTTP status in one table.
const (
	EINVALID      = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // the named thing does not exist
	ECONFLICT     = "conflict"     // the write conflicts with stored state
	EUNAUTHORIZED = "unauthorized" // no or a wrong credential
	EFORBIDDEN    = "forbidden"    // the credential may not do this
	EUNAVAILABLE  = "unavailable"  // a resource is held elsewhere (e.g. a locked database)
	EINTERNAL     = "internal"     // a bug or an I/O failure; details only in logs
)

// Error is an application error: a code for programs and a message for
// people. Messages are safe to show to users.
type Error struct {
	Code    string
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error or *Problems in err's
// chain, EINVALID for *Problems, and EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	var p *Problems
	switch {
	case err == nil:
		return ""
	case errors.As(err, &p):
		return EINVALID
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the *Error's message,
// or "internal error" for errors that are not application errors.
func ErrorMessage(err error) string {
	var e *Error
	var p *Problems
	switch {
	case err == nil:
		return ""
	case errors.As(err, &p):
		return p.Error()
	case errors.As(err, &e):
		return e.Message
	}
	return "internal error"
}

// FieldError is one problem with one field of a poll or question, before it
// is tied to a place in a file.
type FieldError struct {
	Field   string // the field's canonical name, e.g. "end_date", or an answer option id
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Problem is one problem found in an input file, at a place a person can go
// to: 1-based physical line and column (0 when the problem is the whole
// file or whole row).
type Problem struct {
	File string `json:"file,omitempty"`
	// Sheet names the workbook sheet of a spreadsheet's problem; Line is
	// then the sheet's own row number.
	Sheet   string `json:"sheet,omitempty"`
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"` // the header name as written in the file
	ColNum  int    `json:"column_number,omitempty"`
	Message string `json:"message"`
}

// String formats p as FILE:LINE: column: message, the form editors and
// terminals link to (FILE:SHEET!ROW: column: message for a workbook).
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Sheet != "" {
		b.WriteString(p.Sheet)
		b.WriteString("!")
	}
	fmt.Fprintf(&b, "%d: ", p.Line)
	if p.Column != "" {
		b.WriteString(p.Column)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is the error for a rejected input: every problem found, not only
// the first. Its code is EINVALID.
type Problems struct {
	List []Problem
}

// Error joins the problems one per line.
func (p *Problems) Error() string {
	lines := make([]string, len(p.List))
	for i, q := range p.List {
		lines[i] = q.String()
	}
	return strings.Join(lines, "\n")
}
