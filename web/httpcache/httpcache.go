// Package httpcache serves encoded downloads from memory: a
// Representation is a body encoded once (per question, view, format and
// data version), gzipped once, hashed once for its strong ETags, with its
// header values prebuilt, and written with conditional GET (304), gzip
// when the client accepts it, HEAD, and for large bodies sendfile(2)
// from a temporary file, as nginx does (sendfile.go).
package httpcache

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CacheControl is what every download says to browsers and CDNs: fresh for
// a minute, then served stale for up to ten more minutes while the cache
// revalidates in the background (a 304 when nothing changed).
const CacheControl = "public, max-age=60, stale-while-revalidate=600"

// GzipMin is the smallest body worth compressing (the gzip middleware's
// MinLength too).
const GzipMin = 1024

// KeepGzippedOver is the size above which a body is kept gzipped only and
// inflated for the rare client that does not accept gzip.
const KeepGzippedOver = 1 << 20

// Representation is one encoded download: its bytes, the same bytes
// gzipped, and their validators. It is built once per question, view,
// format and data version and then served from memory, so a request on
// the hot path parses its query, finds this and writes it.
type Representation struct {
	body        []byte // nil when over KeepGzippedOver bytes and kept gzipped only (see Plain)
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
	// body and gz in temporary files for sendfile(2) (sendfile.go); nil
	// when short
	fileBody, fileGz *fileBody
}

// DropGzip forgets the gzipped bytes, for a body that a gzip middleware
// compresses on its way out instead. It must be called before r is
// shared.
func (r *Representation) DropGzip() {
	if r.body == nil { // kept gzipped only
		r.body, _ = r.Plain()
	}
	r.gz, r.fileGz = nil, nil
}

// Len is the bytes the representation holds: its body and its gzip.
func (r *Representation) Len() int { return len(r.body) + len(r.gz) }

// CacheBytes is the representation's size in a cache.
func (r *Representation) CacheBytes() int { return r.Len() + 512 }

// ContentType is the body's media type.
func (r *Representation) ContentType() string { return r.contentType }

// FileName is the name Content-Disposition gives the body.
func (r *Representation) FileName() string { return r.fileName }

// ETag is the strong ETag of the uncompressed body.
func (r *Representation) ETag() string { return r.etag }

// Header values every download shares.
var (
	hCacheControl  = []string{CacheControl}
	hVary          = []string{"Accept-Encoding"}
	hVaryAccept    = []string{"Accept, Accept-Encoding"}
	hContentGzip   = []string{"gzip"}
	hdrETag        = http.CanonicalHeaderKey("ETag")
	hdrDisposition = http.CanonicalHeaderKey("Content-Disposition")
)

// New hashes and compresses body once. The ETag is a hash
// of the uncompressed bytes: the same bytes always have the same ETag,
// across restarts, and the CLI's output can be checked against it.
func New(body []byte, contentType, fileName string, attachment bool, modified time.Time) *Representation {
	if body == nil {
		body = []byte{} // nil body means kept gzipped only
	}
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:15])
	r := &Representation{
		body:        body,
		etag:        `"` + tag + `"`,
		etagGz:      `"` + tag + `-gzip"`,
		contentType: contentType,
		fileName:    fileName,
		attachment:  attachment,
		modified:    modified.UTC().Truncate(time.Second),
	}
	if len(body) >= GzipMin {
		// The best compression for what is served most (a series, a
		// page of the API); Go's default level past bigPage, where the
		// best costs 2.3 times as long for 2.5% fewer bytes (100,000
		// polls as CSV: 2.61 MB in 1.15 s against 2.68 MB in 0.50 s).
		level := gzip.BestCompression
		if len(body) > KeepGzippedOver {
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
	if r.gz != nil && len(body) > KeepGzippedOver {
		// A large download (100,000 polls' JSON is 30 MB) is kept
		// gzipped only: most clients take it so, the others get it
		// inflated as it is sent.
		r.body = nil
	} else if cap(body) > len(body)+len(body)/8 {
		r.body = bytes.Clone(body) // the encoder's buffer may hold twice the bytes
	}
	r.finish(len(body))
	return r
}

// finish builds the header values of a body of n bytes and the files
// that sendfile(2) serves.
func (r *Representation) finish(n int) {
	r.hContentType = []string{r.contentType}
	r.hDisposition = []string{r.contentDisposition()}
	if !r.modified.IsZero() {
		r.hLastModified = []string{r.modified.Format(http.TimeFormat)}
	}
	r.hETag, r.hETagGz = []string{r.etag}, []string{r.etagGz}
	r.hLength, r.hLengthGz = []string{strconv.Itoa(n)}, []string{strconv.Itoa(len(r.gz))}
	r.fileBody, r.fileGz = newFileBody(r.body), newFileBody(r.gz)
}

// Build is New for a body that write encodes, without ever holding a
// large body whole: the first KeepGzippedOver bytes are buffered (a body
// no longer than that goes to New); past them the bytes go through gzip
// as they come and only the compressed bytes are kept, as New keeps them.
// The ETag and the bytes served are New's for the same body. A body of
// 100,000 polls as JSON is 43 MB, gzipped 3 MB.
func Build(write func(w io.Writer) error, contentType, fileName string, attachment bool, modified time.Time) (*Representation, error) {
	s := &streamBody{hash: sha256.New()}
	if err := write(s); err != nil {
		return nil, err
	}
	if s.zw == nil {
		return New(s.buf.Bytes(), contentType, fileName, attachment, modified), nil
	}
	if err := s.zw.Close(); err != nil {
		return nil, err
	}
	var sum [sha256.Size]byte
	s.hash.Sum(sum[:0])
	tag := base64.RawURLEncoding.EncodeToString(sum[:15])
	r := &Representation{
		gz:          bytes.Clone(s.gz.Bytes()),
		etag:        `"` + tag + `"`,
		etagGz:      `"` + tag + `-gzip"`,
		contentType: contentType,
		fileName:    fileName,
		attachment:  attachment,
		modified:    modified.UTC().Truncate(time.Second),
	}
	r.finish(s.n)
	return r, nil
}

// streamBody is the writer Build encodes into: it hashes and counts every
// byte, buffers the first KeepGzippedOver and compresses the rest.
type streamBody struct {
	hash hash.Hash
	n    int
	buf  bytes.Buffer
	gz   bytes.Buffer
	zw   *gzip.Writer
}

func (s *streamBody) Write(p []byte) (int, error) {
	s.hash.Write(p)
	s.n += len(p)
	if s.zw != nil {
		return s.zw.Write(p)
	}
	s.buf.Write(p)
	if s.buf.Len() > KeepGzippedOver {
		// New's level for a body this large
		s.zw, _ = gzip.NewWriterLevel(&s.gz, gzip.DefaultCompression)
		if _, err := s.zw.Write(s.buf.Bytes()); err != nil {
			return 0, err
		}
		s.buf = bytes.Buffer{}
	}
	return len(p), nil
}

// Plain returns the representation's bytes, inflating those kept gzipped only.
func (r *Representation) Plain() ([]byte, error) {
	if r.body != nil {
		return r.body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.gz))
	if err != nil {
		return nil, fmt.Errorf("httpcache: cached download: %w", err)
	}
	return io.ReadAll(zr)
}

// contentDisposition returns the Content-Disposition header value.
func (r *Representation) contentDisposition() string {
	kind := "inline"
	if r.attachment {
		kind = "attachment"
	}
	return kind + `; filename="` + r.fileName + `"`
}

// Write writes r to w with its validators and caching headers, or 304 Not
// Modified when the client's copy is current. Clients that accept gzip
// get the precompressed bytes (a gzip middleware must skip these
// responses). varyAccept is set when the format came from the Accept
// header rather than the URL.
func (r *Representation) Write(w http.ResponseWriter, req *http.Request, varyAccept bool) error {
	h := w.Header()
	if varyAccept {
		h["Vary"] = hVaryAccept
	} else {
		h["Vary"] = hVary
	}
	h["Cache-Control"] = hCacheControl
	body, etag, hETag, hLength, file := r.body, r.etag, r.hETag, r.hLength, r.fileBody
	useGz := r.gz != nil && AcceptsGzip(req.Header.Get("Accept-Encoding"))
	if useGz {
		body, etag, hETag, hLength, file = r.gz, r.etagGz, r.hETagGz, r.hLengthGz, r.fileGz
	}
	h[hdrETag] = hETag
	if r.hLastModified != nil {
		h["Last-Modified"] = r.hLastModified
	}
	if NotModified(req, etag, r.modified) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h["Content-Type"] = r.hContentType
	h[hdrDisposition] = r.hDisposition
	h["Content-Length"] = hLength
	if useGz {
		h["Content-Encoding"] = hContentGzip
	}
	w.WriteHeader(http.StatusOK)
	if req.Method == http.MethodHead {
		return nil
	}
	if body == nil { // kept gzipped only: inflate as it is sent
		zr, err := gzip.NewReader(bytes.NewReader(r.gz))
		if err != nil {
			return fmt.Errorf("httpcache: cached download: %w", err)
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

// NotModified applies RFC 9110's conditional GET rules: If-None-Match
// (weak comparison, "*" matches) decides when present; otherwise
// If-Modified-Since against the data's last update.
func NotModified(req *http.Request, etag string, modified time.Time) bool {
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

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip (not
// with q=0).
func AcceptsGzip(h string) bool {
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
