package web

import (
	_ "embed"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pollagg/pollagg/web/httpcache"
)

// openAPISpec is the OpenAPI 3 description of /api/v1, kept by hand in
// web/openapi.json. TestOpenAPIMatchesRoutes checks that it lists exactly
// the routes the server registers.
//
//go:embed openapi.json
var openAPISpec []byte

// openAPIRep is the description served with an ETag, like every download.
var openAPIRep = httpcache.New(openAPISpec, contentTypeJSON, "pollagg-openapi.json", false, time.Time{})

// openAPI is GET /api/v1/openapi.json.
func (s *Server) openAPI(c echo.Context) error { return serveRepresentation(c, openAPIRep, false) }
