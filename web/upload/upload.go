// Package upload is pollagg's write side for pollsters: the upload API
// (POST /api/v1/uploads and the account's upload list), results files for
// the operator, and the upload page (/upload) with its sessions, previews
// and confirmation. Package web mounts it with [Handler.Routes] and
// renders its pages (Templates) in the site's layout.
//
// The upload API (token in "Authorization: Bearer", JSON answers):
//
//	POST   /api/v1/uploads[?question=ID][&dry_run=true][&file_name=NAME][&sheet=NAME]
//	         body: the CSV (Content-Type text/csv, application/csv,
//	         text/plain or application/vnd.ms-excel), an .xlsx workbook
//	         (its media type or a zip signature; see formats.go) or
//	         multipart/form-data with the file in the field "file".
//	         201 {"upload": {...}, "location": "/api/v1/uploads/u000001"} (+ Location header)
//	         200 the same shape for a dry run, with "id": "" and "location": ""
//	         400 bad parameters or multipart body; 401 no or a wrong token;
//	         403 a row names a pollster the token may not publish;
//	         413 over Config.MaxUploadBytes; 415 not CSV (another media
//	         type, a charset other than UTF-8, or a binary body);
//	         422 every problem of the file, nothing stored; 429 too many
//	         uploads from one address.
//	GET    /api/v1/uploads[?limit=N]   {"uploads": [...], "total": N}: the
//	         account's own uploads, newest first (an operator sees all,
//	         or one account's with ?account=NAME)
//	GET    /api/v1/uploads/{id}        {"upload": {...}, "revisions": [...]}:
//	         the poll revisions it brought (the owner or an operator)
//
// A poll's history (GET /api/v1/polls/{id}/revisions) and its retraction
// (DELETE /api/v1/polls/{id}) are served by package web, beside the poll's
// page.
//
// A body that is text in CP949 (Korean Excel) or UTF-16 is read as such
// by the CSV reader; text in another encoding gets its 422 saying how to
// save it as UTF-8; NUL bytes in text are refused at their lines (422); a
// body that is binary (other control bytes, a PDF, an old .xls) is 415.
//
// Dry runs validate and count exactly as an upload would and then roll
// back: the database file stays byte-for-byte the same, so a dry run is
// not part of the stored audit trail. It is written to the server log.
//
// The upload page (/upload) signs in with the same token, previews a file
// with every problem marked at its row and column, and stores it only when
// the pollster confirms (see session.go for sessions).
package upload

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web/auth"
	"github.com/pollagg/pollagg/web/site"
)

// Templates are the upload pages, templates/upload.html and
// templates/upload_preview.html. Each defines the blocks "title" and
// "content" of the site's layout, and receives the layout's page value
// with the page's data in its field Data; the server parses them with its
// layout, and Config.Render renders them by name ("upload",
// "upload_preview").
//
//go:embed templates
var Templates embed.FS

// Config is what the upload side needs from the server that mounts it.
// Every field must be set.
type Config struct {
	// DB is the store uploads go into and accounts are read from.
	DB *store.DB
	// MaxUploadBytes caps an upload's body.
	MaxUploadBytes int64
	// MaxPreviewBytes caps the previewed files the upload page holds for
	// confirmation, across all sessions (the server's default is
	// DefaultMaxPreviewBytes).
	MaxPreviewBytes int64
	// UploadRate is how many upload requests per second one client
	// address may make (with bursts of five, or the rate when higher).
	UploadRate float64
	// Now returns the current time (sessions expire by it).
	Now func() time.Time
	// Log receives a line per upload stored or dry run, and errors.
	Log *slog.Logger
	// Render writes page name (one of Templates) in the site's layout
	// with status, title and data.
	Render func(c echo.Context, status int, name, title string, data any) error
	// Calibration returns the stored calibration, nil when there is none.
	Calibration func() (*poll.Calibration, error)
	// AfterImport refreshes the calibration in the background after polls
	// of questions were stored; it logs its own errors.
	AfterImport func(questions []string)
	// Refresh recomputes the whole calibration, one refresh at a time with
	// those of AfterImport; the channel gets its error (or nil) when done.
	Refresh func() <-chan error
}

// Handler serves the upload API and page. It holds the state that lives
// only in memory: sessions and the rate limiters' counters.
type Handler struct {
	cfg      Config
	sessions *sessions
}

// New returns the upload side for cfg; mount it with [Handler.Routes].
func New(cfg Config) *Handler {
	u := &Handler{cfg: cfg, sessions: newSessions(cfg.Now)}
	u.sessions.pendingLimit = cfg.MaxPreviewBytes
	return u
}

// Response is the answer to POST /api/v1/uploads.
type Response struct {
	Upload *poll.Upload `json:"upload"`
	// Location is the stored upload's address; "" for a dry run.
	Location string `json:"location"`
}

// List is the answer to GET /api/v1/uploads.
type List struct {
	Uploads []poll.Upload `json:"uploads"` // newest first, at most limit
	Total   int           `json:"total"`   // all the caller's uploads
}

// Detail is the answer to GET /api/v1/uploads/{id}.
type Detail struct {
	Upload *poll.Upload `json:"upload"`
	// Revisions are the poll revisions the upload made (added or
	// changed polls; unchanged ones made none).
	Revisions []Revision `json:"revisions"`
}

// Revision is one poll revision an upload made.
type Revision struct {
	PollID     string `json:"poll_id"`
	QuestionID string `json:"question_id"`
	Pollster   string `json:"pollster"`
	Revision   int    `json:"revision"`
	URL        string `json:"url"` // the poll's page
}

// csvTypes are the media types accepted as a CSV body.
var csvTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true,
	"application/vnd.ms-excel": true, "text/comma-separated-values": true,
	// workbooks: ingest tells them from CSV by their signature
	pollcsv.XLSXMediaType: true, "application/zip": true, "application/octet-stream": true,
}

// Routes registers the upload API on api (the group /api/v1) and the
// upload page on e.
func (u *Handler) Routes(e *echo.Echo, api *echo.Group) {
	limit := u.limiter()
	body := bodyLimit(u.cfg.MaxUploadBytes, "this server's upload limit (pollagg serve --max-upload)")
	small := bodyLimit(64<<10, "the limit for this form")
	token := auth.RequireToken(u.cfg.DB)

	// Order matters: the rate limit first (it also slows token guessing),
	// then the token (which reads no body), then the body limit.
	api.POST("/uploads", u.postUpload, limit, token, body)
	api.GET("/uploads", u.listUploads, token, site.JSONOnly)
	api.GET("/uploads/:id", u.getUpload, token, site.JSONOnly)

	// The body limit runs before CSRF, whose form lookup parses the body.
	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "pollagg_csrf",
		CookiePath:     "/upload",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
	})
	pageLimit := u.limiter() // the page's own counters, apart from the API's
	e.GET("/upload", u.page, csrf)
	e.POST("/upload/signin", u.signIn, pageLimit, small, csrf)
	e.POST("/upload/signout", u.signOut, small, csrf)
	e.POST("/upload/preview", u.preview, pageLimit, body, csrf)
	e.POST("/upload/confirm", u.confirm, pageLimit, small, csrf)
	e.POST("/upload/cancel", u.cancel, small, csrf)
	// Pages answered to a POST carry the path of that POST (the language
	// switch links to it); a GET there goes back to the form.
	for _, p := range []string{"/upload/signin", "/upload/signout", "/upload/preview", "/upload/confirm", "/upload/cancel"} {
		e.GET(p, func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, uploadPath(c, nil)) })
	}
}

// bodyLimit is Echo's body limit whose 413 says what the limit is, so
// that a pollster knows how far over it the file is.
func bodyLimit(max int64, what string) echo.MiddlewareFunc {
	limit := middleware.BodyLimit(fmt.Sprintf("%dB", max))
	msg := fmt.Sprintf("the body is larger than %s of %s bytes: split the file, or ask the operator to raise the limit",
		what, site.FormatNum(float64(max), 0))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := limit(next)
		return func(c echo.Context) error {
			err := h(c)
			if he := (*echo.HTTPError)(nil); errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, msg)
			}
			return err
		}
	}
}

// limiter limits upload requests per client address (the address Echo's
// IPExtractor gives: the server that mounts the routes uses the peer's)
// to Config.UploadRate a second, with bursts of five (or the rate, when
// higher). Its counters live in memory.
func (u *Handler) limiter() echo.MiddlewareFunc {
	burst := 5
	if b := int(math.Ceil(u.cfg.UploadRate)); b > burst {
		burst = b
	}
	retry := strconv.Itoa(int(math.Max(1, math.Ceil(1/u.cfg.UploadRate))))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(u.cfg.UploadRate), Burst: burst,
		}),
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retry)
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many uploads from this address: wait a moment and try again")
		},
	})
}

// sourceReader passes a request body through, counting its bytes and
// keeping the first error other than EOF (so that a body-limit 413 is not
// mistaken for a problem in the file).
type sourceReader struct {
	r   io.Reader
	n   int64
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// errBinary is the 415 for a body that is not text; sniffed is what
// http.DetectContentType made of it.
func errBinary(sniffed string) error {
	kind := "binary data"
	if mt, _, err := mime.ParseMediaType(sniffed); err == nil && mt != "application/octet-stream" {
		kind = mt
	}
	return echo.NewHTTPError(http.StatusUnsupportedMediaType,
		fmt.Sprintf("the file is not CSV text (it looks like %s): export it from your spreadsheet as \"CSV UTF-8\"", kind))
}

// ingest reads one file and imports it for account a (a dry run when dry
// is set). Errors: *poll.Problems (422), EFORBIDDEN (403), the body
// limit's 413 and a 415 for binary content, unwrapped.
func (u *Handler) ingest(a *store.Account, name string, body io.Reader, question string, dry bool, sheet string) (*poll.Upload, error) {
	src := &sourceReader{r: body}
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(512)
	if src.err != nil {
		return nil, bodyError(src.err)
	}
	workbook := isWorkbookUpload(name, head)
	if len(head) > 0 && !workbook && !looksLikeUTF16(head) {
		if ct := sniffText(head); !strings.HasPrefix(ct, "text/") {
			return nil, errBinary(ct)
		}
	}
	if pollcsv.IsResults(head) {
		return nil, resultsElsewhere(a)
	}
	if sheet != "" && !workbook {
		return nil, poll.Errorf(poll.EINVALID, "sheet: %q was given, but the file is not an .xlsx workbook", sheet)
	}
	h := sha256.New()
	tee := io.TeeReader(br, h)
	var batch *pollcsv.Batch
	var err error
	if workbook {
		batch, err = pollcsv.ReadXLSX(name, tee, pollcsv.XLSXOptions{Options: pollcsv.Options{QuestionID: question}, Sheet: sheet})
	} else {
		batch, err = pollcsv.Read(name, tee, pollcsv.Options{QuestionID: question})
	}
	if err == nil {
		_, err = io.Copy(io.Discard, tee) // the rest, for the digest and size
	}
	switch {
	case src.err != nil:
		return nil, bodyError(src.err)
	case err != nil:
		return nil, workbookError(err)
	}
	up, err := u.cfg.DB.Import(store.ImportRequest{
		Batch: batch, Account: a.Name, FileName: name, SHA256: hex.EncodeToString(h.Sum(nil)),
		Size: src.n, DryRun: dry, MayPublish: auth.PublishRule(a),
	})
	if err != nil {
		return nil, err
	}
	normalizeUpload(up)
	if dry {
		u.cfg.Log.Info("upload dry run (not stored)", "account", a.Name, "file", name, "sha256", up.SHA256,
			"size", up.Size, "format", up.Format, "counts", up.Counts.String())
	} else {
		u.cfg.Log.Info("upload stored", "id", up.ID, "account", a.Name, "file", name, "sha256", up.SHA256,
			"size", up.Size, "counts", up.Counts.String())
		// the ratings and shared error learn from the polls of questions
		// with results: refresh them in the background (errors are logged)
		u.cfg.AfterImport(up.Questions)
	}
	return up, nil
}

// looksLikeUTF16 reports whether head starts with a UTF-16 byte-order mark:
// text the reader rejects with advice rather than a binary file.
func looksLikeUTF16(head []byte) bool {
	return bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
}

// normalizeUpload gives an upload a stable JSON shape: questions sorted
// and never null.
func normalizeUpload(up *poll.Upload) {
	if up.Questions == nil {
		up.Questions = []string{}
	}
	sort.Strings(up.Questions)
}

// cleanFileName keeps the base name of a client's file name, without
// control characters, at most 200 bytes; "upload.csv" when nothing is left.
func cleanFileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s))
	for len(s) > 200 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	if s == "" || s == "." || s == "/" {
		return "upload.csv"
	}
	return s
}

// uploadParams reads ?question and ?dry_run.
func uploadParams(c echo.Context) (question string, dry bool, err error) {
	question = strings.TrimSpace(c.QueryParam("question"))
	if question != "" && !poll.ValidSlug(question) {
		return "", false, poll.Errorf(poll.EINVALID, "question: %q is not a question id (lower-case letters, digits and '-')", question)
	}
	if s := strings.TrimSpace(c.QueryParam("dry_run")); s != "" {
		if dry, err = site.ParseBool("dry_run", s); err != nil {
			return "", false, err
		}
	}
	return question, dry, nil
}

// bodyError is the answer to a request body that could not be read: the
// body limit's 413 unchanged, and anything else (a client that went away
// mid-upload, a broken chunked encoding) a 400, never a 500.
func bodyError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	return poll.Errorf(poll.EINVALID, "the request body could not be read: %v", err)
}

// formFile returns the multipart field "file", turning the ways it can
// fail into the right answers: the body limit's 413 unchanged, a missing
// field or a malformed body 400.
func formFile(c echo.Context) (name string, r io.ReadCloser, err error) {
	src := &sourceReader{r: c.Request().Body}
	c.Request().Body = io.NopCloser(src)
	fh, err := c.FormFile("file")
	if err != nil {
		var he *echo.HTTPError
		switch {
		case errors.As(src.err, &he):
			return "", nil, he
		case errors.As(err, &he):
			return "", nil, he
		case errors.Is(err, http.ErrMissingFile):
			return "", nil, poll.Errorf(poll.EINVALID, `the multipart body has no file field "file"`)
		}
		return "", nil, poll.Errorf(poll.EINVALID, "the multipart body cannot be read: %v", err)
	}
	if mf := c.Request().MultipartForm; mf != nil && len(mf.File["file"]) > 1 {
		return "", nil, poll.Errorf(poll.EINVALID, `the multipart body has %d fields "file"; send one file per upload`, len(mf.File["file"]))
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, fmt.Errorf("upload: opening the uploaded file: %w", err)
	}
	return cleanFileName(fh.Filename), f, nil
}

// apiSource returns the file of an upload request: the body itself for a
// CSV media type, the field "file" of a multipart body; 415 otherwise.
func apiSource(c echo.Context) (name string, r io.ReadCloser, err error) {
	ct := c.Request().Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"send the CSV as the body with Content-Type: text/csv, or as the field \"file\" of a multipart/form-data body")
	}
	switch {
	case mt == "multipart/form-data":
		return formFile(c)
	case csvTypes[mt]:
		if cs := strings.ToLower(params["charset"]); cs != "" && !readableCharsets[cs] {
			return "", nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
				fmt.Sprintf("charset %q: pollagg reads UTF-8, CP949/EUC-KR and UTF-16 only; export the file as \"CSV UTF-8\"", params["charset"]))
		}
		name := c.QueryParam("file_name")
		if name == "" {
			if _, p, err := mime.ParseMediaType(c.Request().Header.Get("Content-Disposition")); err == nil {
				name = p["filename"]
			}
		}
		return cleanFileName(name), c.Request().Body, nil
	}
	return "", nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
		fmt.Sprintf("Content-Type %q is not CSV: send text/csv (or application/csv, text/plain), or multipart/form-data with the field \"file\"", mt))
}

// postUpload is POST /api/v1/uploads.
func (u *Handler) postUpload(c echo.Context) error {
	a := auth.Account(c)
	question, dry, err := uploadParams(c)
	if err != nil {
		return err
	}
	sheet, err := sheetParam(c.QueryParam("sheet"))
	if err != nil {
		return err
	}
	name, r, err := apiSource(c)
	if err != nil {
		return err
	}
	defer r.Close()
	// a results file (question_id,date,answer,pct) is the operator's
	src := &sourceReader{r: r}
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(512)
	if src.err != nil {
		return bodyError(src.err)
	}
	if pollcsv.IsResults(head) {
		return u.postResults(c, a, name, br, src, question, dry)
	}
	up, err := u.ingest(a, name, br, question, dry, sheet)
	if err != nil {
		return err
	}
	if up.DryRun {
		return c.JSON(http.StatusOK, Response{Upload: up})
	}
	loc := "/api/v1/uploads/" + up.ID
	c.Response().Header().Set("Location", loc)
	return c.JSON(http.StatusCreated, Response{Upload: up, Location: loc})
}

// listUploads is GET /api/v1/uploads.
func (u *Handler) listUploads(c echo.Context) error {
	a := auth.Account(c)
	account := a.Name
	if a.Operator {
		account = strings.TrimSpace(c.QueryParam("account"))
		// an account's name or alias, in any case and spacing, names the
		// account (as everywhere else); other names ("seed", "cli") are
		// taken as they are recorded
		if account != "" {
			if acc, err := u.cfg.DB.Account(account); err == nil {
				account = acc.Name
			} else if poll.ErrorCode(err) != poll.ENOTFOUND && poll.ErrorCode(err) != poll.EINVALID {
				return err
			}
		}
	}
	limit := 100
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return poll.Errorf(poll.EINVALID, "limit: %q must be a number from 1 to 1000", s)
		}
		limit = n
	}
	list, err := u.cfg.DB.Uploads(account)
	if err != nil {
		return err
	}
	out := List{Uploads: list, Total: len(list)}
	if len(out.Uploads) > limit {
		out.Uploads = out.Uploads[:limit]
	}
	if out.Uploads == nil {
		out.Uploads = []poll.Upload{}
	}
	for i := range out.Uploads {
		normalizeUpload(&out.Uploads[i])
	}
	return c.JSON(http.StatusOK, out)
}

// ownUpload returns upload id when a may see it: its own, or any for an
// operator. Another account's upload is ENOTFOUND, as if it did not exist.
func (u *Handler) ownUpload(a *store.Account, id string) (*poll.Upload, error) {
	up, err := u.cfg.DB.Upload(id)
	if err != nil {
		return nil, err
	}
	if !a.Operator && up.Account != a.Name {
		return nil, poll.Errorf(poll.ENOTFOUND, "no upload %q", id)
	}
	normalizeUpload(up)
	return up, nil
}

// getUpload is GET /api/v1/uploads/{id}.
func (u *Handler) getUpload(c echo.Context) error {
	up, err := u.ownUpload(auth.Account(c), c.Param("id"))
	if err != nil {
		return err
	}
	revs, err := u.revisionsOf(up)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Detail{Upload: up, Revisions: revs})
}

// revisionsOf finds the poll revisions an upload made, in its questions.
func (u *Handler) revisionsOf(up *poll.Upload) ([]Revision, error) {
	out := []Revision{}
	for _, q := range up.Questions {
		recs, err := u.cfg.DB.Records(q, true)
		if poll.ErrorCode(err) == poll.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, r := range recs {
			for _, rev := range r.Revisions {
				if rev.UploadID == up.ID {
					out = append(out, Revision{PollID: rev.Poll.ID, QuestionID: q, Pollster: rev.Poll.Pollster,
						Revision: rev.Number, URL: "/polls/" + rev.Poll.ID})
				}
			}
		}
	}
	return out, nil
}
