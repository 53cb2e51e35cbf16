package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/web/httpcache"
)

// CacheControl is what every download says to browsers and CDNs (see
// httpcache.CacheControl).
const CacheControl = httpcache.CacheControl

// serveRepresentation writes r for c (see httpcache.Representation.Write).
func serveRepresentation(c echo.Context, r *httpcache.Representation, varyAccept bool) error {
	return r.Write(c.Response(), c.Request(), varyAccept)
}

// skipGzip tells the gzip middleware to leave alone the routes that carry
// their own precompressed bytes and an ETag for each coding: the read
// API's downloads (see serveRepresentation), the cached dashboard
// pages (precompressedPages, see servePage) and the static files (see
// serveStatic). c.Path is the matched route, so error answers of other
// routes are unaffected.
func skipGzip(c echo.Context) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/v1/questions") || p == "/api/v1/openapi.json" || p == "/static/*" || precompressedPages[p]
}
