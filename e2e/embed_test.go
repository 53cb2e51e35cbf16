//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestEmbedInOtherSite serves, on another loopback origin, an article page
// that frames pollagg twice: the embed page (/embed/questions/ID), which
// must draw its chart, and the full question page, which the browser must
// refuse to show in a frame (X-Frame-Options: DENY, frame-ancestors
// 'none').
func TestEmbedInOtherSite(t *testing.T) {
	bin := buildBinary(t)
	base := startServer(t, bin, "")
	embedURL := base + "/embed/questions/" + mainQuestion + "?lang=en"
	pageURL := base + "/questions/" + mainQuestion + "?lang=en"
	article := fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>A newsroom's article</title></head><body>
<h1>An article</h1>
<iframe id="embed" src="%s" width="640" height="480" style="border:0"></iframe>
<iframe id="page" src="%s" width="640" height="480"></iframe>
</body></html>`, embedURL, pageURL)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, article)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	other := "http://" + ln.Addr().String()
	if strings.HasPrefix(base, other) {
		t.Fatal("the article is not on another origin")
	}

	ctx, watch := newBrowser(t)
	navigate(t, ctx, other+"/")
	embedFrame, pageFrame := waitFrames(t, ctx, embedURL, pageURL)
	if embedFrame == nil {
		t.Fatal("the embed page did not load in the article's frame")
	}
	// the chart drew inside the frame
	var ink int
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ink = frameEval[int](t, ctx, embedFrame.ID, `document.querySelector('[_echarts_instance_]') && document.querySelector('#trend').dataset.rendered === 'true' ? `+inkJS+` : 0`)
		if ink >= 2000 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if ink < 2000 {
		t.Errorf("the embedded chart has %d drawn pixels, want at least 2,000", ink)
	}
	text := frameEval[string](t, ctx, embedFrame.ID, `document.body.innerText`)
	if !strings.Contains(text, "pollagg · data:") || !strings.Contains(text, "%") {
		t.Errorf("embed frame text: %q", text)
	}
	// the full page was refused: Chromium shows its error page instead
	if pageFrame == nil || pageFrame.UnreachableURL == "" && !strings.HasPrefix(pageFrame.URL, "chrome-error:") {
		t.Errorf("the question page was shown in another site's frame: %+v", pageFrame)
	}
	screenshot(t, ctx, "embed-in-article")
	blocked := false
	for _, e := range watch.Errors() {
		if strings.Contains(e, "frame") && (strings.Contains(e, "X-Frame-Options") || strings.Contains(e, "frame-ancestors")) {
			blocked = true
			continue
		}
		t.Errorf("browser error: %s", e)
	}
	if !blocked {
		t.Log("no console message about the refused frame (the frame tree shows it refused)")
	}
	for _, u := range watch.OutsideRequests() {
		t.Errorf("request left 127.0.0.1: %s", u)
	}
}

// waitFrames waits until the tab's frame tree holds the frames loading
// embedURL and pageURL (or the error page standing for it) and returns them.
func waitFrames(t *testing.T, ctx context.Context, embedURL, pageURL string) (embed, pg *cdp.Frame) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var tree *page.FrameTree
		err := do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			res, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
			tree = res.FrameTree
			return err
		}))
		if err != nil {
			t.Fatalf("frame tree: %v", err)
		}
		embed, pg = nil, nil
		for _, c := range tree.ChildFrames {
			switch {
			case c.Frame.URL == embedURL:
				embed = c.Frame
			case c.Frame.URL == pageURL || c.Frame.UnreachableURL == pageURL || strings.HasPrefix(c.Frame.URL, "chrome-error:"):
				pg = c.Frame
			}
		}
		if embed != nil && pg != nil {
			return embed, pg
		}
		time.Sleep(200 * time.Millisecond)
	}
	return embed, pg
}

// frameEval evaluates expr in an isolated world of frame (it shares the
// frame's DOM, canvases included, not its scripts' globals).
func frameEval[T any](t *testing.T, ctx context.Context, frame cdp.FrameID, expr string) T {
	t.Helper()
	var v T
	err := do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		w, err := cdp.Call(ctx, tg, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame, WorldName: "e2e"})
		if err != nil {
			return err
		}
		byValue := true
		res, err := cdp.Call(ctx, tg, cdpruntime.Evaluate, cdpruntime.EvaluateParams{Expression: expr, ContextID: w.ExecutionContextID, ReturnByValue: &byValue})
		if err != nil {
			return err
		}
		if res.ExceptionDetails != nil {
			return fmt.Errorf("%s", res.ExceptionDetails.Text)
		}
		return json.Unmarshal(res.Result.Value, &v)
	}))
	if err != nil {
		t.Fatalf("evaluating in the frame: %v", err)
	}
	return v
}
