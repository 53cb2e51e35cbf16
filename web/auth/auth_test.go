package auth_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web/auth"
)

// serve runs the middleware for one request with the Authorization
// header authz ("" for none); it returns the account the next handler
// saw (nil when it did not run), the response and the middleware's error.
func serve(t *testing.T, db *store.DB, authz string) (*store.Account, *httptest.ResponseRecorder, error) {
	t.Helper()
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/uploads", nil)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	var seen *store.Account
	next := func(c echo.Context) error { seen = auth.Account(c); return nil }
	err := auth.RequireToken(db)(next)(c)
	return seen, rec, err
}

func TestRequireToken(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, alpha, err := db.AddPollster("Alpha Research", []string{"알파리서치"})
	if err != nil {
		t.Fatal(err)
	}
	_, admin, err := db.OperatorToken()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		a, _, err := serve(t, db, "bearer  "+alpha+" ")
		if err != nil {
			t.Fatal(err)
		}
		if a == nil || a.Name != "Alpha Research" {
			t.Fatalf("account=%+v, want Alpha Research", a)
		}
		rule := auth.PublishRule(a)
		if rule == nil || !rule("알파리서치") || rule("Beta Polling") {
			t.Error("a pollster's rule does not allow exactly its own names")
		}
	})
	t.Run("Operator", func(t *testing.T) {
		a, _, err := serve(t, db, "Bearer "+admin)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Operator || auth.PublishRule(a) != nil {
			t.Errorf("operator=%v, want an operator with no publish rule", a.Operator)
		}
	})
	t.Run("ErrNoToken", func(t *testing.T) {
		for _, h := range []string{"", "Basic abc", "Bearer ", alpha} {
			a, rec, err := serve(t, db, h)
			if got, want := poll.ErrorCode(err), poll.EUNAUTHORIZED; got != want {
				t.Errorf("%q: code=%q, want %q", h, got, want)
			}
			if a != nil {
				t.Errorf("%q: the next handler ran", h)
			}
			if got, want := rec.Header().Get("WWW-Authenticate"), `Bearer realm="pollagg"`; got != want {
				t.Errorf("%q: WWW-Authenticate=%q, want %q", h, got, want)
			}
		}
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		a, rec, err := serve(t, db, "Bearer "+alpha+"x")
		if got, want := poll.ErrorCode(err), poll.EUNAUTHORIZED; got != want {
			t.Errorf("code=%q, want %q", got, want)
		}
		if a != nil {
			t.Error("the next handler ran")
		}
		if got, want := rec.Header().Get("WWW-Authenticate"), `Bearer realm="pollagg", error="invalid_token"`; got != want {
			t.Errorf("WWW-Authenticate=%q, want %q", got, want)
		}
	})
}

func TestAccount_None(t *testing.T) {
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	if a := auth.Account(c); a != nil {
		t.Errorf("Account=%+v without RequireToken, want nil", a)
	}
}
