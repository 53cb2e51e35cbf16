package web

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web/site"
)

// View is what a reader or a client asked to see of a question: the
// averaging options, filters on the polls, and which answers to return.
// The dashboard and the API read it from the same query parameters, with
// the same defaults, so a chart and its download always agree.
//
//	method=kalman|loess|weighted|latest   half_life=DAYS (>0)   window=DAYS   span=(0,1]
//	adjust_house=true|false   adjust_mode=true|false   drop_undecided=true|false
//	from=YYYY-MM-DD   to=YYYY-MM-DD   pollster=NAME (repeatable)   mode=phone-live,phone-ARS,online,mixed,unknown
//	answers=support,oppose   shared_error=POINTS (0-25)   ratings=true|false
type View struct {
	Options   poll.Options
	Pollsters []string    // only polls of these pollsters; empty means all
	Modes     []poll.Mode // only polls of these modes; empty means all
	Answers   []string    // only these answers in the output; empty means all
	// SharedErrorSet reports that the query gave shared_error (then in
	// Options.SharedError); without it the band carries the shared error
	// the database's calibration learned for the method (see compute).
	SharedErrorSet bool
	// NoRatings leaves the pollster ratings out of the average
	// (ratings=false); by default they feed it (Calibration.Apply).
	NoRatings bool
}

// viewParams are the query parameters parseView reads, in canonical order.
var viewParams = []string{"method", "half_life", "window", "span", "adjust_house", "adjust_mode", "drop_undecided", "from", "to", "pollster", "mode", "answers", "shared_error", "ratings"}

// parseView reads a View from the request's query. q, when not nil,
// checks answers against the question's options. Every mistake is an
// EINVALID error that names the parameter and what it accepts (a 400).
func parseView(c echo.Context, q *poll.Question) (View, error) {
	return parseViewValues(c.QueryParams(), q)
}

func parseViewValues(qs url.Values, q *poll.Question) (View, error) {
	v := View{Options: poll.DefaultOptions()}
	o := &v.Options
	get := func(k string) (string, bool) {
		s, ok := qs[k]
		if !ok || len(s) == 0 {
			return "", false
		}
		return strings.TrimSpace(s[len(s)-1]), true
	}
	if s, ok := get("method"); ok && s != "" {
		m, err := poll.ParseMethod(s)
		if err != nil {
			return v, poll.Errorf(poll.EINVALID, "method: %q is not one of kalman, loess, weighted, latest", s)
		}
		o.Method = m
	}
	num := func(name string, dst *float64, lo, hi float64, accepts string) error {
		s, ok := get(name)
		if !ok || s == "" {
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !(f > lo) || f > hi {
			return poll.Errorf(poll.EINVALID, "%s: %q is not %s", name, s, accepts)
		}
		*dst = f
		return nil
	}
	if err := num("half_life", &o.HalfLife, 0, 3650, "a number of days above 0 and at most 3650"); err != nil {
		return v, err
	}
	if err := num("span", &o.Span, 0, 1, "a fraction above 0 and at most 1"); err != nil {
		return v, err
	}
	if s, ok := get("window"); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3650 {
			return v, poll.Errorf(poll.EINVALID, "window: %q is not a whole number of days from 1 to 3650", s)
		}
		o.Window = n
	}
	boolean := func(name string, dst *bool) error {
		s, ok := get(name)
		if !ok || s == "" {
			return nil
		}
		b, err := site.ParseBool(name, s)
		if err != nil {
			return err
		}
		*dst = b
		return nil
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"adjust_house", &o.AdjustHouse}, {"adjust_mode", &o.AdjustMode}, {"drop_undecided", &o.DropUndecided}} {
		if err := boolean(b.name, b.dst); err != nil {
			return v, err
		}
	}
	for _, name := range []string{"from", "to"} {
		s, ok := get(name)
		if !ok || s == "" {
			continue
		}
		d, err := poll.ParseDate(s)
		if err != nil {
			return v, poll.Errorf(poll.EINVALID, "%s: %q is not a date (YYYY-MM-DD)", name, s)
		}
		if name == "from" {
			o.From = &d
		} else {
			o.To = &d
		}
	}
	for _, p := range qs["pollster"] {
		if p = strings.TrimSpace(p); p != "" {
			v.Pollsters = append(v.Pollsters, p)
		}
	}
	for _, s := range qs["mode"] {
		for _, m := range strings.Split(s, ",") {
			m = strings.TrimSpace(m)
			if m == "" {
				continue
			}
			mode, ok := modeByName(m)
			if !ok {
				return v, poll.Errorf(poll.EINVALID, "mode: %q is not one of phone-live, phone-ARS, online, mixed, unknown", m)
			}
			v.Modes = append(v.Modes, mode)
		}
	}
	if s, ok := get("answers"); ok && s != "" {
		for _, a := range strings.Split(s, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if q != nil {
				if _, ok := q.Option(a); !ok {
					return v, poll.Errorf(poll.EINVALID, "answers: %q is not an answer of this question (%s)", a, strings.Join(q.OptionIDs(), ", "))
				}
			}
			v.Answers = append(v.Answers, a)
		}
	}
	if s, ok := get("shared_error"); ok && s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || !(f >= 0) || f > maxSharedError {
			return v, poll.Errorf(poll.EINVALID, "shared_error: %q is not a number of percentage points from 0 to %g", s, float64(maxSharedError))
		}
		o.SharedError, v.SharedErrorSet = f, true
	}
	if s, ok := get("ratings"); ok && s != "" {
		b, err := site.ParseBool("ratings", s)
		if err != nil {
			return v, err
		}
		v.NoRatings = !b
	}
	if err := o.Validate(); err != nil {
		return v, err
	}
	if o.DropUndecided && q != nil {
		for _, a := range v.Answers {
			if opt, _ := q.Option(a); opt.Undecided {
				return v, poll.Errorf(poll.EINVALID, "answers: %q is the undecided answer, which drop_undecided=true removes", a)
			}
		}
	}
	if o.From != nil && o.To != nil && *o.To-*o.From > maxRangeDays {
		return v, poll.Errorf(poll.EINVALID, "from, to: the range spans %d days; at most %d (100 years) per request", *o.To-*o.From, maxRangeDays)
	}
	sort.Strings(v.Pollsters)
	v.Pollsters = slices.Compact(v.Pollsters)
	sort.Slice(v.Modes, func(i, j int) bool { return v.Modes[i] < v.Modes[j] })
	v.Modes = slices.Compact(v.Modes)
	v.Answers = dedupe(v.Answers)
	return v, nil
}

// dedupe drops repeated strings, keeping the first of each in its place:
// answers=support,support is the view answers=support, with the same
// canonical URL, cache entry and file name.
func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// maxSharedError is the largest shared_error a view accepts, in points
// (the engine's own bound).
const maxSharedError = 25

// maxRangeDays bounds a requested date range, so that one request cannot
// ask for millions of daily points.
const maxRangeDays = 36525

// modeByName accepts a mode's name, case-insensitively, and "unknown".
func modeByName(s string) (poll.Mode, bool) {
	if strings.EqualFold(s, "unknown") {
		return poll.ModeUnknown, true
	}
	for _, m := range poll.Modes {
		if m != poll.ModeUnknown && strings.EqualFold(s, string(m)) {
			return m, true
		}
	}
	return "", false
}

// modeName is the name of a mode in URLs and files ("unknown" for the empty mode).
func modeName(m poll.Mode) string {
	if m == poll.ModeUnknown {
		return "unknown"
	}
	return string(m)
}

// Query returns the view as query parameters, leaving out those at their
// defaults: the canonical, shareable form of the view.
func (v View) Query() url.Values {
	d := poll.DefaultOptions()
	o := v.Options
	q := url.Values{}
	if o.Method != d.Method {
		q.Set("method", string(o.Method))
	}
	if o.HalfLife != d.HalfLife {
		q.Set("half_life", strconv.FormatFloat(o.HalfLife, 'g', -1, 64))
	}
	if o.Window != d.Window {
		q.Set("window", strconv.Itoa(o.Window))
	}
	if o.Span != d.Span {
		q.Set("span", strconv.FormatFloat(o.Span, 'g', -1, 64))
	}
	if o.AdjustHouse != d.AdjustHouse {
		q.Set("adjust_house", strconv.FormatBool(o.AdjustHouse))
	}
	if o.AdjustMode != d.AdjustMode {
		q.Set("adjust_mode", strconv.FormatBool(o.AdjustMode))
	}
	if o.DropUndecided != d.DropUndecided {
		q.Set("drop_undecided", strconv.FormatBool(o.DropUndecided))
	}
	if o.From != nil {
		q.Set("from", o.From.String())
	}
	if o.To != nil {
		q.Set("to", o.To.String())
	}
	for _, p := range v.Pollsters {
		q.Add("pollster", p)
	}
	if len(v.Modes) > 0 {
		names := make([]string, len(v.Modes))
		for i, m := range v.Modes {
			names[i] = modeName(m)
		}
		q.Set("mode", strings.Join(names, ","))
	}
	if len(v.Answers) > 0 {
		q.Set("answers", strings.Join(v.Answers, ","))
	}
	if v.SharedErrorSet {
		q.Set("shared_error", strconv.FormatFloat(o.SharedError, 'g', -1, 64))
	}
	if v.NoRatings {
		q.Set("ratings", "false")
	}
	return q
}

// Key is a canonical string of the view for caches.
func (v View) Key() string { return v.Query().Encode() }

// keep reports whether the view's filters keep poll p.
func (v View) keep(p *poll.Poll) bool {
	return (len(v.Pollsters) == 0 || slices.Contains(v.Pollsters, p.Pollster)) &&
		(len(v.Modes) == 0 || slices.Contains(v.Modes, p.Mode))
}
