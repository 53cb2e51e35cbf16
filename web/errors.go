package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// ErrorBody is the JSON shape of every error answer:
//
//	{"error": {"status": 422, "code": "invalid", "message": "...", "problems": [{"line": 3, "column": "pct", "message": "..."}]}}
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one failed request.
type ErrorDetail struct {
	Status   int            `json:"status"`
	Code     string         `json:"code"`
	Message  string         `json:"message"`
	Problems []poll.Problem `json:"problems,omitempty"`
}

// errorDetail turns any error into what a client is told. Echo's own
// errors (404 route, 405, 413 from the body limit, 429 from the rate
// limiter) are found through errors.As, so wrapping never turns them into
// 500s; *poll.Problems is 422 with every problem; other application errors
// map through site.StatusOf; anything else is a 500 whose details go only to
// the log.
func errorDetail(err error) ErrorDetail {
	var he *echo.HTTPError
	var probs *poll.Problems
	switch {
	case errors.As(err, &probs):
		return ErrorDetail{Status: http.StatusUnprocessableEntity, Code: poll.EINVALID,
			Message: "the file has problems; nothing was stored", Problems: probs.List}
	case errors.As(err, &he):
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		return ErrorDetail{Status: he.Code, Code: site.CodeOfStatus(he.Code), Message: msg}
	}
	code := poll.ErrorCode(err)
	st, ok := site.StatusOf(code)
	if !ok {
		st = http.StatusInternalServerError
	}
	return ErrorDetail{Status: st, Code: code, Message: poll.ErrorMessage(err)}
}

// handleError is the Echo error handler: JSON for the API and for clients
// that ask for it, an HTML page for readers.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	d := errorDetail(err)
	if d.Status >= 500 {
		s.log.Error("server error", "path", c.Request().URL.Path, "err", err)
	}
	var e error
	if wantsJSON(c) {
		if c.Request().Method == http.MethodHead {
			e = c.NoContent(d.Status)
		} else {
			e = c.JSON(d.Status, ErrorBody{Error: d})
		}
	} else {
		e = s.errorPage(c, d)
	}
	if e != nil {
		s.log.Error("writing error response", "err", e)
	}
}

// wantsJSON reports whether an error should be answered in JSON: API paths
// and oEmbed, and clients that accept JSON but not HTML.
func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/healthz") || p == "/oembed" {
		return true
	}
	acc := c.Request().Header.Get("Accept")
	return strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html")
}
