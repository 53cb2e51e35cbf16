//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// seededDB returns the path of a database seeded with the demo polls:
// `pollagg serve` seeds a new database on start, so it is started once on
// a free port and stopped again (the export needs the file to itself).
func seededDB(t *testing.T, bin string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pollagg.db")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin, "serve", "--db", path, "--addr", addr, "--quiet")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := waitHealthy("http://"+addr, exited, 30*time.Second); err != nil {
		cmd.Process.Kill()
		t.Fatalf("seeding server: %v\n%s", err, out.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	return path
}

// staticServer serves dir with Python's plain file server on a free
// loopback port and returns its base URL; it stops at cleanup.
func staticServer(t *testing.T, dir string) string {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command("python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, fmt.Sprint(port))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting python3 -m http.server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("http.server output:\n%s", out.String())
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := client.Get(base + "/"); err == nil {
			resp.Body.Close()
			return base
		}
	}
	t.Fatalf("python3 -m http.server did not answer on %s\n%s", base, out.String())
	return ""
}

// TestExportedSiteInBrowser exports the site, serves it from a folder of
// a plain static file server (no pollagg running) and opens the pages in
// Chromium: the chart draws, nothing fails, nothing leaves 127.0.0.1, and
// the page's download links work.
func TestExportedSiteInBrowser(t *testing.T) {
	bin := buildBinary(t)
	db := seededDB(t, bin)
	root := t.TempDir()
	site := filepath.Join(root, "pollagg") // published under a folder, not a host's root
	runCLI(t, bin, "export", "--db", db, "--out", site)
	if _, err := os.Stat(filepath.Join(site, "index.html")); err != nil {
		t.Fatalf("the export wrote no index.html: %v", err)
	}
	base := staticServer(t, root) + "/pollagg"

	ctx, watch := newBrowser(t)
	const q = "kr-forced-labor-plan-2023"
	for _, page := range []struct{ path, shot string }{
		{"/en/questions/" + q + "/", "export-question-en"},
		{"/questions/" + q + "/", "export-question-ko"},
	} {
		watch.Reset()
		navigate(t, ctx, base+page.path)
		if !chartDrew(t, ctx) {
			screenshot(t, ctx, page.shot+"-failed")
			t.Errorf("%s: the chart did not draw from the static copy", page.path)
			continue
		}
		screenshot(t, ctx, page.shot)
		if errs := watch.Errors(); len(errs) > 0 {
			t.Errorf("%s: browser errors: %v", page.path, errs)
		}
		if out := watch.OutsideRequests(); len(out) > 0 {
			t.Errorf("%s: requests outside 127.0.0.1: %v", page.path, out)
		}
		for _, r := range watch.Requests() {
			if strings.HasPrefix(r, "http") && !strings.HasPrefix(r, base+"/") {
				t.Errorf("%s: request outside the site's folder: %s", page.path, r)
			}
		}
	}

	// the download links of the English page lead to the CSV
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	status, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(async () => {
	  const a = [...document.querySelectorAll('a[href]')].find(a => a.getAttribute('href').endsWith('/series.csv'));
	  if (!a) return 'no series.csv link';
	  const r = await fetch(a.href);
	  const text = await r.text();
	  return r.status + ' ' + (text.split('\n').find(l => !l.startsWith('#')) || '');
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("following the series.csv link: %v", err)
	}
	if !strings.HasPrefix(status, "200 date,answer,estimate,lower,upper") {
		t.Errorf("the series.csv link: %s", status)
	}

	// every page of the nav works: index, methodology, API page, and back
	for _, path := range []string{"/", "/en/", "/en/methodology/", "/en/api/", "/api/"} {
		watch.Reset()
		navigate(t, ctx, base+path)
		if errs := watch.Errors(); len(errs) > 0 {
			t.Errorf("%s: browser errors: %v", path, errs)
		}
		if out := watch.OutsideRequests(); len(out) > 0 {
			t.Errorf("%s: requests outside 127.0.0.1: %v", path, out)
		}
		if n := nodeCount(t, ctx, "header a[href]"); n < 3 {
			t.Errorf("%s: %d links in the header", path, n)
		}
	}
	screenshot(t, ctx, "export-api-ko")
}
