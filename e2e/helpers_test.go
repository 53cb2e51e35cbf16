//go:build e2e

// Package e2e drives the real pollagg binary from headless Chromium: it
// builds the binary, starts `pollagg serve` on a free loopback port, loads
// pages and checks what a reader's browser sees (the chart drew, no
// console errors, no request left 127.0.0.1). Run it with `make e2e`,
// which installs Chromium and the Noto CJK fonts first
// (scripts/install-e2e-deps.sh).
//
// The helpers in this file are shared by every e2e test file:
//
//	bin := buildBinary(t)                       // once per test run
//	base := startServer(t, bin, dbPath)         // "" for a fresh seeded database
//	ctx, watch := newBrowser(t)                 // a fresh Chromium profile
//	navigate(t, ctx, base+"/")
//	if !chartDrew(t, ctx) { ... }
//	screenshot(t, ctx, "index-desktop")         // test-output/e2e/index-desktop.png
//	if errs := watch.Errors(); len(errs) > 0 { ... }
//	if out := watch.OutsideRequests(); len(out) > 0 { ... }
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// TestMain removes the shared build directory after every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// repoRoot returns the module's root directory (where go.mod is).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("e2e: cannot find the source directory")
	}
	dir := filepath.Dir(filepath.Dir(file))
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("e2e: no go.mod in %s: %v", dir, err)
	}
	return dir
}

// buildBinary builds ./cmd/pollagg once per test run into a temporary
// directory and returns the binary's path. Every test shares it.
func buildBinary(t testing.TB) string {
	t.Helper()
	root := repoRoot(t)
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "pollagg-e2e-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "pollagg")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/pollagg")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build ./cmd/pollagg: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("e2e: finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a process' output and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs `bin serve --db dbPath --addr 127.0.0.1:PORT extraArgs...`
// on a free port, waits until GET /healthz answers 200 and returns the base
// URL ("http://127.0.0.1:PORT"). An empty dbPath means a fresh database in
// t.TempDir(), which serve seeds with the demo polls. At cleanup the server
// gets SIGINT (graceful shutdown) and is killed if it has not stopped
// after ten seconds; its output is logged when the test failed.
func startServer(t testing.TB, bin, dbPath string, extraArgs ...string) (baseURL string) {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "pollagg.db")
	}
	var out syncBuffer
	var cmd *exec.Cmd
	var exited chan error
	for attempt := 0; attempt < 3; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		args := append([]string{"serve", "--db", dbPath, "--addr", addr}, extraArgs...)
		cmd = exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("e2e: starting %s: %v", bin, err)
		}
		exited = make(chan error, 1)
		go func(c *exec.Cmd, ch chan error) { ch <- c.Wait() }(cmd, exited)
		baseURL = "http://" + addr
		if err := waitHealthy(baseURL, exited, 30*time.Second); err != nil {
			if strings.Contains(out.String(), "address already in use") {
				continue // someone took the port between freePort and serve: try another
			}
			cmd.Process.Kill()
			t.Fatalf("e2e: server did not become healthy: %v\n%s", err, out.String())
		}
		break
	}
	t.Cleanup(func() {
		select {
		case err := <-exited:
			t.Errorf("e2e: server exited early (%v)\n%s", err, out.String())
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("e2e: server did not stop cleanly on SIGINT: %v\n%s", err, out.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("e2e: server ignored SIGINT for 10 s; killed\n%s", out.String())
		}
		if t.Failed() {
			t.Logf("server output:\n%s", out.String())
		}
	})
	return baseURL
}

// waitHealthy polls base/healthz until it answers 200, the process exits,
// or timeout passes.
func waitHealthy(base string, exited chan error, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err // keep it for the cleanup
			return fmt.Errorf("server exited: %v", err)
		default:
		}
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from %s/healthz within %s", base, timeout)
}

// runCLI runs the binary with args (e.g. "import", "--db", path, file) and
// returns its combined output, failing the test when it exits non-zero.
func runCLI(t testing.TB, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("e2e: pollagg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Watch records what a browser tab reports: console errors, uncaught
// exceptions, error log entries (CSP violations, failed loads) and the URL
// of every request it sends.
type Watch struct {
	mu       sync.Mutex
	errors   []string
	requests []string
}

// Errors returns the console errors, exceptions and error log entries so far.
func (w *Watch) Errors() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.errors...)
}

// Requests returns the URL of every request sent so far.
func (w *Watch) Requests() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.requests...)
}

// OutsideRequests returns the requests that went anywhere but the loopback
// address: any http(s) or ws(s) URL whose host is not 127.0.0.1, localhost
// or ::1. data: and blob: URLs never leave the browser and are not listed.
func (w *Watch) OutsideRequests() []string {
	var out []string
	for _, raw := range w.Requests() {
		if !isLocalURL(raw) {
			out = append(out, raw)
		}
	}
	return out
}

// Reset forgets everything recorded so far (between pages of one test).
func (w *Watch) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errors, w.requests = nil, nil
}

func isLocalURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

func (w *Watch) addError(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errors = append(w.errors, s)
}

func (w *Watch) addRequest(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.requests = append(w.requests, s)
}

// listen is the tab's event listener.
func (w *Watch) listen(ev any) {
	switch e := ev.(type) {
	case *cdpruntime.EventConsoleAPICalled:
		if e.Type != cdpruntime.ConsoleAPICalledTypeError && e.Type != cdpruntime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		w.addError("console." + string(e.Type) + ": " + strings.Join(parts, " "))
	case *cdpruntime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		w.addError(fmt.Sprintf("exception: %s (%s:%d)", msg, d.URL, d.LineNumber))
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			w.addError(fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		w.addRequest(e.Request.URL)
	}
}

// newBrowser starts headless Chromium (ChromiumPath) with a fresh profile
// and no background networking, opens one tab, and returns its context and
// a Watch that records the tab's errors and requests. The browser stops at
// cleanup. Bound single actions with a context.WithTimeout derived from
// ctx (the helpers below do); a timeout on ctx itself would stop the browser.
func newBrowser(t testing.TB) (ctx context.Context, watch *Watch) {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatalf("e2e: %s is missing: run `bash scripts/install-e2e-deps.sh` (make e2e does)", ChromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	watch = &Watch{}
	// Listen starts the browser and the tab, and records from then on.
	err := chromedp.Listen(tabCtx, watch.listen)
	if err == nil {
		err = chromedp.Do(tabCtx)
	}
	if err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("e2e: starting Chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	return tabCtx, watch
}

// actionTimeout bounds one helper's browser work.
const actionTimeout = 60 * time.Second

// do runs steps on the tab, bounded by actionTimeout.
func do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	return chromedp.Do(tctx, steps...)
}

// evaluate runs a JavaScript expression on the tab and decodes its value
// into a T, bounded by actionTimeout.
func evaluate[T any](ctx context.Context, expr string) (T, error) {
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(tctx, chromedp.Evaluate[T](expr))
}

// evalJS evaluates a JavaScript expression on the tab, failing the test on
// an error or an exception.
func evalJS[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := evaluate[T](ctx, expr)
	if err != nil {
		t.Fatalf("e2e: evaluating %s: %v", expr, err)
	}
	return v
}

// navigate loads url in the tab and waits for the load event.
func navigate(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("e2e: loading %s: %v", url, err)
	}
}

// setViewport sizes the tab's viewport in CSS pixels; mobile emulates a
// phone (touch, device scale 2).
func setViewport(t testing.TB, ctx context.Context, width, height int64, mobile bool) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	if err := do(ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
		t.Fatalf("e2e: setting the viewport to %dx%d: %v", width, height, err)
	}
}

// outputDir returns test-output/e2e at the repository root, creating it.
func outputDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "test-output", "e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("e2e: %v", err)
	}
	return dir
}

// screenshot saves a full-page PNG of the tab as
// test-output/e2e/<name>.png at the repository root and returns its path.
func screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	buf, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("e2e: screenshot %s: %v", name, err)
	}
	path := filepath.Join(outputDir(t), name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatalf("e2e: %v", err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// inkJS counts, over every canvas on the page, the pixels that are neither
// transparent nor near white.
const inkJS = `(() => {
  let ink = 0;
  for (const c of document.querySelectorAll('canvas')) {
    if (!c.width || !c.height) continue;
    const ctx = c.getContext('2d');
    if (!ctx) continue;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i+3] > 32 && (d[i] < 235 || d[i+1] < 235 || d[i+2] < 235)) ink++;
    }
  }
  return ink;
})()`

// canvasInk returns how many drawn (non-blank) pixels the page's canvases hold.
func canvasInk(ctx context.Context) (int, error) { return evaluate[int](ctx, inkJS) }

// renderedJS reports whether every ECharts container on the page (ECharts
// marks them with _echarts_instance_) has finished drawing, animation
// included: static/chart.js sets data-rendered="true" on ECharts'
// "finished" event.
const renderedJS = `[...document.querySelectorAll('[_echarts_instance_]')].every(el => el.dataset.rendered === 'true')`

// chartDrew waits up to fifteen seconds for the page's charts to finish
// drawing and their canvases to hold at least 2,000 drawn pixels (axes,
// lines, bands and dots; a blank or failed chart has none), and reports
// whether they did.
func chartDrew(t testing.TB, ctx context.Context) bool {
	t.Helper()
	const minInk = 2000
	deadline := time.Now().Add(15 * time.Second)
	last, done := 0, false
	for time.Now().Before(deadline) {
		n, err := canvasInk(ctx)
		if err != nil {
			t.Logf("e2e: reading the canvas: %v", err)
			return false
		}
		last = n
		if done, err = evaluate[bool](ctx, renderedJS); err != nil {
			t.Logf("e2e: asking whether the chart finished: %v", err)
			return false
		}
		if n >= minInk && done {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("e2e: the chart canvas has %d drawn pixels (want at least %d); finished drawing: %t", last, minInk, done)
	return false
}

// pageText returns the rendered text of the page's body.
func pageText(t testing.TB, ctx context.Context) string {
	t.Helper()
	return evalJS[string](t, ctx, `document.body.innerText`)
}

// nodeCount returns how many elements match a CSS selector.
func nodeCount(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	b, _ := json.Marshal(sel)
	return evalJS[int](t, ctx, "document.querySelectorAll("+string(b)+").length")
}

// countHangul counts the Hangul letters in s.
func countHangul(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			n++
		}
	}
	return n
}
