package poll

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
)

// readCSV reads a CSV file of numbers with a header row.
func readCSV(t *testing.T, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, 0, len(rows)-1)
	for _, r := range rows[1:] {
		v := make([]float64, len(r))
		for i, s := range r {
			if v[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		out = append(out, v)
	}
	return out
}

// TestLoess_MatchesR compares loessWeights with R's loess(y ~ x, weights =
// w, span, degree = 1, family = "gaussian", surface = "direct") on the
// fixture in testdata/loess, made by testdata/loess/gen.R.
func TestLoess_MatchesR(t *testing.T) {
	fx := readCSV(t, "testdata/loess/fixture.csv")
	golden := readCSV(t, "testdata/loess/golden.csv")
	xs, ys, ws := make([]float64, len(fx)), make([]float64, len(fx)), make([]float64, len(fx))
	for i, r := range fx {
		xs[i], ys[i], ws[i] = r[0], r[1], r[2]
	}
	if got, want := len(golden), 3*61; got != want {
		t.Fatalf("golden has %d rows, want %d", got, want)
	}
	var buf []float64
	worst := 0.0
	for _, g := range golden {
		span, x0, want := g[0], g[1], g[2]
		k := loessWeights(xs, func(i int) float64 { return ws[i] }, x0, span, buf)
		buf = k.w
		got := 0.0
		for i, w := range k.w {
			got += w * ys[k.lo+i]
		}
		if d := math.Abs(got - want); d > 1e-6 {
			t.Errorf("span %v at x=%v: loess %.9f, R %.9f", span, x0, got, want)
		} else {
			worst = max(worst, d)
		}
	}
	t.Logf("largest difference from R: %.2g", worst)
}

func TestLoessWeights(t *testing.T) {
	one := func(int) float64 { return 1 }
	tests := []struct {
		name string
		xs   []float64
		x0   float64
		span float64
		// want is the estimate for y = 3 + 2x: local linear fits reproduce
		// straight lines exactly wherever the slope is identified.
		want float64
	}{
		{"Interior", []float64{0, 1, 2, 3, 4, 5, 6}, 3, 0.6, 9},
		{"Edge", []float64{0, 1, 2, 3, 4, 5, 6}, 0, 0.5, 3},
		{"Extrapolate", []float64{0, 1, 2, 3}, 5, 1, 13},
		{"Ties", []float64{1, 1, 1, 2, 2, 3, 5}, 2, 0.7, 7},
		{"AllOneDay", []float64{4, 4, 4}, 4, 0.5, 11},
		{"OnePoint", []float64{2}, 2, 1, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := loessWeights(tt.xs, one, tt.x0, tt.span, nil)
			got, sum := 0.0, 0.0
			for i, w := range k.w {
				got += w * (3 + 2*tt.xs[k.lo+i])
				sum += w
			}
			if math.Abs(sum-1) > 1e-12 || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("estimate %v (weights sum %v), want %v", got, sum, tt.want)
			}
		})
	}
}

// growRun is the q nearest points found by growing a run from x0 one
// point at a time, the closer side first and the left on a tie: the
// definition nearestRun must match.
func growRun(xs []float64, x0 float64, q int) (lo, hi int) {
	n := len(xs)
	lo = sort.SearchFloat64s(xs, x0)
	hi = lo
	for hi-lo < q {
		switch {
		case lo == 0:
			hi++
		case hi == n:
			lo--
		case x0-xs[lo-1] <= xs[hi]-x0:
			lo--
		default:
			hi++
		}
	}
	return lo, hi
}

func TestNearestRun(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(60)
		xs := make([]float64, n)
		for i := range xs {
			// whole and half days, so that ties and repeated points are common
			xs[i] = float64(r.IntN(40)) / 2
		}
		sort.Float64s(xs)
		q := 1 + r.IntN(n)
		x0 := float64(r.IntN(50)-5) / 2
		glo, ghi := growRun(xs, x0, q)
		lo, hi := nearestRun(xs, x0, q)
		if lo != glo || hi != ghi {
			t.Fatalf("xs=%v x0=%v q=%d: run [%d,%d), want [%d,%d)", xs, x0, q, lo, hi, glo, ghi)
		}
	}
}

// TestLoess_Interpolated measures what fitting every stride-th day and
// interpolating between costs in accuracy, against fitting every day, on
// 6,000 polls over four years with a trend and a jump: the largest
// difference of the estimate and of the band's ends, in points.
func TestLoess_Interpolated(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	q := &Question{ID: "q", Options: []Option{{ID: "support"}, {ID: "oppose"}}}
	days := 4 * 365
	var polls []Poll
	for i := 0; i < 6000; i++ {
		d := r.IntN(days)
		truth := 40 + 5*math.Sin(float64(d)/200)
		if d > days/2 {
			truth += 3
		}
		y := truth + 1.5*r.NormFloat64() + float64(i%7-3)/2
		polls = append(polls, Poll{Pollster: "P" + strconv.Itoa(i%12), Start: Date(19000 + d), End: Date(19000 + d), SampleSize: 1000,
			Results: SharesOf(map[string]float64{"support": y, "oppose": 100 - y - 6})})
	}
	o := DefaultOptions()
	o.Method = MethodLoess
	direct, err := Average(q, polls, o)
	if err != nil {
		t.Fatal(err)
	}
	defer func(b float64) { loessBudget = b }(loessBudget)
	loessBudget = 1.3e5 // a stride of 20 days here
	pr, _ := prepare(q, polls, o)
	if st := newEngine(pr).loessStride(0); st < 15 {
		t.Fatalf("stride %d: the test means to interpolate over weeks", st)
	}
	interp, err := Average(q, polls, o)
	if err != nil {
		t.Fatal(err)
	}
	worst, worstBand := 0.0, 0.0
	for k := range direct.Series {
		for i, p := range direct.Series[k].Points {
			ip := interp.Series[k].Points[i]
			worst = math.Max(worst, math.Abs(p.Estimate-ip.Estimate))
			worstBand = math.Max(worstBand, math.Max(math.Abs(p.Lower-ip.Lower), math.Abs(p.Upper-ip.Upper)))
		}
	}
	t.Logf("interpolated over %d-day strides: largest difference %.4f points in the estimate, %.4f in the band", newEngine(pr).loessStride(0), worst, worstBand)
	if worst > 0.05 || worstBand > 0.1 {
		t.Errorf("interpolation moves the estimate by up to %.4f and the band by %.4f points: want under 0.05 and 0.1", worst, worstBand)
	}
}
