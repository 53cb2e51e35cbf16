package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/pollagg/pollagg/web/httpcache"
)

// Static files cost nothing to serve: each embedded file is hashed and
// gzipped once, on first use, and then served from memory as stored
// bytes (gzipped to clients that accept it). Pages link to them under
// fingerprinted names (static/chart.3f2a1b9c0d.js, see Page.Asset), which
// change whenever the content does, so browsers and CDNs may keep them for
// a year without asking again:
//
//	GET /static/chart.3f2a1b9c0d.js    Cache-Control: public, max-age=31536000, immutable
//	GET /static/chart.js               Cache-Control: public, max-age=86400 (the name stays valid)
//	GET /static/chart.js?v=3f2a1b9c0d  immutable too (the older form of a versioned link)

// CacheImmutable is the Cache-Control of a fingerprinted static file.
const CacheImmutable = "public, max-age=31536000, immutable"

// cacheStatic is the Cache-Control of a static file under its plain name.
const cacheStatic = "public, max-age=86400"

// asset is one embedded static file, ready to serve.
type asset struct {
	name        string // its path under static/ ("echarts/echarts.min.js")
	fingerprint string // the same with the content's hash before the extension
	version     string // the hash: 10 hex digits of the content's SHA-256
	body, gz    []byte // gz is nil when gzip does not make it smaller
	// header values, shared by every response
	hType, hETag, hETagGz, hLength, hLengthGz []string
}

// assetSet is every static file by its name and by its fingerprinted name.
type assetSet struct {
	byName, byPrint map[string]*asset
	names           []string // sorted
}

// staticAssets loads, hashes and compresses the static files once.
var staticAssets = sync.OnceValue(func() *assetSet {
	set := &assetSet{byName: map[string]*asset{}, byPrint: map[string]*asset{}}
	err := fs.WalkDir(staticRoot, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticRoot, p)
		if err != nil {
			return err
		}
		a := newAsset(p, b)
		set.byName[p], set.byPrint[a.fingerprint] = a, a
		set.names = append(set.names, p)
		return nil
	})
	if err != nil {
		panic("web: static files: " + err.Error()) // embedded: cannot happen
	}
	return set
})

// newAsset hashes and compresses one file.
func newAsset(name string, b []byte) *asset {
	sum := sha256.Sum256(b)
	v := hex.EncodeToString(sum[:5])
	a := &asset{name: name, fingerprint: fingerprinted(name, v), version: v, body: b}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	if compressible(ctype) && len(b) >= httpcache.GzipMin {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if buf.Len() < len(b) {
			a.gz = buf.Bytes()
		}
	}
	a.hType = []string{ctype}
	a.hETag, a.hETagGz = []string{`"` + v + `"`}, []string{`"` + v + `-gzip"`}
	a.hLength, a.hLengthGz = []string{strconv.Itoa(len(b))}, []string{strconv.Itoa(len(a.gz))}
	return a
}

// fingerprinted puts version before name's extension:
// "echarts/echarts.min.js" → "echarts/echarts.min.<v>.js", "LICENSE" → "LICENSE.<v>".
func fingerprinted(name, v string) string {
	dir, file := path.Split(name)
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		return dir + file[:i] + "." + v + file[i:]
	}
	return dir + file + "." + v
}

// compressible reports whether gzip is worth trying on a content type
// (images such as PNG are compressed already).
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg") || strings.Contains(ctype, "xml")
}

// assetURL returns the fingerprinted path of static file name under
// /static/, or the plain one when there is no such file.
func assetURL(name string) string {
	if a, ok := staticAssets().byName[name]; ok {
		return "/static/" + a.fingerprint
	}
	return "/static/" + name
}

// Header values every static file shares (net/http only reads them).
var (
	assetVary = []string{"Accept-Encoding"}
	assetGzip = []string{"gzip"}
	assetETag = http.CanonicalHeaderKey("ETag")
)

// serveStatic answers GET and HEAD /static/*: a fingerprinted name (or a
// plain one with ?v= of the current content) is immutable, a plain name
// is kept a day; either with an ETag, 304 to a matching If-None-Match,
// and the stored gzip bytes to clients that accept gzip.
func serveStatic(c echo.Context) error {
	name := c.Param("*")
	set := staticAssets()
	a, immutable := set.byPrint[name]
	if !immutable {
		var ok bool
		if a, ok = set.byName[name]; !ok {
			return echo.ErrNotFound
		}
		immutable = c.QueryParam("v") == a.version
	}
	h := c.Response().Header()
	if immutable {
		h.Set(echo.HeaderCacheControl, CacheImmutable)
	} else {
		h.Set(echo.HeaderCacheControl, cacheStatic)
	}
	h[echo.HeaderVary] = assetVary
	body, hETag, hLength := a.body, a.hETag, a.hLength
	useGz := a.gz != nil && httpcache.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	if useGz {
		body, hETag, hLength = a.gz, a.hETagGz, a.hLengthGz
	}
	h[assetETag] = hETag
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatch(inm, hETag[0]) {
		return c.NoContent(http.StatusNotModified)
	}
	h[echo.HeaderContentType] = a.hType
	h[echo.HeaderContentLength] = hLength
	if useGz {
		h[echo.HeaderContentEncoding] = assetGzip
	}
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// exportAssetFiles are the files the static export writes for the static
// files besides each plain one: its fingerprinted copy (what the pages
// link to), and a .gz of both for hosts that serve stored gzip (nginx's
// gzip_static); and _headers, which tells hosts that read it (Netlify,
// Cloudflare Pages) to serve the fingerprinted ones as immutable.
func exportAssetFiles() map[string][]byte {
	set := staticAssets()
	out := map[string][]byte{}
	var headers strings.Builder
	headers.WriteString("# Fingerprinted static files never change: their name changes with their content.\n")
	for _, name := range set.names {
		a := set.byName[name]
		out["static/"+a.fingerprint] = a.body
		if a.gz != nil {
			out["static/"+a.fingerprint+".gz"] = a.gz
			out["static/"+name+".gz"] = a.gz
		}
		headers.WriteString("/static/" + a.fingerprint + "\n  Cache-Control: " + CacheImmutable + "\n")
	}
	out["_headers"] = []byte(headers.String())
	return out
}
