package main

import (
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/poll/sim"
)

func BenchmarkK10k5y(b *testing.B) {
	s := sim.Scenario{Days: 1825, Pollsters: 20, PollsPerWeek: 10000.0 / 1825 * 7, Start: 40, Undecided: 8, DriftSD: 0.15, HouseSD: 2.5, ModeScale: 1, NonSamplingSD: 2}
	w := sim.Generate(1, s)
	b.Logf("polls %d", len(w.Polls))
	o := poll.DefaultOptions()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		poll.Average(w.Question, w.Polls, o)
	}
}
