package web

import "github.com/labstack/echo/v4"

// uploadRoutes registers the upload API and the upload page.
func (s *Server) uploadRoutes(e *echo.Echo, api *echo.Group) {}
