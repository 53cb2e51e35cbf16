package poll

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a civil calendar day, counted in days since 1970-01-01 (negative
// before). Polls are fielded on days, not instants, so a Date carries no time
// zone and compares and subtracts as an integer.
type Date int32

// DateOf returns the civil day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date(floorDiv(u.Unix(), 86400))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// NewDate returns the Date for year, month and day. It does not normalise:
// callers that need validation should use ParseDate.
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats d as ISO 8601 (2006-01-02).
func (d Date) String() string {
	return d.Time().Format("2006-01-02")
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// MarshalText formats d as ISO 8601, so Dates read naturally in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses any form ParseDate accepts.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDate reads a calendar date in ISO form (2023-03-08) or in the forms
// common in Korean reports: 2023.03.08, 2023.3.8., 2023-3-8, 2023/3/8 and
// 2023년 3월 8일. Surrounding spaces are ignored. It rejects impossible days
// such as 2023-02-30 with a message that says why.
func ParseDate(s string) (Date, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' { // the common ISO case, without allocating
		y, m, d := atoi4(s[0:4]), atoi4(s[5:7]), atoi4(s[8:10])
		if y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m) {
			return NewDate(y, time.Month(m), d), nil
		}
	}
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty date")
	}
	s = koreanDate.Replace(s)
	s = strings.TrimRight(strings.TrimSpace(s), ".")
	var parts []string
	for _, sep := range []string{"-", ".", "/"} {
		if strings.Contains(s, sep) {
			parts = strings.Split(s, sep)
			break
		}
	}
	if len(parts) == 0 && len(s) == 8 { // 20230308
		parts = []string{s[:4], s[4:6], s[6:]}
	}
	if len(parts) != 3 {
		return 0, fmt.Errorf("%q is not a date; use YYYY-MM-DD (also accepted: 2023.03.08, 2023-3-8)", orig)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%q is not a date; use YYYY-MM-DD (also accepted: 2023.03.08, 2023-3-8)", orig)
		}
		n[i] = v
	}
	y, m, d := n[0], n[1], n[2]
	if y < 1000 || y > 9999 {
		return 0, fmt.Errorf("%q: year %d must have four digits", orig, y)
	}
	if m < 1 || m > 12 {
		return 0, fmt.Errorf("%q: month %d out of range 1-12", orig, m)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		return 0, fmt.Errorf("%q: day %d out of range for %d-%02d", orig, d, y, m)
	}
	return DateOf(t), nil
}

var koreanDate = strings.NewReplacer("년", "-", "월", "-", "일", "")

// atoi4 parses up to four ASCII digits; -1 for anything else.
func atoi4(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Today returns the current civil day in Korea Standard Time, where
// pollagg's first subject is fielded. A poll that ends after Today is in the
// future.
func Today(now time.Time) Date {
	return DateOf(now.In(time.FixedZone("KST", 9*3600)))
}
