package poll_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/poll/sim"
)

func TestZZRef(t *testing.T) {
	out := map[string]any{}
	for _, j := range []int{3, 40} {
		w := benchWorld(10000, 5)
		s := w.Scenario
		s.Pollsters = j
		w = sim.Generate(1, s)
		for _, m := range poll.Methods {
			o := poll.DefaultOptions()
			o.Method = m
			r, err := poll.Average(w.Question, w.Polls, o)
			if err != nil {
				t.Fatal(err)
			}
			out[string(m)+string(rune('0'+j))] = r
		}
	}
	b, _ := json.Marshal(out)
	os.WriteFile(os.Getenv("REF"), b, 0o644)
}
