package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// CacheControl is what every download says to browsers and CDNs: fresh for
// a minute, then served stale for up to ten more minutes while the cache
// revalidates in the background (a 304 when nothing changed).
const CacheControl = "public, max-age=60, stale-while-revalidate=600"

// gzipMin is the smallest body worth compressing (the gzip middleware's
// MinLength too).
const gzipMin = 1024

// representation is one encoded download: its bytes, the same bytes
// gzipped, and their validators. It is built once per question, view,
// format and data version and then served from memory, so a request on
// the hot path parses its query, finds this and writes it.
type representation struct {
	body        []byte // nil when over bigPage bytes and kept gzipped only (see plain)
	gz          []byte // body gzipped; nil when body is short or does not shrink
	etag        string // strong ETag of body
	etagGz      string // strong ETag of gz: a different coding is a different representation
	contentType string
	fileName    string    // for Content-Disposition
	attachment  bool      // CSV downloads save to a file; JSON shows in the browser
	modified    time.Time // the data's last update (zero for an empty database)
	// header values, built once: every response shares these slices
	// (net/http only reads them; Header.Add appends to a full slice, which
	// copies it)
	hContentType, hDisposition, hLastModified []string
	hETag, hETagGz, hLength, hLengthGz        []string
	// body and gz in temporary files for sendfile(2) (hotpath.go); nil
	// when short
	fileBody, fileGz *fileBody
}

// cacheBytes is the representation's size in the cache.
func (r *representation) cacheBytes() int { return len(r.body) + len(r.gz) + 512 }

// Header values every download shares.
var (
	hCacheControl  = []string{CacheControl}
	hVary          = []string{"Accept-Encoding"}
	hVaryAccept    = []string{"Accept, Accept-Encoding"}
	hContentGzip   = []string{"gzip"}
	hdrETag        = http.CanonicalHeaderKey("ETag")
	hdrDisposition = http.CanonicalHeaderKey(echo.HeaderContentDisposition)
)

// newRepresentation hashes and compresses body once. The ETag is a hash
// of the uncompressed bytes: the same bytes always have the same ETag,
// across restarts, and the CLI's output can be checked against it.
func newRepresentation(body []byte, contentType, fileName string, attachment bool, modified time.Time) *representation {
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:15])
	r := &representation{
		body:        body,
		etag:        `"` + tag + `"`,
		etagGz:      `"` + tag + `-gzip"`,
		contentType: contentType,
		fileName:    fileName,
		attachment:  attachment,
		modified:    modified.UTC().Truncate(time.Second),
	}
	if len(body) >= gzipMin {
		// The best compression for what is served most (a series, a
		// page of the API); Go's default level past bigPage, where the
		// best costs 2.3 times as long for 2.5% fewer bytes (100,000
		// polls as CSV: 2.61 MB in 1.15 s against 2.68 MB in 0.50 s).
		level := gzip.BestCompression
		if len(body) > bigPage {
			level = gzip.DefaultCompression
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, level)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			r.gz = bytes.Clone(buf.Bytes())
		}
	}
	if r.gz != nil && len(body) > bigPage {
		// A large download (100,000 polls' JSON is 30 MB) is kept
		// gzipped only: most clients take it so, the others get it
		// inflated as it is sent.
		r.body = nil
	} else if cap(body) > len(body)+len(body)/8 {
		r.body = bytes.Clone(body) // the encoder's buffer may hold twice the bytes
	}
	r.hContentType = []string{contentType}
	r.hDisposition = []string{r.contentDisposition()}
	if !r.modified.IsZero() {
		r.hLastModified = []string{r.modified.Format(http.TimeFormat)}
	}
	r.hETag, r.hETagGz = []string{r.etag}, []string{r.etagGz}
	r.hLength, r.hLengthGz = []string{strconv.Itoa(len(body))}, []string{strconv.Itoa(len(r.gz))}
	r.fileBody, r.fileGz = newFileBody(r.body), newFileBody(r.gz)
	return r
}

// plain returns the representation's bytes, inflating those kept gzipped only.
func (r *representation) plain() ([]byte, error) {
	if r.body != nil {
		return r.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.gz))
	if err != nil {
		return nil, fmt.Errorf("web: cached download: %w", err)
	}
	return io.ReadAll(zr)
}

// contentDisposition returns the Content-Disposition header value.
func (r *representation) contentDisposition() string {
	kind := "inline"
	if r.attachment {
		kind = "attachment"
	}
	return kind + `; filename="` + r.fileName + `"`
}

// serveRepresentation writes r with its validators and caching headers,
// or 304 Not Modified when the client's copy is current. Clients that
// accept gzip get the precompressed bytes (the gzip middleware skips these
// routes, see skipGzip). varyAccept is set when the format came from the
// Accept header rather than the URL.
func serveRepresentation(c echo.Context, r *representation, varyAccept bool) error {
	return writeRepresentation(c.Response(), c.Request(), r, varyAccept)
}

// writeRepresentation is serveRepresentation on a plain ResponseWriter
// (the router's, or the hot path's, see serveHot).
func writeRepresentation(w http.ResponseWriter, req *http.Request, r *representation, varyAccept bool) error {
	h := w.Header()
	if varyAccept {
		h[echo.HeaderVary] = hVaryAccept
	} else {
		h[echo.HeaderVary] = hVary
	}
	h[echo.HeaderCacheControl] = hCacheControl
	body, etag, hETag, hLength, file := r.body, r.etag, r.hETag, r.hLength, r.fileBody
	useGz := r.gz != nil && acceptsGzip(req.Header.Get(echo.HeaderAcceptEncoding))
	if useGz {
		body, etag, hETag, hLength, file = r.gz, r.etagGz, r.hETagGz, r.hLengthGz, r.fileGz
	}
	h[hdrETag] = hETag
	if r.hLastModified != nil {
		h[echo.HeaderLastModified] = r.hLastModified
	}
	if notModified(req, etag, r.modified) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h[echo.HeaderContentType] = r.hContentType
	h[hdrDisposition] = r.hDisposition
	h[echo.HeaderContentLength] = hLength
	if useGz {
		h[echo.HeaderContentEncoding] = hContentGzip
	}
	w.WriteHeader(http.StatusOK)
	if req.Method == http.MethodHead {
		return nil
	}
	if body == nil { // kept gzipped only: inflate as it is sent
		zr, err := gzip.NewReader(bytes.NewReader(r.gz))
		if err != nil {
			return fmt.Errorf("web: cached download: %w", err)
		}
		_, err = io.Copy(w, zr)
		return err
	}
	if sent, err := sendFile(w, file, body); sent {
		return err
	}
	_, err := w.Write(body)
	return err
}

// notModified applies RFC 9110's conditional GET rules: If-None-Match
// (weak comparison, "*" matches) decides when present; otherwise
// If-Modified-Since against the data's last update.
func notModified(req *http.Request, etag string, modified time.Time) bool {
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		for t := range strings.SplitSeq(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	ims := req.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modified.After(t)
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip (not
// with q=0).
func acceptsGzip(h string) bool {
	for part := range strings.SplitSeq(h, ",") { // no allocation: this runs on every download
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// skipGzip tells the gzip middleware to leave alone the routes that carry
// their own precompressed bytes and an ETag for each coding: the read
// API's downloads (see serveRepresentation), the cached dashboard
// pages (precompressedPages, see servePage) and the static files (see
// serveStatic). c.Path is the matched route, so error answers of other
// routes are unaffected.
func skipGzip(c echo.Context) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/v1/questions") || p == "/api/v1/openapi.json" || p == "/static/*" || precompressedPages[p]
}
