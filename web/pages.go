package web

import "github.com/labstack/echo/v4"

// dashboardRoutes registers the readers' pages and static files.
func (s *Server) dashboardRoutes(e *echo.Echo) {}
