package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web"
	"github.com/pollagg/pollagg/web/upload"
)

// Files the tests upload. alphaCSV holds two polls of Alpha Research (one
// under its alias); alphaBadCSV has one good and two bad rows.
const (
	alphaCSV = "poll_id,pollster,sponsor,start_date,end_date,sample_size,mode,question_id,wording,source_url,support,oppose,undecided\n" +
		"a1,Alpha Research,Daily A,2023-03-07,2023-03-08,1000,Online,test-q,\"Do you support the plan?\",https://example.org/a1,36,58,6\n" +
		"a2,알파리서치,,2023-03-14,2023-03-16,1002,전화면접,test-q,,,35,55,10\n"
	alphaBadCSV = "poll_id,pollster,start_date,end_date,sample_size,question_id,support,oppose\n" +
		"a3,Alpha Research,2023-04-01,2023-04-02,1000,test-q,40,50\n" +
		"a4,Alpha Research,2023-04-03,2023-04-04,1000,test-q,abc,50\n" +
		"a5,Alpha Research,2023-04-06,2023-04-05,1000,test-q,40,50\n"
	betaCSV = "poll_id,pollster,start_date,end_date,sample_size,question_id,support,oppose\n" +
		"b1,Beta Polling,2023-03-20,2023-03-21,800,test-q,41,49\n"
)

// upEnv is a server on a fresh database with three accounts: Alpha
// Research (alias 알파리서치), Beta Polling and the operator.
type upEnv struct {
	db                 *store.DB
	srv                *web.Server
	log                *syncBuffer
	alpha, beta, admin string // tokens
}

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

func newUpEnv(t *testing.T, cfg web.Config) *upEnv {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "up.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	env := &upEnv{db: db, log: &syncBuffer{}}
	if _, env.alpha, err = db.AddPollster("Alpha Research", []string{"알파리서치"}); err != nil {
		t.Fatal(err)
	}
	if _, env.beta, err = db.AddPollster("Beta Polling", nil); err != nil {
		t.Fatal(err)
	}
	if _, env.admin, err = db.OperatorToken(); err != nil {
		t.Fatal(err)
	}
	if cfg.UploadRate == 0 {
		cfg.UploadRate = 1000
	}
	cfg.Log = env.log
	if env.srv, err = web.NewServer(db, cfg); err != nil {
		t.Fatal(err)
	}
	return env
}

// dbSum is the SHA-256 of the database file as it is on disk.
func (env *upEnv) dbSum(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(env.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// do serves one request; a token of "" sends no Authorization header.
func (env *upEnv) do(t *testing.T, method, target, token, contentType string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)
	return rec
}

func (env *upEnv) upload(t *testing.T, token, csv, query string) *httptest.ResponseRecorder {
	t.Helper()
	return env.do(t, http.MethodPost, "/api/v1/uploads"+query, token, "text/csv", strings.NewReader(csv))
}

// uploadResponse mirrors upload.Response with every key required.
type uploadResponse struct {
	Upload   poll.Upload `json:"upload"`
	Location string      `json:"location"`
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	return v
}

// errorBody mirrors web.ErrorBody.
type errorBody struct {
	Error struct {
		Status   int    `json:"status"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Problems []struct {
			Line    *int   `json:"line"`
			Column  string `json:"column"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"error"`
}

// wantError checks an error answer's status and its JSON body.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	e := decode[errorBody](t, rec)
	if e.Error.Status != status || e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error body %+v, want status %d code %q and a message", e.Error, status, code)
	}
	return e
}

func TestUpload_Created(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	rec := env.upload(t, env.alpha, alphaCSV, "?file_name=../march.csv")
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	// the exact shape: every key, always
	var shape struct {
		Upload   map[string]json.RawMessage `json:"upload"`
		Location string                     `json:"location"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &shape); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "account", "time", "file_name", "sha256", "size", "format", "questions", "counts", "dry_run"} {
		if _, ok := shape.Upload[k]; !ok {
			t.Errorf("upload lacks %q: %s", k, rec.Body)
		}
	}
	r := decode[uploadResponse](t, rec)
	sum := sha256.Sum256([]byte(alphaCSV))
	u := r.Upload
	switch {
	case u.ID != "u000001":
		t.Errorf("id %q", u.ID)
	case r.Location != "/api/v1/uploads/u000001" || rec.Header().Get("Location") != r.Location:
		t.Errorf("location %q, header %q", r.Location, rec.Header().Get("Location"))
	case u.Account != "Alpha Research":
		t.Errorf("account %q", u.Account)
	case u.SHA256 != hex.EncodeToString(sum[:]) || u.Size != int64(len(alphaCSV)):
		t.Errorf("sha256 %s size %d, want the body's", u.SHA256, u.Size)
	case u.FileName != "march.csv":
		t.Errorf("file_name %q, want the base name", u.FileName)
	case u.Format != "wide" || strings.Join(u.Questions, ",") != "test-q" || u.DryRun:
		t.Errorf("upload %+v", u)
	case u.Counts != (poll.Counts{Added: 2}):
		t.Errorf("counts %+v, want 2 added", u.Counts)
	}
	polls, err := env.db.Polls("test-q")
	if err != nil || len(polls) != 2 {
		t.Fatalf("stored %d polls (%v), want 2", len(polls), err)
	}
}

func TestUpload_Multipart(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", `C:\exports\alpha.csv`)
	fw.Write([]byte(alphaCSV))
	mw.Close()
	rec := env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, mw.FormDataContentType(), &body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := decode[uploadResponse](t, rec)
	if r.Upload.FileName != "alpha.csv" || r.Upload.Counts.Added != 2 {
		t.Errorf("upload %+v", r.Upload)
	}

	// a multipart body without the field "file" is a 400, not a 500
	body.Reset()
	mw = multipart.NewWriter(&body)
	mw.WriteField("other", "x")
	mw.Close()
	wantError(t, env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, mw.FormDataContentType(), &body), 400, poll.EINVALID)
	// nor is a body that is not multipart at all
	wantError(t, env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, "multipart/form-data; boundary=zz", strings.NewReader("garbage")), 400, poll.EINVALID)
	// two files in one upload are refused, not half taken
	body.Reset()
	mw = multipart.NewWriter(&body)
	for _, name := range []string{"a.csv", "b.csv"} {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(alphaCSV))
	}
	mw.Close()
	rec = env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, mw.FormDataContentType(), &body)
	wantError(t, rec, 400, poll.EINVALID)
	if !strings.Contains(rec.Body.String(), `has 2 fields \"file\"`) {
		t.Errorf("two files: %s", rec.Body)
	}
}

// TestUpload_Replay checks that an upload is idempotent: the same file
// again adds nothing and changes nothing.
func TestUpload_Replay(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	if rec := env.upload(t, env.alpha, alphaCSV, ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	rec := env.upload(t, env.alpha, alphaCSV, "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got, want := decode[uploadResponse](t, rec).Upload.Counts, (poll.Counts{Unchanged: 2}); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	recs, _ := env.db.Records("test-q", true)
	if len(recs) != 2 {
		t.Fatalf("%d polls, want 2", len(recs))
	}
	for _, r := range recs {
		if len(r.Revisions) != 1 {
			t.Errorf("poll %s has %d revisions, want 1", r.Current().ID, len(r.Revisions))
		}
	}
}

// TestUpload_Correction checks that changed numbers make a new revision
// and keep the old one.
func TestUpload_Correction(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	fixed := strings.Replace(alphaCSV, ",36,58,6", ",38,56,6", 1)
	rec := env.upload(t, env.alpha, fixed, "")
	if rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	if got, want := decode[uploadResponse](t, rec).Upload.Counts, (poll.Counts{Changed: 1, Unchanged: 1}); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	id := pollIDOf(t, env, "Alpha Research", "a1")
	rec = env.do(t, http.MethodGet, "/api/v1/polls/"+id+"/revisions", "", "", nil)
	if rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	h := decode[web.PollHistory](t, rec)
	if len(h.Revisions) != 2 || h.Revisions[0].UploadID != "u000001" || h.Revisions[1].UploadID != "u000002" {
		t.Fatalf("revisions %+v", h.Revisions)
	}
	if h.Revisions[0].Poll.Results.Pct("support") != 36 || h.Revisions[1].Poll.Results.Pct("support") != 38 {
		t.Errorf("old revision not kept: %+v", h.Revisions)
	}
	want := []web.Change{{Field: "oppose", From: "58", To: "56"}, {Field: "support", From: "36", To: "38"}}
	if got := h.Revisions[1].Changes; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("changes %+v, want %+v", got, want)
	}
	if h.Retracted != nil || len(h.Revisions[0].Changes) != 0 {
		t.Errorf("history %+v", h)
	}
}

func pollIDOf(t *testing.T, env *upEnv, pollster, external string) string {
	t.Helper()
	return poll.PollID(&poll.Poll{QuestionID: "test-q", Pollster: pollster, ExternalID: external})
}

func TestUpload_Unauthorized(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	revoked := env.beta
	if _, err := env.db.RevokeToken("Beta Polling"); err != nil {
		t.Fatal(err)
	}
	before := env.dbSum(t)
	for name, auth := range map[string]string{
		"None":    "",
		"Basic":   "Basic " + env.alpha,
		"Empty":   "Bearer ",
		"Wrong":   "Bearer " + strings.Repeat("A", 43),
		"Garbage": "Bearer <script>",
		"Revoked": "Bearer " + revoked,
	} {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/uploads", strings.NewReader(alphaCSV))
			req.Header.Set("Content-Type", "text/csv")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			rec := httptest.NewRecorder()
			env.srv.ServeHTTP(rec, req)
			wantError(t, rec, http.StatusUnauthorized, poll.EUNAUTHORIZED)
			if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
	for _, target := range []string{"/api/v1/uploads", "/api/v1/uploads/u000001"} {
		wantError(t, env.do(t, http.MethodGet, target, "", "", nil), 401, poll.EUNAUTHORIZED)
	}
	wantError(t, env.do(t, http.MethodDelete, "/api/v1/polls/0123456789abcdef", "", "", nil), 401, poll.EUNAUTHORIZED)
	if env.dbSum(t) != before {
		t.Fatal("refused requests changed the database file")
	}
}

// TestUpload_Forbidden checks that a pollster cannot write another's
// polls, not even one row of a file, and that the file is refused whole.
func TestUpload_Forbidden(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	before := env.dbSum(t)
	e := wantError(t, env.upload(t, env.beta, alphaCSV, ""), http.StatusForbidden, poll.EFORBIDDEN)
	if !strings.Contains(e.Error.Message, "Alpha Research") {
		t.Errorf("message %q does not name the pollster", e.Error.Message)
	}
	mixed := betaCSV + "a9,Alpha Research,2023-03-22,2023-03-23,700,test-q,40,50\n"
	wantError(t, env.upload(t, env.beta, mixed, ""), http.StatusForbidden, poll.EFORBIDDEN)
	wantError(t, env.upload(t, env.beta, mixed, "?dry_run=true"), http.StatusForbidden, poll.EFORBIDDEN)
	if env.dbSum(t) != before {
		t.Fatal("a refused upload changed the database file")
	}
	// Beta cannot overwrite Alpha's stored poll either: a row with Alpha's
	// poll id under Beta's name is a different poll of Beta's.
	env.upload(t, env.alpha, alphaCSV, "")
	if rec := env.upload(t, env.beta, strings.Replace(betaCSV, "b1,", "a1,", 1), ""); rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	r, err := env.db.Record(pollIDOf(t, env, "Alpha Research", "a1"))
	if err != nil || len(r.Revisions) != 1 || r.Current().Pollster != "Alpha Research" {
		t.Fatalf("Alpha's poll: %+v %v", r, err)
	}
	// and the operator may publish for anyone
	rec := env.upload(t, env.admin, strings.Replace(betaCSV, "b1,Beta Polling,2023-03-20,2023-03-21", "b2,Beta Polling,2023-03-22,2023-03-23", 1)+"z1,Gamma,2023-03-01,2023-03-02,900,test-q,30,60\n", "")
	if rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	if u := decode[uploadResponse](t, rec).Upload; u.Account != store.OperatorName || u.Counts.Added != 2 {
		t.Errorf("operator upload %+v", u)
	}
}

func TestUpload_Problems(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	before := env.dbSum(t)
	e := wantError(t, env.upload(t, env.alpha, alphaBadCSV, ""), http.StatusUnprocessableEntity, poll.EINVALID)
	if len(e.Error.Problems) != 2 {
		t.Fatalf("problems %+v, want 2", e.Error.Problems)
	}
	p := e.Error.Problems[0]
	if p.Line == nil || *p.Line != 3 || p.Column != "support" || !strings.Contains(p.Message, `"abc"`) {
		t.Errorf("first problem %+v, want line 3, column support", p)
	}
	if p := e.Error.Problems[1]; p.Line == nil || *p.Line != 4 || p.Column != "end_date" {
		t.Errorf("second problem %+v, want line 4, end_date", p)
	}
	// a file that is not a poll file at all
	e = wantError(t, env.upload(t, env.alpha, "hello,world\n1,2\n", ""), 422, poll.EINVALID)
	if len(e.Error.Problems) == 0 || e.Error.Problems[0].Line == nil {
		t.Errorf("whole-file problems %+v", e.Error.Problems)
	}
	// an empty body
	wantError(t, env.upload(t, env.alpha, "", ""), 422, poll.EINVALID)
	// text that is neither UTF-8 nor CP949 nor UTF-16 reaches the reader,
	// whose message says how to save the file
	latin1 := "poll_id,pollster,start_date,end_date,question_id,support\nk1,Caf\xe9 \xff,2023-03-01,2023-03-02,test-q,40\n"
	e = wantError(t, env.upload(t, env.alpha, latin1, ""), 422, poll.EINVALID)
	if !strings.Contains(e.Error.Problems[0].Message, "UTF-8") {
		t.Errorf("undecodable text problem %+v", e.Error.Problems)
	}
	if env.dbSum(t) != before {
		t.Fatal("a rejected upload changed the database file")
	}
}

func TestUpload_DryRun(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	before := env.dbSum(t)
	fixed := strings.Replace(alphaCSV, ",36,58,6", ",38,56,6", 1) + "a6,Alpha Research,,2023-03-20,2023-03-21,900,Online,test-q,,,30,60,10\n"
	rec := env.upload(t, env.alpha, fixed, "?dry_run=true")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	r := decode[uploadResponse](t, rec)
	if r.Upload.ID != "" || r.Location != "" || !r.Upload.DryRun || rec.Header().Get("Location") != "" {
		t.Errorf("dry run answer %+v", r)
	}
	if got, want := r.Upload.Counts, (poll.Counts{Added: 1, Changed: 1, Unchanged: 1}); got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	if env.dbSum(t) != before {
		t.Fatal("a dry run changed the database file")
	}
	if ups, _ := env.db.Uploads(""); len(ups) != 1 {
		t.Errorf("%d uploads recorded, want 1 (dry runs are not stored)", len(ups))
	}
	if !strings.Contains(env.log.String(), "upload dry run") {
		t.Errorf("the dry run is not in the server log:\n%s", env.log)
	}
	// the same file for real does what the dry run said
	if got := decode[uploadResponse](t, env.upload(t, env.alpha, fixed, "")).Upload.Counts; got != r.Upload.Counts {
		t.Errorf("real upload %+v, dry run said %+v", got, r.Upload.Counts)
	}
}

func TestUpload_BadParameters(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	before := env.dbSum(t)
	wantError(t, env.upload(t, env.alpha, alphaCSV, "?dry_run=maybe"), 400, poll.EINVALID)
	wantError(t, env.upload(t, env.alpha, alphaCSV, "?question=Not%20A%20Slug"), 400, poll.EINVALID)
	// ?question names the question of rows without a question_id column
	noQ := "pollster,start_date,end_date,support,oppose\nAlpha Research,2023-05-01,2023-05-02,40,50\n"
	wantError(t, env.upload(t, env.alpha, noQ, ""), 422, poll.EINVALID)
	if env.dbSum(t) != before {
		t.Fatal("refused uploads changed the database file")
	}
	rec := env.upload(t, env.alpha, noQ, "?question=other-q")
	if rec.Code != 201 || decode[uploadResponse](t, rec).Upload.Questions[0] != "other-q" {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestUpload_TooLarge(t *testing.T) {
	env := newUpEnv(t, web.Config{MaxUploadBytes: 1024})
	big := alphaCSV + strings.Repeat("a7,Alpha Research,,2023-03-20,2023-03-21,900,Online,test-q,,,30,60,10\n", 60)
	before := env.dbSum(t)
	// with a Content-Length
	e := wantError(t, env.upload(t, env.alpha, big, ""), http.StatusRequestEntityTooLarge, "request_entity_too_large")
	if !strings.Contains(e.Error.Message, "upload limit (pollagg serve --max-upload) of 1,024 bytes") {
		t.Errorf("the 413 does not name the limit: %q", e.Error.Message)
	}
	// chunked: the limit trips while the file is read
	req := httptest.NewRequest(http.MethodPost, "/api/v1/uploads", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+env.alpha)
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)
	wantError(t, rec, http.StatusRequestEntityTooLarge, "request_entity_too_large")
	// chunked multipart
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "big.csv")
	fw.Write([]byte(big))
	mw.Close()
	req = httptest.NewRequest(http.MethodPost, "/api/v1/uploads", io.MultiReader(&body))
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+env.alpha)
	rec = httptest.NewRecorder()
	env.srv.ServeHTTP(rec, req)
	wantError(t, rec, http.StatusRequestEntityTooLarge, "request_entity_too_large")
	if env.dbSum(t) != before {
		t.Fatal("an over-size upload changed the database file")
	}
	// a file under the limit passes
	if rec := env.upload(t, env.alpha, alphaCSV, ""); rec.Code != 201 {
		t.Fatalf("small upload: %d %s", rec.Code, rec.Body)
	}
}

func TestUpload_UnsupportedMediaType(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	before := env.dbSum(t)
	zip := "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + strings.Repeat("\x00", 64)
	tests := []struct {
		name, contentType, body string
	}{
		{"JSON", "application/json", `{"polls": []}`},
		{"Form", "application/x-www-form-urlencoded", "a=b"},
		{"None", "", alphaCSV},
		{"Malformed", "text/csv; charset", alphaCSV},
		{"OtherCharset", "text/csv; charset=iso-8859-1", alphaCSV},
		{"Spreadsheet", "text/csv", zip},
		{"PDF", "application/vnd.ms-excel", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"},
		{"PNG", "text/plain", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, tt.contentType, strings.NewReader(tt.body))
			wantError(t, rec, http.StatusUnsupportedMediaType, "unsupported_media_type")
		})
	}
	if env.dbSum(t) != before {
		t.Fatal("a refused upload changed the database file")
	}
	// text/csv with charset=utf-8 and the other CSV types are fine
	for i, ct := range []string{"text/csv; charset=UTF-8", "application/csv", "text/plain", "application/vnd.ms-excel"} {
		csv := strings.ReplaceAll(betaCSV, "Beta Polling", "Alpha Research")
		csv = strings.Replace(csv, "b1,", fmt.Sprintf("c%d,", i), 1)
		if rec := env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, ct, strings.NewReader(csv)); rec.Code != 201 {
			t.Errorf("%s: status %d: %s", ct, rec.Code, rec.Body)
		}
	}
}

func TestUpload_RateLimit(t *testing.T) {
	env := newUpEnv(t, web.Config{UploadRate: 0.01}) // bursts of 5
	before := env.dbSum(t)
	var codes []int
	for i := 0; i < 7; i++ {
		rec := env.upload(t, "", alphaCSV, "")
		codes = append(codes, rec.Code)
		if i == 6 {
			wantError(t, rec, http.StatusTooManyRequests, "too_many_requests")
			if rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		}
	}
	if fmt.Sprint(codes) != "[401 401 401 401 401 429 429]" {
		t.Errorf("codes %v, want five 401s then 429s", codes)
	}
	// a valid token does not lift the limit
	wantError(t, env.upload(t, env.alpha, alphaCSV, ""), 429, "too_many_requests")
	// reading is not limited
	if rec := env.do(t, http.MethodGet, "/api/v1/uploads", env.alpha, "", nil); rec.Code != 200 {
		t.Errorf("GET uploads: %d", rec.Code)
	}
	if env.dbSum(t) != before {
		t.Fatal("rate-limited requests changed the database file")
	}
}

// TestUpload_Concurrent posts overlapping files from two goroutines: every
// upload lands whole (bbolt has one writer at a time), and at the end each
// poll is stored once with revisions numbered 1..n, each made by a stored
// upload.
func TestUpload_Concurrent(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	header := "poll_id,pollster,start_date,end_date,sample_size,question_id,support,oppose\n"
	fileA := header +
		"o1,Alpha Research,2023-06-01,2023-06-02,1000,test-q,40,50\n" +
		"o2,Alpha Research,2023-06-03,2023-06-04,1000,test-q,41,49\n" +
		"o3,Alpha Research,2023-06-05,2023-06-06,1000,test-q,42,48\n"
	fileB := header +
		"o2,Alpha Research,2023-06-03,2023-06-04,1000,test-q,45,45\n" + // o2 with other numbers
		"o3,Alpha Research,2023-06-05,2023-06-06,1000,test-q,42,48\n" +
		"o4,Alpha Research,2023-06-07,2023-06-08,1000,test-q,43,47\n"
	const rounds = 6
	var wg sync.WaitGroup
	results := make(chan *httptest.ResponseRecorder, 2*rounds)
	for _, f := range []string{fileA, fileB} {
		wg.Add(1)
		go func(f string) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				req := httptest.NewRequest(http.MethodPost, "/api/v1/uploads", strings.NewReader(f))
				req.Header.Set("Content-Type", "text/csv")
				req.Header.Set("Authorization", "Bearer "+env.alpha)
				rec := httptest.NewRecorder()
				env.srv.ServeHTTP(rec, req)
				results <- rec
			}
		}(f)
	}
	wg.Wait()
	close(results)
	stored := map[string]poll.Upload{}
	for rec := range results {
		switch rec.Code {
		case http.StatusCreated:
			u := decode[uploadResponse](t, rec).Upload
			if n := u.Counts.Added + u.Counts.Changed + u.Counts.Unchanged; n != 3 {
				t.Errorf("upload %s accounts for %d polls, want 3 (half an upload?)", u.ID, n)
			}
			stored[u.ID] = u
		case http.StatusConflict:
			// refused whole: allowed
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	recs, err := env.db.Records("test-q", true)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	added := 0
	for _, u := range stored {
		added += u.Counts.Added
	}
	for _, r := range recs {
		id := r.Current().ID
		if seen[id] {
			t.Errorf("poll %s stored twice", id)
		}
		seen[id] = true
		for i, rev := range r.Revisions {
			if rev.Number != i+1 {
				t.Errorf("poll %s: revision %d at position %d", id, rev.Number, i+1)
			}
			if _, ok := stored[rev.UploadID]; !ok {
				t.Errorf("poll %s revision %d names upload %q, which no 201 answered", id, rev.Number, rev.UploadID)
			}
			if i > 0 && poll.SameContent(&r.Revisions[i-1].Poll, &rev.Poll) {
				t.Errorf("poll %s: revision %d repeats revision %d", id, rev.Number, i)
			}
		}
	}
	if len(recs) != 4 || added != 4 {
		t.Errorf("%d polls stored, %d added in all, want 4 and 4", len(recs), added)
	}
	ups, _ := env.db.Uploads("")
	if len(ups) != len(stored) {
		t.Errorf("%d uploads recorded, %d answered 201", len(ups), len(stored))
	}
}

func TestUploads_ListAndGet(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	env.upload(t, env.beta, betaCSV, "")
	env.upload(t, env.alpha, strings.Replace(alphaCSV, ",36,58,6", ",38,56,6", 1), "")

	list := func(token, query string) upload.List {
		t.Helper()
		rec := env.do(t, http.MethodGet, "/api/v1/uploads"+query, token, "", nil)
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return decode[upload.List](t, rec)
	}
	ids := func(l upload.List) string {
		var s []string
		for _, u := range l.Uploads {
			s = append(s, u.ID+":"+u.Account)
		}
		return strings.Join(s, " ")
	}
	if got, want := ids(list(env.alpha, "")), "u000003:Alpha Research u000001:Alpha Research"; got != want {
		t.Errorf("alpha sees %q, want %q", got, want)
	}
	if got, want := ids(list(env.beta, "")), "u000002:Beta Polling"; got != want {
		t.Errorf("beta sees %q, want %q", got, want)
	}
	if l := list(env.admin, ""); l.Total != 3 || len(l.Uploads) != 3 {
		t.Errorf("operator sees %q", ids(l))
	}
	if l := list(env.admin, "?account=Beta%20Polling"); ids(l) != "u000002:Beta Polling" {
		t.Errorf("operator filtered: %q", ids(l))
	}
	// the account's alias, or its name in another case and spacing, names it too
	for _, q := range []string{"?account=" + url.QueryEscape("알파리서치"), "?account=alpha%20%20RESEARCH"} {
		if got, want := ids(list(env.admin, q)), "u000003:Alpha Research u000001:Alpha Research"; got != want {
			t.Errorf("operator %s: %q, want %q", q, got, want)
		}
	}
	if l := list(env.alpha, "?limit=1"); len(l.Uploads) != 1 || l.Total != 2 {
		t.Errorf("limit=1: %+v", l)
	}
	wantError(t, env.do(t, http.MethodGet, "/api/v1/uploads?limit=0", env.alpha, "", nil), 400, poll.EINVALID)

	rec := env.do(t, http.MethodGet, "/api/v1/uploads/u000003", env.alpha, "", nil)
	if rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	d := decode[upload.Detail](t, rec)
	if d.Upload.ID != "u000003" || len(d.Revisions) != 1 || d.Revisions[0].Revision != 2 ||
		d.Revisions[0].PollID != pollIDOf(t, env, "Alpha Research", "a1") || d.Revisions[0].URL != "/polls/"+d.Revisions[0].PollID {
		t.Errorf("detail %+v", d)
	}
	wantError(t, env.do(t, http.MethodGet, "/api/v1/uploads/u000002", env.alpha, "", nil), 404, poll.ENOTFOUND)
	wantError(t, env.do(t, http.MethodGet, "/api/v1/uploads/u999999", env.alpha, "", nil), 404, poll.ENOTFOUND)
	if rec := env.do(t, http.MethodGet, "/api/v1/uploads/u000002", env.admin, "", nil); rec.Code != 200 {
		t.Errorf("operator: %d", rec.Code)
	}
	// empty list: [] not null
	env2 := newUpEnv(t, web.Config{})
	rec = env2.do(t, http.MethodGet, "/api/v1/uploads", env2.alpha, "", nil)
	if !strings.Contains(rec.Body.String(), `"uploads":[]`) {
		t.Errorf("empty list: %s", rec.Body)
	}
}

func TestRetract(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	env.upload(t, env.alpha, alphaCSV, "")
	env.upload(t, env.beta, betaCSV, "")
	a1 := pollIDOf(t, env, "Alpha Research", "a1")
	b1 := pollIDOf(t, env, "Beta Polling", "b1")

	before := env.dbSum(t)
	wantError(t, env.do(t, http.MethodDelete, "/api/v1/polls/"+a1, env.beta, "", nil), http.StatusForbidden, poll.EFORBIDDEN)
	wantError(t, env.do(t, http.MethodDelete, "/api/v1/polls/ffffffffffffffff", env.alpha, "", nil), 404, poll.ENOTFOUND)
	if env.dbSum(t) != before {
		t.Fatal("a refused retraction changed the database file")
	}

	rec := env.do(t, http.MethodDelete, "/api/v1/polls/"+a1, env.alpha, "", nil)
	if rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	h := decode[web.PollHistory](t, rec)
	if h.Retracted == nil || h.RetractedBy != "Alpha Research" || h.PollID != a1 {
		t.Errorf("after retract: %+v", h)
	}
	again := decode[web.PollHistory](t, env.do(t, http.MethodDelete, "/api/v1/polls/"+a1, env.alpha, "", nil))
	if !again.Retracted.Equal(*h.Retracted) {
		t.Errorf("a second retraction moved the date: %v → %v", h.Retracted, again.Retracted)
	}
	// the operator may retract anyone's poll
	if rec := env.do(t, http.MethodDelete, "/api/v1/polls/"+b1, env.admin, "", nil); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	polls, _ := env.db.Polls("test-q")
	if len(polls) != 1 {
		t.Errorf("%d polls still count, want 1", len(polls))
	}
	recs, _ := env.db.Records("test-q", true)
	if len(recs) != 3 {
		t.Errorf("%d polls in the record, want 3 (retracted ones stay)", len(recs))
	}
	// the history says so too
	h = decode[web.PollHistory](t, env.do(t, http.MethodGet, "/api/v1/polls/"+b1+"/revisions", "", "", nil))
	if h.Retracted == nil || h.RetractedBy != store.OperatorName {
		t.Errorf("history %+v", h)
	}
	wantError(t, env.do(t, http.MethodGet, "/api/v1/polls/nope/revisions", "", "", nil), 404, poll.ENOTFOUND)
}

// ---- the upload page ----

// browser is a client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	// secFetch, when set, is sent as Sec-Fetch-Site, as browsers do.
	secFetch string
}

func newBrowser(t *testing.T, env *upEnv) *browser {
	ts := httptest.NewServer(env.srv)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: ts.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(req *http.Request) (int, http.Header, string) {
	b.t.Helper()
	if b.secFetch != "" {
		req.Header.Set("Sec-Fetch-Site", b.secFetch)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	code, _, body := b.do(req)
	return code, body
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// csrf loads /upload and returns the form's CSRF token.
func (b *browser) csrf() string {
	b.t.Helper()
	_, body := b.get("/upload?lang=en")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF field in /upload:\n%s", body)
	}
	return m[1]
}

func (b *browser) postForm(path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) postFile(path, csrf, name, content string, fields map[string]string) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	code, _, text := b.do(req)
	return code, text
}

func (b *browser) signIn(token string) {
	b.t.Helper()
	code, h, body := b.postForm("/upload/signin?lang=en", url.Values{"_csrf": {b.csrf()}, "token": {token}})
	if code != http.StatusSeeOther {
		b.t.Fatalf("sign-in: %d %s", code, body)
	}
	var ck string
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, "pollagg_session=") {
			ck = c
		}
	}
	if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") || strings.Contains(ck, token) {
		b.t.Errorf("session cookie %q: want HttpOnly, SameSite=Strict, and not the token", ck)
	}
}

var pendingRE = regexp.MustCompile(`name="pending" value="([^"]+)"`)

func TestUploadPage_Flow(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	b := newBrowser(t, env)
	code, body := b.get("/upload?lang=en")
	if code != 200 || !strings.Contains(body, `id="token"`) || strings.Contains(body, `id="file"`) {
		t.Fatalf("signed-out page: %d\n%s", code, body)
	}
	before := env.dbSum(t)

	// a wrong token
	code, _, body = b.postForm("/upload/signin?lang=en", url.Values{"_csrf": {b.csrf()}, "token": {"nope"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "wrong or has been revoked") {
		t.Fatalf("wrong token: %d", code)
	}
	b.signIn(env.alpha)
	code, body = b.get("/upload?lang=en")
	if code != 200 || !strings.Contains(body, "Signed in as Alpha Research") || !strings.Contains(body, "알파리서치") {
		t.Fatalf("signed-in page: %d\n%s", code, body)
	}
	csrf := csrfRE.FindStringSubmatch(body)[1]

	// a file with a bad row: 422, the problem at its row and column
	code, body = b.postFile("/upload/preview?lang=en", csrf, "bad.csv", alphaBadCSV, nil)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad preview: %d\n%s", code, body)
	}
	for _, want := range []string{
		`<tr data-line="3" class="bad">`,
		`<td class="bad" data-column="support">abc<span class="problem-note">&#34;abc&#34; is not a percentage`,
		`<tr data-line="4" class="bad">`,
		`<td class="bad" data-column="end_date">2023-04-05<span class="problem-note">`,
		`<tr data-line="2">`,
		"2 problem(s) found, so nothing was stored",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("bad preview lacks %q", want)
		}
	}
	if pendingRE.MatchString(body) {
		t.Error("a file with problems can be confirmed")
	}

	// the corrected file: a preview, then confirm
	good := strings.Replace(strings.Replace(alphaBadCSV, "abc", "41", 1), "2023-04-06,2023-04-05", "2023-04-05,2023-04-06", 1)
	code, body = b.postFile("/upload/preview?lang=en", csrf, "good.csv", good, nil)
	if code != 200 || !strings.Contains(body, "3 added · 0 changed · 0 unchanged") {
		t.Fatalf("good preview: %d\n%s", code, body)
	}
	if env.dbSum(t) != before {
		t.Fatal("signing in and previewing changed the database file")
	}
	pending := pendingRE.FindStringSubmatch(body)[1]
	code, h, body := b.postForm("/upload/confirm?lang=en", url.Values{"_csrf": {csrf}, "pending": {pending}})
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "stored=u000001") {
		t.Fatalf("confirm: %d %v %s", code, h, body)
	}
	code, body = b.get(h.Get("Location"))
	if code != 200 || !strings.Contains(body, "Stored upload u000001.") || !strings.Contains(body, `href="/questions/test-q?lang=en"`) {
		t.Fatalf("after confirm: %d\n%s", code, body)
	}
	if polls, _ := env.db.Polls("test-q"); len(polls) != 3 {
		t.Errorf("%d polls stored, want 3", len(polls))
	}
	// the same pending file cannot be stored twice
	code, _, _ = b.postForm("/upload/confirm?lang=en", url.Values{"_csrf": {csrf}, "pending": {pending}})
	if code != http.StatusConflict {
		t.Errorf("second confirm: %d, want 409", code)
	}

	// cancel forgets a pending file
	code, body = b.postFile("/upload/preview?lang=en", csrf, "beta.csv", strings.ReplaceAll(betaCSV, "Beta Polling", "Alpha Research"), nil)
	if code != http.StatusOK {
		t.Fatalf("preview before cancel: %d\n%s", code, body)
	}
	pending = pendingRE.FindStringSubmatch(body)[1]
	b.postForm("/upload/cancel?lang=en", url.Values{"_csrf": {csrf}, "pending": {pending}})
	if code, _, _ = b.postForm("/upload/confirm?lang=en", url.Values{"_csrf": {csrf}, "pending": {pending}}); code != http.StatusConflict {
		t.Errorf("confirm after cancel: %d, want 409", code)
	}

	// another pollster's rows: refused with 403, on the page
	code, body = b.postFile("/upload/preview?lang=en", csrf, "beta.csv", betaCSV, nil)
	if code != http.StatusForbidden || !strings.Contains(body, "may not publish polls of") {
		t.Errorf("other pollster's file: %d", code)
	}

	// sign out
	b.postForm("/upload/signout?lang=en", url.Values{"_csrf": {csrf}})
	if _, body = b.get("/upload?lang=en"); !strings.Contains(body, `id="token"`) {
		t.Error("still signed in after sign-out")
	}
	code, _ = b.postFile("/upload/preview?lang=en", csrf, "good.csv", good, nil)
	if code != http.StatusUnauthorized {
		t.Errorf("preview after sign-out: %d, want 401", code)
	}
}

func TestUploadPage_CSRF(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	b := newBrowser(t, env)
	b.csrf() // sets the CSRF cookie
	for name, form := range map[string]url.Values{
		"Missing": {"token": {env.alpha}},
		"Wrong":   {"token": {env.alpha}, "_csrf": {"forged"}},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, _ := b.postForm("/upload/signin", form)
			if code != http.StatusBadRequest && code != http.StatusForbidden {
				t.Errorf("status %d, want 400 or 403", code)
			}
		})
	}
	// a browser's cross-site POST is refused whatever it carries
	b.secFetch = "cross-site"
	if code, _, _ := b.postForm("/upload/signin", url.Values{"token": {env.alpha}, "_csrf": {b.csrf()}}); code != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d, want 403", code)
	}
	// and a same-origin one passes (browsers send Sec-Fetch-Site)
	b.secFetch = "same-origin"
	if code, _, body := b.postForm("/upload/signin", url.Values{"token": {env.alpha}, "_csrf": {b.csrf()}}); code != http.StatusSeeOther {
		t.Errorf("same-origin sign-in: %d %s", code, body)
	}
}

// TestUploadPage_TokenChangesEndSessions checks that revoking or rotating
// a token signs its browsers out.
func TestUploadPage_TokenChangesEndSessions(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	b := newBrowser(t, env)
	b.signIn(env.alpha)
	if _, body := b.get("/upload?lang=en"); !strings.Contains(body, "Signed in as") {
		t.Fatal("not signed in")
	}
	if _, _, err := env.db.RotateToken("Alpha Research"); err != nil {
		t.Fatal(err)
	}
	if _, body := b.get("/upload?lang=en"); strings.Contains(body, "Signed in as") {
		t.Error("still signed in after the token was rotated")
	}
	b2 := newBrowser(t, env)
	b2.signIn(env.beta)
	if _, err := env.db.RevokeToken("Beta Polling"); err != nil {
		t.Fatal(err)
	}
	if _, body := b2.get("/upload?lang=en"); strings.Contains(body, "Signed in as") {
		t.Error("still signed in after the token was revoked")
	}
	// and the revoked token cannot sign in again
	code, _, _ := b2.postForm("/upload/signin?lang=en", url.Values{"_csrf": {b2.csrf()}, "token": {env.beta}})
	if code != http.StatusUnauthorized {
		t.Errorf("sign-in with a revoked token: %d", code)
	}
}

func TestUploadPage_Korean(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	b := newBrowser(t, env)
	_, body := b.get("/upload?lang=ko")
	for _, want := range []string{`lang="ko"`, "토큰으로 로그인", "로그인"} {
		if !strings.Contains(body, want) {
			t.Errorf("Korean page lacks %q", want)
		}
	}
	b.signIn(env.alpha)
	csrf := csrfRE.FindStringSubmatch(func() string { _, s := b.get("/upload?lang=ko"); return s }())[1]
	_, body = b.postFile("/upload/preview?lang=ko", csrf, "bad.csv", alphaBadCSV, nil)
	if !strings.Contains(body, "문제 2건이 있어 아무것도 저장하지 않았습니다") {
		t.Errorf("Korean preview:\n%s", body)
	}
}

func TestUploadPage_TooLarge(t *testing.T) {
	env := newUpEnv(t, web.Config{MaxUploadBytes: 1024})
	b := newBrowser(t, env)
	b.signIn(env.alpha)
	csrf := b.csrf()
	before := env.dbSum(t)
	code, page := b.postFile("/upload/preview?lang=en", csrf, "big.csv", alphaCSV+strings.Repeat("x", 4096), nil)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "of 1,024 bytes") {
		t.Errorf("status %d, want 413 naming the limit:\n%s", code, page)
	}
	if env.dbSum(t) != before {
		t.Fatal("the database file changed")
	}
}

// TestEscaping uploads text full of markup through the operator (who may
// publish under any name) and checks that no page shows it as markup.
func TestEscaping(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	evil := `<img src=x onerror=alert(1)>`
	csv := "poll_id,pollster,sponsor,start_date,end_date,sample_size,population,weighting,wording,notes,question_id,support,oppose\n" +
		`e1,"` + evil + `","</script><script>alert(2)</script>",2023-03-01,2023-03-02,1000,"<b>adults</b>","<i>w</i>","<a href=javascript:alert(3)>q</a>","__f__alert(4)__f__",test-q,40,50` + "\n"
	rec := env.upload(t, env.admin, csv, "")
	if rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	id := poll.PollID(&poll.Poll{QuestionID: "test-q", Pollster: evil, ExternalID: "e1"})
	b := newBrowser(t, env)
	pages := map[string]string{}
	_, pages["poll"] = b.get("/polls/" + id + "?lang=en")
	b.signIn(env.admin)
	_, pages["upload"] = b.get("/upload?lang=en")
	_, pages["preview"] = b.postFile("/upload/preview?lang=en", b.csrf(), evil+".csv", csv, nil)
	for name, body := range pages {
		for _, raw := range []string{"<img", "<script>alert", "<b>adults", "<i>w", "<a href=javascript"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s page shows %q unescaped", name, raw)
			}
		}
	}
	if !strings.Contains(pages["poll"], "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("poll page does not show the escaped pollster name")
	}
}

// brokenBody gives some CSV and then fails, as a client that goes away
// mid-upload does.
type brokenBody struct{ sent bool }

func (b *brokenBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, "question_id,pollster,start_date,end_date,support\ntest-q,Alpha Research,2023-03-01,"), nil
	}
	return 0, errors.New("connection reset by peer")
}

func TestUpload_BrokenBodyIs400(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	before := env.dbSum(t)
	rec := env.do(t, http.MethodPost, "/api/v1/uploads", env.alpha, "text/csv", &brokenBody{})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "the request body could not be read") {
		t.Fatalf("status %d, body %s; want 400 saying the body could not be read", rec.Code, rec.Body)
	}
	if env.dbSum(t) != before {
		t.Fatal("a broken upload changed the database")
	}
}

func TestJSONOnlyRoutesRefuseCSV(t *testing.T) {
	env := newUpEnv(t, web.Config{})
	for _, target := range []string{"/api/v1/polls/abc/revisions?format=csv", "/api/v1/uploads?format=csv", "/api/v1/uploads/u000001?format=csv"} {
		rec := env.do(t, http.MethodGet, target, env.admin, "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "this route answers JSON only") {
			t.Errorf("%s: %d %s; want 400 saying JSON only", target, rec.Code, rec.Body)
		}
	}
}
