package web

import "github.com/labstack/echo/v4"

// apiRoutes registers the read API under /api/v1.
func (s *Server) apiRoutes(e *echo.Echo, api *echo.Group) {}
