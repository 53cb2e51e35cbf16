package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web/site"
)

// The upload page: /upload shows the sign-in form or, signed in, the file
// form and the account's recent uploads; /upload/preview checks a file
// (a dry run) and shows it as a table with each problem at its row and
// column; /upload/confirm stores the previewed bytes; /upload/cancel
// forgets them. Every form carries the CSRF token, and every POST that
// changes something answers with a redirect (post/redirect/get).

// uploadPageData is what templates/upload.html shows.
type uploadPageData struct {
	Account   *accountView // nil when signed out
	Error     string       // a message for the person at the form
	Stored    *uploadRow   // the upload just stored, after a confirm
	Uploads   []uploadRow  // the account's recent uploads
	MaxUpload string       // the body limit, e.g. "10 MB"
}

// accountView is the signed-in account as pages show it.
type accountView struct {
	Name     string
	Names    []string // name and aliases
	Operator bool
}

// uploadRow is one stored upload in a page.
type uploadRow struct {
	Upload    poll.Upload
	Questions []questionLink
}

// questionLink names a question and the path of its page.
type questionLink struct {
	ID    string
	Title string
	Path  string
}

// previewData is what templates/upload_preview.html shows.
type previewData struct {
	Account   *accountView
	FileName  string
	Size      int64
	SizeText  string // Size with thousands separators
	SHA256    string
	Question  string
	Upload    *poll.Upload // the dry run's result; nil when the file was refused
	Questions []questionLink
	PendingID string         // the confirm form's id; "" when nothing can be stored
	Problems  []poll.Problem // every problem, in file order
	Error     string         // a refusal that is not a problem list (403, 415)
	Table     *previewTable  // the file as a table; nil when it is not readable text
	Encoding  string         // the text encoding when not UTF-8 (pollcsv.EncodingCP949, ...)
}

// previewTable is a file shown as a table with its problems in place.
type previewTable struct {
	Header []previewCell
	Rows   []previewRow
	// Hidden counts the rows beyond the shown ones.
	Hidden int
	// Unplaced are problems that belong to no shown cell or row.
	Unplaced []poll.Problem
}

// previewRow is one record of the file.
type previewRow struct {
	Line  int // its first physical line
	Cells []previewCell
	Bad   bool
	Notes []string // problems of the row that name no column of it
}

// previewCell is one field.
type previewCell struct {
	Text   string
	Column string // its header
	Bad    bool
	Notes  []string
}

// previewMaxRows is how many records a preview shows.
const previewMaxRows = 500

func (u *Handler) view(a *store.Account) *accountView {
	if a == nil {
		return nil
	}
	return &accountView{Name: a.Name, Names: a.Names(), Operator: a.Operator}
}

// questionLinks turns question ids into links with titles in lang.
func (u *Handler) questionLinks(lang string, ids []string) []questionLink {
	out := make([]questionLink, 0, len(ids))
	for _, id := range ids {
		title := id
		if q, err := u.cfg.DB.Question(id); err == nil {
			title = q.Title(lang)
		}
		out = append(out, questionLink{ID: id, Title: title, Path: "/questions/" + url.PathEscape(id)})
	}
	return out
}

// uploadPath returns /upload in the request's language, with extra query.
func uploadPath(c echo.Context, extra url.Values) string {
	q := url.Values{"lang": {site.LangOf(c)}}
	for k, v := range extra {
		q[k] = v
	}
	return "/upload?" + q.Encode()
}

// renderUploadPage renders /upload with status and an optional message.
func (u *Handler) renderUploadPage(c echo.Context, status int, a *store.Account, msg string) error {
	lang := site.LangOf(c)
	d := uploadPageData{Account: u.view(a), Error: msg, MaxUpload: byteSize(u.cfg.MaxUploadBytes)}
	if a != nil {
		account := a.Name
		if a.Operator {
			account = ""
		}
		list, err := u.cfg.DB.Uploads(account)
		if err != nil {
			return err
		}
		if len(list) > 20 {
			list = list[:20]
		}
		for _, up := range list {
			normalizeUpload(&up)
			d.Uploads = append(d.Uploads, uploadRow{Upload: up, Questions: u.questionLinks(lang, up.Questions)})
		}
		if id := c.QueryParam("stored"); id != "" {
			if up, err := u.ownUpload(a, id); err == nil {
				d.Stored = &uploadRow{Upload: *up, Questions: u.questionLinks(lang, up.Questions)}
			}
		}
	}
	return u.cfg.Render(c, status, "upload", site.Translate(lang, "upload.title"), d)
}

// statusOf is the HTTP status of an application error code.
func statusOf(code string) int {
	st, _ := site.StatusOf(code)
	return st
}

// byteSize formats n as "10 MB", "512 KB" or "900 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// page is GET /upload.
func (u *Handler) page(c echo.Context) error {
	_, a := u.signedIn(c)
	return u.renderUploadPage(c, http.StatusOK, a, "")
}

// signIn is POST /upload/signin: a token in the field "token" starts a
// session. A wrong token shows the form again with 401.
func (u *Handler) signIn(c echo.Context) error {
	tok := strings.TrimSpace(c.FormValue("token"))
	a, err := u.cfg.DB.Authenticate(tok)
	if poll.ErrorCode(err) == poll.EUNAUTHORIZED {
		return u.renderUploadPage(c, http.StatusUnauthorized, nil, site.Translate(site.LangOf(c), "upload.signin.bad"))
	} else if err != nil {
		return err
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		u.sessions.end(ck.Value) // a new session id at every sign-in
	}
	id, err := u.sessions.start(a)
	if err != nil {
		return err
	}
	setSessionCookie(c, id)
	return c.Redirect(http.StatusSeeOther, uploadPath(c, nil))
}

// signOut is POST /upload/signout.
func (u *Handler) signOut(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		u.sessions.end(ck.Value)
	}
	setSessionCookie(c, "")
	return c.Redirect(http.StatusSeeOther, uploadPath(c, nil))
}

// preview is POST /upload/preview: the file in the field "file" (and an
// optional question id in "question") is checked as a dry run. A file
// that would be stored is kept in the session for confirm.
func (u *Handler) preview(c echo.Context) error {
	sess, a := u.signedIn(c)
	lang := site.LangOf(c)
	if a == nil {
		return u.renderUploadPage(c, http.StatusUnauthorized, nil, site.Translate(lang, "upload.signin.needed"))
	}
	name, f, err := formFile(c)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return u.renderUploadPage(c, he.Code, a, fmt.Sprint(he.Message))
		}
		if poll.ErrorCode(err) == poll.EINVALID {
			return u.renderUploadPage(c, http.StatusBadRequest, a, site.Translate(lang, "upload.form.nofile"))
		}
		return err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("upload: reading the uploaded file: %w", err)
	}
	question := strings.TrimSpace(c.FormValue("question"))
	if question != "" && !poll.ValidSlug(question) {
		return u.renderUploadPage(c, http.StatusBadRequest, a, site.Translate(lang, "upload.form.badquestion", question))
	}
	sheet, err := sheetParam(c.FormValue("sheet"))
	if err != nil {
		return u.renderUploadPage(c, http.StatusBadRequest, a, poll.ErrorMessage(err))
	}
	sum := sha256.Sum256(data)
	d := previewData{Account: u.view(a), FileName: name, Size: int64(len(data)), SizeText: site.FormatNum(float64(len(data)), 0),
		SHA256: hex.EncodeToString(sum[:]), Question: question}
	status := http.StatusOK
	up, err := u.ingest(a, name, bytes.NewReader(data), question, true, sheet)
	var probs *poll.Problems
	var he *echo.HTTPError
	switch {
	case err == nil:
		d.Upload = up
		d.Questions = u.questionLinks(lang, up.Questions)
		if d.PendingID, err = randomID(); err != nil {
			return err
		}
		if !u.sessions.setPending(sess, &pendingUpload{id: d.PendingID, name: name, question: question, sheet: sheet, data: data}) {
			status, d.Upload, d.PendingID = http.StatusServiceUnavailable, nil, ""
			d.Error = site.Translate(lang, "upload.preview.full", byteSize(u.sessions.pendingLimit))
		}
	case errors.As(err, &probs):
		status, d.Problems = http.StatusUnprocessableEntity, probs.List
	case errors.As(err, &he):
		status, d.Error = he.Code, fmt.Sprint(he.Message)
	case poll.ErrorCode(err) == poll.EFORBIDDEN || poll.ErrorCode(err) == poll.EINVALID:
		status, d.Error = statusOf(poll.ErrorCode(err)), poll.ErrorMessage(err)
	default:
		return err
	}
	switch {
	case status == http.StatusUnsupportedMediaType || status == http.StatusRequestEntityTooLarge:
	case isWorkbookUpload(name, data):
		d.Table = workbookPreview(data, sheet, d.Problems)
	default:
		text, enc, _ := pollcsv.DecodeText(data)
		d.Encoding = enc
		d.Table = buildPreview(text, d.Problems)
	}
	return u.cfg.Render(c, status, "upload_preview", site.Translate(lang, "upload.preview.title"), d)
}

// confirm is POST /upload/confirm: stores the previewed file named by the
// field "pending" and redirects to /upload with the stored upload.
func (u *Handler) confirm(c echo.Context) error {
	sess, a := u.signedIn(c)
	lang := site.LangOf(c)
	if a == nil {
		return u.renderUploadPage(c, http.StatusUnauthorized, nil, site.Translate(lang, "upload.signin.needed"))
	}
	p := u.sessions.takePending(sess, c.FormValue("pending"))
	if p == nil {
		return u.renderUploadPage(c, http.StatusConflict, a, site.Translate(lang, "upload.confirm.none"))
	}
	up, err := u.ingest(a, p.name, bytes.NewReader(p.data), p.question, false, p.sheet)
	if err != nil {
		// the database changed since the preview, or the account did
		var probs *poll.Problems
		if errors.As(err, &probs) || poll.ErrorCode(err) == poll.EFORBIDDEN {
			return u.renderUploadPage(c, statusOf(poll.ErrorCode(err)), a, site.Translate(lang, "upload.confirm.failed", poll.ErrorMessage(err)))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, uploadPath(c, url.Values{"stored": {up.ID}}))
}

// cancel is POST /upload/cancel: forgets the previewed file.
func (u *Handler) cancel(c echo.Context) error {
	if sess, a := u.signedIn(c); a != nil {
		u.sessions.takePending(sess, c.FormValue("pending"))
	}
	return c.Redirect(http.StatusSeeOther, uploadPath(c, nil))
}

// buildPreview lays data out as a table (at most previewMaxRows records)
// and puts each problem in its cell, or in its row when it names no
// column of the row. It returns nil for data that is not UTF-8 text.
func buildPreview(data []byte, probs []poll.Problem) *previewTable {
	if !utf8.Valid(data) {
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	t := &previewTable{}
	var starts []int // first line of the header and each shown row
	nextLine := 0    // first line of the first record not shown; 0 when all are
	for {
		rec, err := r.Read()
		if err != nil {
			// At a malformed record the table stops; the problem list
			// says what is wrong there.
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.StartLine > 0 {
				nextLine = pe.StartLine
			}
			break
		}
		line, _ := r.FieldPos(0)
		if len(starts) > previewMaxRows {
			if nextLine == 0 {
				nextLine = line
			}
			t.Hidden++
			continue
		}
		starts = append(starts, line)
		cells := make([]previewCell, len(rec))
		for i, f := range rec {
			cells[i] = previewCell{Text: shorten(f, 120)}
		}
		if len(starts) == 1 {
			t.Header = cells
			continue
		}
		for i := range cells {
			if i < len(t.Header) {
				cells[i].Column = t.Header[i].Text
			}
		}
		t.Rows = append(t.Rows, previewRow{Line: line, Cells: cells})
	}
	if len(starts) == 0 {
		return nil
	}
	colOf := func(p poll.Problem, n int) int {
		if p.Column != "" {
			want := strings.ToLower(strings.TrimSpace(p.Column))
			for i, h := range t.Header {
				if strings.ToLower(strings.TrimSpace(h.Text)) == want && i < n {
					return i
				}
			}
		}
		if p.ColNum > 0 && p.ColNum <= n {
			return p.ColNum - 1
		}
		return -1
	}
	for _, p := range probs {
		if p.Line < starts[0] || (nextLine > 0 && p.Line >= nextLine) {
			t.Unplaced = append(t.Unplaced, p)
			continue
		}
		i := sort.SearchInts(starts, p.Line+1) - 1 // the last record starting at or before the line
		if i == 0 {
			if j := colOf(p, len(t.Header)); j >= 0 {
				t.Header[j].Bad = true
				t.Header[j].Notes = append(t.Header[j].Notes, p.Message)
			} else {
				t.Unplaced = append(t.Unplaced, p)
			}
			continue
		}
		row := &t.Rows[i-1]
		row.Bad = true
		if j := colOf(p, len(row.Cells)); j >= 0 {
			row.Cells[j].Bad = true
			row.Cells[j].Notes = append(row.Cells[j].Notes, p.Message)
		} else if p.Column != "" {
			row.Notes = append(row.Notes, p.Column+": "+p.Message)
		} else {
			row.Notes = append(row.Notes, p.Message)
		}
	}
	return t
}

// shorten cuts s to at most n runes, marking the cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
