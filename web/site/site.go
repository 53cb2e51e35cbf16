// Package site holds what every part of pollagg's web site shares: the
// languages and their message catalog, number formatting, the HTTP status
// of each application error code, and small request helpers. The server
// (package web) and the upload side (package web/upload) both stand on it;
// it knows nothing of either.
package site

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
)

// FormatNum formats v with digits decimals and the locale's grouping (both
// languages group by thousands with commas): FormatNum(12345.6, 1) is
// "12,345.6".
func FormatNum(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// statusOf maps application error codes to HTTP statuses.
var statusOf = map[string]int{
	poll.EINVALID:      http.StatusBadRequest,
	poll.ENOTFOUND:     http.StatusNotFound,
	poll.ECONFLICT:     http.StatusConflict,
	poll.EUNAUTHORIZED: http.StatusUnauthorized,
	poll.EFORBIDDEN:    http.StatusForbidden,
	poll.EUNAVAILABLE:  http.StatusServiceUnavailable,
	poll.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status of an application error code (see
// poll.ErrorCode), and false for a code it does not know.
func StatusOf(code string) (int, bool) {
	st, ok := statusOf[code]
	return st, ok
}

// CodeOfStatus returns the application error code answered with HTTP
// status st, or for a status no code maps to, its text in snake case
// ("too_many_requests").
func CodeOfStatus(st int) string {
	for code, s := range statusOf {
		if s == st {
			return code
		}
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(st)), " ", "_")
}

// ParseBool reads the query parameter name's value s as a boolean: true,
// 1, on or yes; false, 0, off or no; in any case. Anything else is an
// EINVALID error naming the parameter.
func ParseBool(name, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "on", "yes":
		return true, nil
	case "false", "0", "off", "no":
		return false, nil
	}
	return false, poll.Errorf(poll.EINVALID, "%s: %q is not true or false", name, s)
}

// JSONOnly refuses ?format= other than json on routes that answer only in
// JSON, rather than answering JSON to a client that asked for CSV.
func JSONOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if f := c.QueryParam("format"); f != "" && !strings.EqualFold(f, "json") {
			return poll.Errorf(poll.EINVALID, "format: %q is not available here; this route answers JSON only (format=json)", f)
		}
		return next(c)
	}
}
