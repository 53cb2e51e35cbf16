package web

import "github.com/labstack/echo/v4"

// routes registers every route. Each area lists its own routes in one
// place: the dashboard (pages.go), the read API (api.go) and uploads
// (upload.go).
func (s *Server) routes(e *echo.Echo) {
	if mw, err := renamedQuestions(); err == nil {
		e.Pre(mw)
	}
	s.dashboardRoutes(e)
	s.pollsterRoutes(e)
	api := e.Group("/api/v1")
	s.apiRoutes(e, api)
	s.uploadRoutes(e, api)
	s.newsroomRoutes(e)
}
