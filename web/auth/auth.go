// Package auth authenticates pollagg's API requests by bearer token: the
// uploads (package web/upload) and the retraction of polls (package web)
// both stand behind [RequireToken]. Tokens and accounts live in the
// store; this package only reads them.
package auth

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// accountKey is where RequireToken keeps the authenticated account in the
// request context. (The upload page finds its account through its session,
// not through this package.)
const accountKey = "pollagg.account"

// RequireToken returns the API's authentication against db: every
// request it guards must carry "Authorization: Bearer TOKEN" with a
// current token of a pollster or the operator. A request without one, or with a token that is wrong,
// replaced or revoked, is answered 401 with the usual JSON error body and
// a WWW-Authenticate header (RFC 6750). Echo's KeyAuth is not used: it
// answers a missing key with 400.
//
// Authentication only reads the database, so a refused request changes
// nothing on disk.
func RequireToken(db *store.DB) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tok, ok := bearerToken(c.Request())
			if !ok {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="pollagg"`)
				return poll.Errorf(poll.EUNAUTHORIZED,
					`no token: send "Authorization: Bearer TOKEN" (an operator creates one with `+"`pollagg pollster add NAME`"+`)`)
			}
			a, err := db.Authenticate(tok)
			if err != nil {
				if poll.ErrorCode(err) == poll.EUNAUTHORIZED {
					c.Response().Header().Set("WWW-Authenticate", `Bearer realm="pollagg", error="invalid_token"`)
				}
				return err
			}
			c.Set(accountKey, a)
			return next(c)
		}
	}
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN"
// header; the scheme is matched without regard to case.
func bearerToken(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// Account returns the account RequireToken put in the context, or nil.
func Account(c echo.Context) *store.Account {
	a, _ := c.Get(accountKey).(*store.Account)
	return a
}

// PublishRule returns the rule the importer (store.ImportRequest's
// MayPublish) applies for a: nil (every pollster) for the operator,
// otherwise the account's own names.
func PublishRule(a *store.Account) func(string) bool {
	if a.Operator {
		return nil
	}
	return a.MayPublish
}
