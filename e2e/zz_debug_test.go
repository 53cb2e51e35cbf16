//go:build e2e

package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

func shotView(t *testing.T, ctx context.Context, path string) {
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b, 0o644)
}

func TestZZDebug(t *testing.T) {
	bin := buildBinary(t)
	base := startServer(t, bin, "")
	ctx, _ := newBrowser(t)
	setViewport(t, ctx, 1100, 760, false)
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=en")
	chartDrew(t, ctx)
	tooltipText(t, ctx)
	evalJS[bool](t, ctx, `window.scrollTo(0, 180); true`)
	shotView(t, ctx, "/tmp/dbg-en.png")
	navigate(t, ctx, base+"/questions/kr-yoon-approval-gallup?lang=ko")
	chartDrew(t, ctx)
	evalJS[bool](t, ctx, `window.scrollTo(0, 120); true`)
	shotView(t, ctx, "/tmp/dbg-ko.png")
	setViewport(t, ctx, 375, 812, true)
	navigate(t, ctx, base+"/questions/"+mainQuestion+"?lang=ko")
	chartDrew(t, ctx)
	shotView(t, ctx, "/tmp/dbg-m.png")
}
