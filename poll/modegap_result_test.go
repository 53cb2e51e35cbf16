package poll_test

import (
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/poll/sim"
)

// TestResult_ModeGap: the average carries the same gaps as ModeGaps for
// the same polls and options, in either order of the two modes.
func TestResult_ModeGap(t *testing.T) {
	w := sim.Generate(3, sim.Scenario{Days: 200, Pollsters: 6, PollsPerWeek: 6, Start: 40, Undecided: 8,
		DriftSD: 0.1, HouseSD: 2, ModeScale: 1, NonSamplingSD: 1.5})
	o := poll.DefaultOptions()
	res, err := poll.Average(w.Question, w.Polls, o)
	if err != nil {
		t.Fatal(err)
	}
	want, err := poll.ModeGaps(w.Question, w.Polls, o, poll.ModeLive, poll.ModeARS)
	if err != nil || len(want) == 0 {
		t.Fatalf("ModeGaps: %v %v", want, err)
	}
	for _, g := range want {
		got, ok := res.ModeGap(g.Option, poll.ModeLive, poll.ModeARS)
		if !ok || got != g {
			t.Errorf("%s: Result.ModeGap %+v %v, ModeGaps %+v", g.Option, got, ok, g)
		}
		back, ok := res.ModeGap(g.Option, poll.ModeARS, poll.ModeLive)
		if !ok || back.Gap != -g.Gap || back.SE != g.SE || back.PollsA != g.PollsB || back.PollsB != g.PollsA {
			t.Errorf("%s reversed: %+v", g.Option, back)
		}
	}
	if _, ok := res.ModeGap(w.Question.Options[0].ID, poll.ModeLive, poll.Mode("carrier-pigeon")); ok {
		t.Error("a gap to a mode no poll used")
	}
}
