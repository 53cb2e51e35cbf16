package site

import (
	"net/http"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

func TestFormatNum(t *testing.T) {
	tests := []struct {
		v      float64
		digits int
		want   string
	}{
		{0, 0, "0"},
		{999, 0, "999"},
		{1000, 0, "1,000"},
		{1234567.891, 2, "1,234,567.89"},
		{-12345.6, 1, "-12,345.6"},
		{38.25, 1, "38.2"},
	}
	for _, tt := range tests {
		if got := FormatNum(tt.v, tt.digits); got != tt.want {
			t.Errorf("FormatNum(%v, %d)=%q, want %q", tt.v, tt.digits, got, tt.want)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "ko"},
		{"fr-FR,fr;q=0.9", "ko"},
		{"en-US,en;q=0.9", "en"},
		{"ko-KR", "ko"},
		{"ko;q=0.5, en;q=0.8", "en"},
		{"EN-gb;q=0.3,ko;q=0.2", "en"},
	}
	for _, tt := range tests {
		if got := fromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("fromAcceptLanguage(%q)=%q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	AddMessages(map[string][2]string{
		"site-test.both":  {"안녕 %s", "hello %s"},
		"site-test.plain": {"가", "a"},
	})
	if got, want := Translate("ko", "site-test.both", "x"), "안녕 x"; got != want {
		t.Errorf("ko=%q, want %q", got, want)
	}
	if got, want := Translate("en", "site-test.plain"), "a"; got != want {
		t.Errorf("en=%q, want %q", got, want)
	}
	if got, want := Translate("xx", "site-test.plain"), "a"; got != want {
		t.Errorf("unknown language=%q, want the English %q", got, want)
	}
	if got, want := Translate("ko", "site-test.missing"), "site-test.missing"; got != want {
		t.Errorf("missing key=%q, want the key %q", got, want)
	}
	if !HasMessage("ko", "site-test.plain") || HasMessage("ko", "site-test.missing") {
		t.Error("HasMessage does not match the catalog")
	}
}

func TestStatusOf(t *testing.T) {
	for code, want := range map[string]int{
		poll.EINVALID: http.StatusBadRequest, poll.EFORBIDDEN: http.StatusForbidden,
		poll.EUNAUTHORIZED: http.StatusUnauthorized, poll.EINTERNAL: http.StatusInternalServerError,
	} {
		if got, ok := StatusOf(code); !ok || got != want {
			t.Errorf("StatusOf(%q)=%d, %v; want %d", code, got, ok, want)
		}
	}
	if _, ok := StatusOf("no-such-code"); ok {
		t.Error("StatusOf knows a code that does not exist")
	}
	if got, want := CodeOfStatus(http.StatusNotFound), poll.ENOTFOUND; got != want {
		t.Errorf("CodeOfStatus(404)=%q, want %q", got, want)
	}
	if got, want := CodeOfStatus(http.StatusTooManyRequests), "too_many_requests"; got != want {
		t.Errorf("CodeOfStatus(429)=%q, want %q", got, want)
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"true", "1", "ON", " yes "} {
		if b, err := ParseBool("x", s); err != nil || !b {
			t.Errorf("ParseBool(%q)=%v, %v; want true", s, b, err)
		}
	}
	for _, s := range []string{"false", "0", "Off", "no"} {
		if b, err := ParseBool("x", s); err != nil || b {
			t.Errorf("ParseBool(%q)=%v, %v; want false", s, b, err)
		}
	}
	if _, err := ParseBool("dry_run", "maybe"); poll.ErrorCode(err) != poll.EINVALID {
		t.Errorf("ParseBool(maybe) err=%v, want EINVALID", err)
	}
}
