package poll_test

import (
	"fmt"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/poll/sim"
)

// benchWorld simulates about n polls over the given years from 20
// pollsters in four modes, with three event days.
func benchWorld(n, years int) *sim.World {
	days := 365 * years
	s := sim.Scenario{Days: days, Pollsters: 20, PollsPerWeek: float64(n) / float64(days) * 7,
		Start: 40, Undecided: 8, DriftSD: 0.15, HouseSD: 2.5, ModeScale: 1, NonSamplingSD: 2, JumpSD: 4,
		Jumps: []sim.Jump{{Day: days / 4, Size: 3}, {Day: days / 2, Size: -4}, {Day: 3 * days / 4, Size: 2}}}
	return sim.Generate(1, s)
}

// BenchmarkAverage runs Average with default options for every method on
// 1k, 10k and 100k polls over 1, 5 and 10 years. The target: kalman with
// house effects on 10k polls over 5 years under 50 ms on two cores.
func BenchmarkAverage(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		for _, years := range []int{1, 5, 10} {
			w := benchWorld(n, years)
			for _, m := range poll.Methods {
				name := fmt.Sprintf("polls=%dk/years=%d/%s", n/1000, years, m)
				b.Run(name, func(b *testing.B) {
					o := poll.DefaultOptions()
					o.Method = m
					b.ReportAllocs()
					for b.Loop() {
						if _, err := poll.Average(w.Question, w.Polls, o); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(w.Polls)), "polls")
				})
			}
		}
	}
}

// BenchmarkAverage_Demo is the real demo question: seven polls.
func BenchmarkAverage_Demo(b *testing.B) {
	q, polls := demoQuestion(), demoPolls()
	for _, m := range poll.Methods {
		b.Run(string(m), func(b *testing.B) {
			o := poll.DefaultOptions()
			o.Method = m
			b.ReportAllocs()
			for b.Loop() {
				if _, err := poll.Average(q, polls, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInfluence is one day's per-poll weights on 10k polls over 5
// years, the call behind the poll table.
func BenchmarkInfluence(b *testing.B) {
	w := benchWorld(10000, 5)
	last := w.Start + poll.Date(365*5)
	for _, m := range poll.Methods {
		b.Run(string(m), func(b *testing.B) {
			o := poll.DefaultOptions()
			o.Method = m
			b.ReportAllocs()
			for b.Loop() {
				if _, err := poll.Influence(w.Question, w.Polls, o, last); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAverage_Pollsters is kalman on 10k polls over 5 years from 20
// and from 40 pollsters: the house-effect columns make its cost grow with
// the square of the number of pollsters.
func BenchmarkAverage_Pollsters(b *testing.B) {
	for _, j := range []int{20, 40} {
		w := benchWorld(10000, 5)
		if j != 20 {
			s := w.Scenario
			s.Pollsters = j
			w = sim.Generate(1, s)
		}
		b.Run(fmt.Sprintf("pollsters=%d", j), func(b *testing.B) {
			o := poll.DefaultOptions()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := poll.Average(w.Question, w.Polls, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
