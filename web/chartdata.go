package web

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// numbers is a JSON array of numbers in the chart's compact payload: each
// value written with as few digits as it needs, NaN as null. A chart of
// 100,000 polls carries a few such arrays instead of 100,000 objects.
type numbers []float64

// MarshalJSON writes the array in one pass (encoding/json would call a
// marshaller per element, or write every float64 in full).
func (ns numbers) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+6*len(ns))
	b = append(b, '[')
	for i, v := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case math.IsNaN(v):
			b = append(b, "null"...)
		case math.IsInf(v, 0):
			return nil, fmt.Errorf("web: chart data: %v is not a JSON number", v)
		case v == math.Trunc(v) && math.Abs(v) < 1e15:
			b = strconv.AppendInt(b, int64(v), 10)
		default:
			b = strconv.AppendFloat(b, v, 'f', -1, 64)
		}
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads an array of numbers and nulls (null is NaN).
func (ns *numbers) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return fmt.Errorf("web: chart data: %.20q is not an array", b)
	}
	out := numbers{}
	for _, f := range bytes.Split(b[1:len(b)-1], []byte(",")) {
		f = bytes.TrimSpace(f)
		if len(f) == 0 {
			continue
		}
		if string(f) == "null" {
			out = append(out, math.NaN())
			continue
		}
		v, err := strconv.ParseFloat(string(f), 64)
		if err != nil {
			return fmt.Errorf("web: chart data: %w", err)
		}
		out = append(out, v)
	}
	*ns = out
	return nil
}

// chartPolls is every charted poll, column by column, in the order of
// their field periods' start. The dots' third value and the tooltip index
// these columns; the strings are in Names, once each.
type chartPolls struct {
	// Start is the first field day (days since 1970) delta-coded: the
	// first value is a day, each next one the days since the one before.
	Start numbers `json:"start"`
	// Len is the field period's length: last field day minus first.
	Len numbers `json:"len"`
	// N is the sample size, 0 when not reported.
	N numbers `json:"n"`
	// Weight is the poll's share of the last day's average in percent,
	// null when it has none.
	Weight numbers `json:"weight"`
	// Pollster, Sponsor and Mode index Names (Sponsor -1: none).
	Pollster numbers `json:"pollster"`
	Sponsor  numbers `json:"sponsor"`
	Mode     numbers `json:"mode"`
	// Results holds, for every answer of the question, each poll's share
	// (null: not reported).
	Results []chartShares `json:"results"`
	Names   chartNames    `json:"names"`
}

// chartShares is one answer's shares in the charted polls.
type chartShares struct {
	ID     string  `json:"id"`
	Label  string  `json:"label"`
	Values numbers `json:"v"`
}

// chartNames are the strings the tooltip shows, each once.
type chartNames struct {
	Pollster []string `json:"pollster"`
	Sponsor  []string `json:"sponsor"`
	Mode     []string `json:"mode"` // in the page's language
}

// len is the number of polls.
func (c *chartPolls) len() int { return len(c.Len) }

// interner gives each distinct string an index into its list.
type interner struct {
	list  *[]string
	index map[string]int
}

func newInterner(list *[]string) *interner {
	*list = []string{}
	return &interner{list: list, index: map[string]int{}}
}

func (in *interner) id(s string) float64 {
	i, ok := in.index[s]
	if !ok {
		i = len(*in.list)
		in.index[s] = i
		*in.list = append(*in.list, s)
	}
	return float64(i)
}
