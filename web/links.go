package web

import "net/url"

// Link returns the URL of an internal page or download in the page's
// language, keeping q. Every internal href in the templates goes through
// Link, so that the static export (see export.go) can map the live
// server's URLs onto plain files in one place.
func (p *Page) Link(path string, q url.Values) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("lang", p.Lang)
	return path + "?" + v.Encode()
}
