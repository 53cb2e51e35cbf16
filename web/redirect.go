package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/data"
)

// renamedQuestions redirects every URL naming a renamed demo question
// (a path segment "questions" followed by the old id, as in
// /questions/kr-yoon-approval-gallup, /api/v1/questions/kr-yoon-approval-gallup/series)
// to the same URL with the current id, query string kept: 301 for GET and
// HEAD, 308 (method and body kept) otherwise. Both are permanent, so
// browsers, caches and feed readers update their links.
func renamedQuestions() (echo.MiddlewareFunc, error) {
	renamed, err := data.Renamed()
	if err != nil {
		return nil, err
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if to, ok := renamedPath(c.Request().URL.Path, renamed); ok {
				u := *c.Request().URL
				u.Path, u.RawPath = to, ""
				code := http.StatusPermanentRedirect
				if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
					code = http.StatusMovedPermanently
				}
				return c.Redirect(code, u.RequestURI())
			}
			return next(c)
		}
	}, nil
}

// renamedPath returns path with a renamed question's old id replaced by its
// current one, and whether there was one.
func renamedPath(path string, renamed map[string]string) (string, bool) {
	segs := strings.Split(path, "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] != "questions" {
			continue
		}
		if to, ok := renamed[segs[i+1]]; ok {
			segs[i+1] = to
			return strings.Join(segs, "/"), true
		}
	}
	return path, false
}
