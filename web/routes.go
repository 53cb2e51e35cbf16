package web

import (
	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/web/upload"
)

// routes registers every route. Each area lists its own routes in one
// place: the dashboard (pages.go), the read API (api.go), a poll's page,
// history and retraction (pollpage.go) and uploads (package upload).
func (s *Server) routes(e *echo.Echo) {
	if mw, err := renamedQuestions(); err == nil {
		e.Pre(mw)
	}
	s.dashboardRoutes(e)
	s.pollsterRoutes(e)
	api := e.Group("/api/v1")
	s.apiRoutes(e, api)
	s.pollRoutes(e, api)
	upload.New(upload.Config{
		DB:              s.db,
		MaxUploadBytes:  s.cfg.MaxUploadBytes,
		MaxPreviewBytes: s.cfg.MaxPreviewBytes,
		UploadRate:      s.cfg.UploadRate,
		Now:             s.cfg.Now,
		Log:             s.log,
		Render:          s.render,
		Calibration:     s.calibration,
		AfterImport:     func(qs []string) { s.calib.afterImport(qs) },
		Refresh:         s.calib.refresh,
	}).Routes(e, api)
	s.newsroomRoutes(e)
}
