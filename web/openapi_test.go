package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// openAPIDoc is the part of the description the tests read.
type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

// paramName matches a path parameter in either spelling: echo's :id and
// OpenAPI's {id}. Names are compared loosely ({}), since what matters is
// that the same routes exist.
var paramName = regexp.MustCompile(`:[A-Za-z0-9_]+|\{[A-Za-z0-9_]+\}`)

func routeKey(method, path string) string {
	return strings.ToUpper(method) + " " + paramName.ReplaceAllString(path, "{}")
}

// TestOpenAPIMatchesRoutes walks the router's routes under /api/v1 and
// checks that each is in web/openapi.json and that the description lists
// no route the server lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := testServer(t, testDB(t, true))
	var doc openAPIDoc
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	spec := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				spec[routeKey(m, p)] = true
			}
		}
	}
	routes := map[string]bool{}
	for _, r := range s.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "*") {
			continue
		}
		switch r.Method {
		case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodOptions,
			http.MethodHead, http.MethodPatch, http.MethodTrace:
			routes[routeKey(r.Method, r.Path)] = true
		}
	}
	var missing, extra []string
	for k := range routes {
		if !spec[k] {
			missing = append(missing, k)
		}
	}
	for k := range spec {
		if !routes[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json lists routes the server lacks: %v", extra)
	}
	for _, want := range []string{"GET /api/v1/questions/{}/series", "POST /api/v1/uploads", "DELETE /api/v1/polls/{}"} {
		if !spec[want] {
			t.Errorf("openapi.json lacks %s", want)
		}
	}
}

// TestOpenAPIRefsResolve checks every $ref points at something, and every
// path parameter is declared.
func TestOpenAPIRefsResolve(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(openAPISpec, &root); err != nil {
		t.Fatal(err)
	}
	lookup := func(ref string) bool {
		var cur any = root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			if cur, ok = m[part]; !ok {
				return false
			}
		}
		return true
	}
	var walk func(v any)
	refs := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				refs++
				if !lookup(r) {
					t.Errorf("$ref %s resolves to nothing", r)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(root)
	if refs < 20 {
		t.Errorf("only %d $refs: is the description complete?", refs)
	}
	params := root["components"].(map[string]any)["parameters"].(map[string]any)
	for p, item := range root["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			declared := map[string]bool{}
			list, _ := op.(map[string]any)["parameters"].([]any)
			for _, prm := range list {
				pm := prm.(map[string]any)
				if r, ok := pm["$ref"].(string); ok {
					pm = params[strings.TrimPrefix(r, "#/components/parameters/")].(map[string]any)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			for _, name := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(p, -1) {
				if !declared[name[1]] {
					t.Errorf("%s %s: path parameter %s is not declared", m, p, name[1])
				}
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	s := testServer(t, testDB(t, true))
	rec := apiOK(t, s, "/api/v1/openapi.json")
	if rec.Body.String() != string(openAPISpec) {
		t.Error("the served description is not web/openapi.json")
	}
	if rec.Header().Get("Content-Type") != "application/json; charset=utf-8" || rec.Header().Get("ETag") == "" {
		t.Errorf("headers: %v", rec.Header())
	}
	if got := apiGet(t, s, "/api/v1/openapi.json", "If-None-Match: "+rec.Header().Get("ETag")); got.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", got.Code)
	}
}
