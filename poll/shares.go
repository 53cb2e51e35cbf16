package poll

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Share is one answer's share of a poll: an option id and its percentage
// (0-100).
type Share struct {
	Option string
	Pct    float64
}

// Shares is a poll's answers, at most one per option, in option-id order.
// A poll reports a handful of answers, so a sorted slice is both smaller
// than a map (48 bytes for two answers against about 250) and as fast to
// search; at 100,000 polls the difference is 20 MB of a server's memory.
// The zero value holds no answers. In JSON it is an object from option id
// to percentage with its keys sorted, as a map would be written.
type Shares []Share

// SharesOf returns the answers of m as Shares.
func SharesOf(m map[string]float64) Shares {
	if m == nil {
		return nil
	}
	s := make(Shares, 0, len(m))
	for k, v := range m {
		s = append(s, Share{k, v})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Option < s[j].Option })
	return s
}

// search returns the index of option in s, or where it would go.
func (s Shares) search(option string) (int, bool) {
	// a poll has a few answers: a linear scan beats bisection
	for i := range s {
		if s[i].Option >= option {
			return i, s[i].Option == option
		}
	}
	return len(s), false
}

// Get returns option's percentage, and whether the poll reported it.
func (s Shares) Get(option string) (float64, bool) {
	if i, ok := s.search(option); ok {
		return s[i].Pct, true
	}
	return 0, false
}

// Has reports whether the poll reported option.
func (s Shares) Has(option string) bool {
	_, ok := s.search(option)
	return ok
}

// Set records option's percentage, replacing any earlier one.
func (s *Shares) Set(option string, pct float64) {
	i, ok := s.search(option)
	if ok {
		(*s)[i].Pct = pct
		return
	}
	*s = append(*s, Share{})
	copy((*s)[i+1:], (*s)[i:])
	(*s)[i] = Share{option, pct}
}

// Options returns the reported options' ids, sorted.
func (s Shares) Options() []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i].Option
	}
	return out
}

// Map returns the answers as a new map.
func (s Shares) Map() map[string]float64 {
	if s == nil {
		return nil
	}
	m := make(map[string]float64, len(s))
	for _, x := range s {
		m[x.Option] = x.Pct
	}
	return m
}

// Equal reports whether s and t hold the same answers.
func (s Shares) Equal(t Shares) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] && !(s[i].Option == t[i].Option && math.IsNaN(s[i].Pct) && math.IsNaN(t[i].Pct)) {
			return false
		}
	}
	return true
}

// MarshalJSON writes s as an object from option id to percentage, the bytes
// encoding/json writes for the same map.
func (s Shares) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 2+len(s)*24)
	b = append(b, '{')
	for i, x := range s {
		if i > 0 {
			b = append(b, ',')
		}
		if plainKey(x.Option) {
			b = append(b, '"')
			b = append(b, x.Option...)
			b = append(b, '"')
		} else {
			k, err := json.Marshal(x.Option)
			if err != nil {
				return nil, err
			}
			b = append(b, k...)
		}
		b = append(b, ':')
		var err error
		if b, err = appendJSONFloat(b, x.Pct); err != nil {
			return nil, fmt.Errorf("poll: answer %q: %w", x.Option, err)
		}
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads an object from option id to percentage (null: none).
func (s *Shares) UnmarshalJSON(b []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*s = SharesOf(m)
	return nil
}

// plainKey reports whether k needs no escaping in JSON (encoding/json's
// HTML-safe form included).
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// appendJSONFloat appends f as encoding/json writes a float64.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("unsupported value %s", strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// Pct returns option's percentage, or NaN when the poll did not report it
// (so that a missing answer never reads as zero).
func (s Shares) Pct(option string) float64 {
	if v, ok := s.Get(option); ok {
		return v
	}
	return math.NaN()
}
