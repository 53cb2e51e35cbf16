// Package web is pollagg's HTTP adapter: the readers' dashboard, the
// researchers' read API, the downloads, feeds and static export, served by
// Echo. It assembles the server: the pollsters' upload API and page
// (package web/upload) are mounted from routes.go, on the shared core of
// package web/site. Only web and its subpackages import echo, and only
// web imports go-echarts.
package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web/upload"
)

// Config holds the server's settings. The zero value of a field means its
// default.
type Config struct {
	// MaxUploadBytes caps an upload's body (default 10 MB).
	MaxUploadBytes int64
	// MaxPreviewBytes caps the previewed files the upload page holds for
	// confirmation, across all sessions (default 128 MB).
	MaxPreviewBytes int64
	// UploadRate is how many upload requests per second one client may make
	// (default 1, with bursts of 5).
	UploadRate float64
	// RequestTimeout bounds a handler's context (default 30 s).
	RequestTimeout time.Duration
	// Log receives one line per request and server errors (default: discard).
	Log io.Writer
	// Quiet leaves out the line per request; errors are still logged.
	Quiet bool
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// CacheBytes bounds the cache of snapshots, averages, pages and
	// downloads, by their estimated sizes (default 256 MB); the least
	// recently used go first.
	CacheBytes int
}

func (c *Config) defaults() {
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 10 << 20
	}
	if c.MaxPreviewBytes <= 0 {
		c.MaxPreviewBytes = upload.DefaultMaxPreviewBytes
	}
	if c.UploadRate <= 0 {
		c.UploadRate = 1
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.CacheBytes <= 0 {
		c.CacheBytes = 256 << 20
	}
}

// Server serves pollagg over HTTP from one open database.
type Server struct {
	db    *store.DB
	cfg   Config
	echo  *echo.Echo
	log   *slog.Logger
	cache *seriesCache
	pages *renderer
	calib *calibrator // keeps the stored calibration current (calibrator.go)
	// recent remembers which download each raw request got (hotpath.go)
	recent *recentDownloads
}

// NewServer returns a server for db with every route and middleware set up.
func NewServer(db *store.DB, cfg Config) (*Server, error) {
	cfg.defaults()
	s := &Server{db: db, cfg: cfg, log: slog.New(slog.NewTextHandler(cfg.Log, nil)), cache: newSeriesCache(1024, cfg.CacheBytes),
		recent: newRecentDownloads(1024, 64<<20)}
	if cfg.Log == io.Discard {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.calib = newCalibrator(db, s.log.Error)
	var err error
	if s.pages, err = newRenderer(upload.Templates); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	e.IPExtractor = echo.ExtractIPDirect() // rate limits by the peer address, never by client-set headers
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		Skipper:   func(echo.Context) bool { return cfg.Log == io.Discard || cfg.Quiet },
		LogMethod: true, LogURI: true, LogStatus: true, LogLatency: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.log.Info("request", "method", v.Method, "uri", v.URI, "status", v.Status, "latency", v.Latency)
			return nil
		},
	}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: ContentSecurityPolicy,
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024, Skipper: skipGzip}))
	e.Use(middleware.ContextTimeout(cfg.RequestTimeout))
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	s.routes(e)
	s.echo = e
	return s, nil
}

// ContentSecurityPolicy allows nothing from other hosts and no inline
// script: the chart's options travel as JSON data and are drawn by our
// own static script. Inline styles are allowed because ECharts' tooltips
// set them.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// ServeHTTP serves one request: a repeated download from memory (see
// serveHot), anything else through the router and its middleware.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveHot(w, r) {
		return
	}
	s.echo.ServeHTTP(w, r)
}

// Serve serves on ln until ctx ends, then shuts down gracefully, giving
// requests in flight up to ten seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	s.calib.wait() // a refresh started by an upload finishes before the database closes
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
