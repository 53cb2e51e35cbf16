package poll

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
)

func TestZZDiag(t *testing.T) {
	var w struct {
		Question *Question
		Polls    []Poll
		Truth    map[string][]float64
		Start    Date
	}
	b, _ := os.ReadFile("/tmp/diag/w.json")
	json.Unmarshal(b, &w)
	o := DefaultOptions()
	o.NonSamplingSD = 0
	pr, _ := prepare(w.Question, w.Polls, o)
	MarginalQ = true
	f := fitKalman(pr, 0, kspec{true, true})
	fmt.Printf("fitted q=%g ns=%g tau=%g\n", f.q, math.Sqrt(f.ns2), math.Sqrt(f.tau2))
	for lq := -14.0; lq <= 0; lq += 1 {
		f.q = math.Exp(lq)
		f.aggregate()
		ll := f.w.gls(f)
		fmt.Printf("log q %.0f  ll %.3f  theta0 %.2f\n", lq, ll, f.theta[0])
	}
	tr := w.Truth["support"]
	fmt.Println("truth first/mid/last", tr[0], tr[len(tr)/2], tr[len(tr)-1])
}
