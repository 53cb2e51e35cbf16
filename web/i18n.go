package web

import (
	"fmt"
	"strings"

	"github.com/labstack/echo/v4"
)

// Languages the site speaks. The first is the default.
var languages = []string{"ko", "en"}

// catalog maps a language to message keys and their text. Each area adds
// its own messages in init with addMessages.
var catalog = map[string]map[string]string{"ko": {}, "en": {}}

// addMessages adds messages: key → [Korean, English].
func addMessages(m map[string][2]string) {
	for k, v := range m {
		catalog["ko"][k] = v[0]
		catalog["en"][k] = v[1]
	}
}

// translate returns the message for key in lang, formatted with args when
// given; a missing key shows as itself so that a gap is visible, not blank.
func translate(lang, key string, args ...any) string {
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

// langOf chooses the reader's language: ?lang=ko|en, then the lang cookie
// the switch sets, then Accept-Language (by q-value), then Korean.
func langOf(c echo.Context) string {
	if l := c.QueryParam("lang"); isLang(l) {
		return l
	}
	if ck, err := c.Cookie("lang"); err == nil && isLang(ck.Value) {
		return ck.Value
	}
	return fromAcceptLanguage(c.Request().Header.Get("Accept-Language"))
}

func isLang(l string) bool { return l == "ko" || l == "en" }

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
		if isLang(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	if best == "" {
		return languages[0]
	}
	return best
}
