package site

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"
)

// Languages are the languages the site speaks. The first is the default.
var Languages = []string{"ko", "en"}

// catalog maps a language to message keys and their text. Each area adds
// its own messages in init with AddMessages.
var catalog = map[string]map[string]string{"ko": {}, "en": {}}

// AddMessages adds messages: key → [Korean, English]. It is meant for
// init functions; it is not safe to call while requests are served.
func AddMessages(m map[string][2]string) {
	for k, v := range m {
		catalog["ko"][k] = v[0]
		catalog["en"][k] = v[1]
	}
}

// HasMessage reports whether the catalog has key in lang.
func HasMessage(lang, key string) bool {
	_, ok := catalog[lang][key]
	return ok
}

// Translate returns the message for key in lang, formatted with args when
// given; a missing key shows as itself so that a gap is visible, not blank.
func Translate(lang, key string, args ...any) string {
	msg, ok := catalog[lang][key]
	if !ok {
		if msg, ok = catalog["en"][key]; !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// LangOf chooses the reader's language: ?lang=ko|en, then the lang cookie
// the switch sets, then Accept-Language (by q-value), then Korean.
func LangOf(c echo.Context) string {
	if l := c.QueryParam("lang"); IsLang(l) {
		return l
	}
	if ck, err := c.Cookie("lang"); err == nil && IsLang(ck.Value) {
		return ck.Value
	}
	return fromAcceptLanguage(c.Request().Header.Get("Accept-Language"))
}

// IsLang reports whether l is a language the site speaks.
func IsLang(l string) bool { return l == "ko" || l == "en" }

// fromAcceptLanguage picks ko or en from an Accept-Language header.
func fromAcceptLanguage(h string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			fmt.Sscanf(v, "%g", &q)
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if IsLang(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	if best == "" {
		return Languages[0]
	}
	return best
}
