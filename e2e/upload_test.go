//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// uploadQuestion is the demo question the upload test adds polls to.
const uploadQuestion = "kr-forced-labor-plan-2023"

// pollDotsJS counts the poll dots of the "support" answer on the
// question's chart; -1 when there is no chart.
const pollDotsJS = `(() => {
  const el = document.getElementById('trend');
  const chart = el && window.echarts && echarts.getInstanceByDom(el);
  if (!chart) return -1;
  const s = chart.getOption().series.find(s => s.id === 'polls-support');
  return s ? s.data.length : -1;
})()`

// uploadWait polls a JavaScript condition until it holds or timeout passes.
func uploadWait(t *testing.T, ctx context.Context, cond string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok, err := evaluate[bool](ctx, cond); err == nil && ok {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// fileSHA is the SHA-256 of a file (the database, which bbolt writes in place).
func fileSHA(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestUploadInBrowser is a pollster's session: sign in with the token the
// operator created, upload a file with one bad row, see the problem at its
// row and column (and nothing stored), upload the corrected file, confirm
// it, and see the new polls on the question's chart.
func TestUploadInBrowser(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "upload.db")
	out := runCLI(t, bin, "pollster", "add", "--db", db, "E2E Research", "--alias", "이투이리서치")
	tokens := regexp.MustCompile(`[A-Za-z0-9_-]{22,}`).FindAllString(out, -1)
	if len(tokens) == 0 {
		t.Fatalf("pollster add printed no token:\n%s", out)
	}
	token := tokens[len(tokens)-1]
	base := startServer(t, bin, db) // seeds the demo polls
	ctx, watch := newBrowser(t)
	setViewport(t, ctx, 1280, 900, false)

	// the chart before
	navigate(t, ctx, base+"/questions/"+uploadQuestion+"?lang=en")
	if !chartDrew(t, ctx) {
		t.Fatal("the question's chart did not draw before the upload")
	}
	before := evalJS[int](t, ctx, pollDotsJS)
	if before <= 0 {
		t.Fatalf("the chart shows %d poll dots for support", before)
	}

	// sign in
	navigate(t, ctx, base+"/upload?lang=en")
	if err := do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#file")),
	); err != nil {
		t.Fatalf("signing in: %v\n%s", err, pageText(t, ctx))
	}
	if txt := pageText(t, ctx); !strings.Contains(txt, "Signed in as E2E Research") {
		t.Fatalf("not signed in:\n%s", txt)
	}

	// a file with one bad row (line 3: "4x" is not a percentage)
	header := "question_id,pollster,sponsor,start_date,end_date,sample_size,mode,support,oppose,undecided\n"
	row2 := uploadQuestion + ",E2E Research,E2E Daily,2023-03-20,2023-03-21,1000,Online,38,55,7\n"
	row3 := uploadQuestion + ",이투이리서치,,2023-03-27,2023-03-28,1000,전화면접,%s,52,8\n"
	bad := filepath.Join(dir, "e2e-bad.csv")
	good := filepath.Join(dir, "e2e-good.csv")
	os.WriteFile(bad, []byte(header+row2+strings.Replace(row3, "%s", "4x", 1)), 0o644)
	os.WriteFile(good, []byte(header+row2+strings.Replace(row3, "%s", "40", 1)), 0o644)

	dbBefore := fileSHA(t, db)
	if err := do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}),
		chromedp.Click(chromedp.CSS("#check")),
		chromedp.WaitVisible(chromedp.CSS("#preview-problems")),
	); err != nil {
		t.Fatalf("previewing the bad file: %v\n%s", err, pageText(t, ctx))
	}
	cell := evalJS[string](t, ctx, `(() => { const td = document.querySelector('tr.bad[data-line="3"] td.bad[data-column="support"]'); return td ? td.innerText : ''; })()`)
	if !strings.Contains(cell, "4x") || !strings.Contains(cell, "not a percentage") {
		t.Errorf("the bad cell (line 3, support) shows %q, want the value and the problem", cell)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll('tr.bad').length`); n != 1 {
		t.Errorf("%d rows marked bad, want 1", n)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll('#confirm').length`); n != 0 {
		t.Error("a file with a problem offers to be stored")
	}
	screenshot(t, ctx, "upload-problem-en")
	if fileSHA(t, db) != dbBefore {
		t.Error("previewing a bad file changed the database file")
	}

	// the corrected file: preview, confirm
	navigate(t, ctx, base+"/upload?lang=en")
	if err := do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{good}),
		chromedp.Click(chromedp.CSS("#check")),
		chromedp.WaitVisible(chromedp.CSS("#preview-ok")),
	); err != nil {
		t.Fatalf("previewing the corrected file: %v\n%s", err, pageText(t, ctx))
	}
	if txt := evalJS[string](t, ctx, `document.getElementById('preview-ok').innerText`); !strings.Contains(txt, "2 added") {
		t.Errorf("preview says %q, want 2 added", txt)
	}
	if fileSHA(t, db) != dbBefore {
		t.Error("previewing changed the database file")
	}
	screenshot(t, ctx, "upload-preview-en")
	if err := do(ctx,
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#stored")),
	); err != nil {
		t.Fatalf("confirming: %v\n%s", err, pageText(t, ctx))
	}
	if txt := evalJS[string](t, ctx, `document.getElementById('stored').innerText`); !strings.Contains(txt, "2 added") {
		t.Errorf("stored banner says %q", txt)
	}
	screenshot(t, ctx, "upload-stored-en")

	// the new polls on the chart
	if err := do(ctx, chromedp.Click(chromedp.CSS("#stored a.question-link"))); err != nil {
		t.Fatalf("following the link to the chart: %v", err)
	}
	if !uploadWait(t, ctx, `location.pathname === '/questions/`+uploadQuestion+`'`, 10*time.Second) {
		t.Fatal("the stored banner's link does not lead to the question")
	}
	if !chartDrew(t, ctx) {
		t.Fatal("the chart did not draw after the upload")
	}
	if !uploadWait(t, ctx, pollDotsJS+` === `+strconv.Itoa(before+2), 10*time.Second) {
		t.Errorf("the chart shows %d support dots, want %d (the two new polls)", evalJS[int](t, ctx, pollDotsJS), before+2)
	}
	// the row under the alias is stored under the account's name
	if n := evalJS[int](t, ctx, `[...document.querySelectorAll('a[href^="/polls/"]')].filter(a => a.innerText.trim() === 'E2E Research').length`); n != 2 {
		t.Errorf("the question page lists %d polls of E2E Research, want 2 (one uploaded under its alias)", n)
	}
	if strings.Contains(pageText(t, ctx), "이투이리서치") {
		t.Error("the alias shows as a pollster of its own")
	}
	screenshot(t, ctx, "upload-chart-en")

	// the poll's own page, with the upload that brought it
	href := evalJS[string](t, ctx, `(() => { const a = [...document.querySelectorAll('a[href^="/polls/"]')].find(a => a.innerText.trim() === 'E2E Research' && a.closest('tr').innerText.includes('E2E Daily')); return a ? a.getAttribute('href') : ''; })()`)
	if href == "" {
		t.Fatal("the question page has no link to the new poll's page")
	}
	navigate(t, ctx, base+href)
	if txt := pageText(t, ctx); !strings.Contains(txt, "Revision 1") || !regexp.MustCompile(`upload u\d{6}`).MatchString(txt) || !strings.Contains(txt, "E2E Daily") {
		t.Errorf("the poll page lacks its revision, upload or sponsor:\n%s", txt)
	}
	screenshot(t, ctx, "upload-poll-en")

	for _, e := range watch.Errors() {
		// The preview of a file with problems is answered 422, as a form
		// with errors should be; Chromium logs every non-2xx document.
		if strings.Contains(e, "status of 422") && strings.Contains(e, "/upload/preview") {
			continue
		}
		t.Errorf("browser error: %s", e)
	}
	for _, u := range watch.OutsideRequests() {
		t.Errorf("request left 127.0.0.1: %s", u)
	}
}
