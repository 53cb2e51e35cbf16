package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/poll/sim"
)

func main() {
	if len(os.Args) > 3 {
		c, _ := strconv.ParseFloat(os.Args[3], 64)
		sd, _ := strconv.ParseFloat(os.Args[4], 64)
		poll.PriorC, poll.PriorS = math.Log(c), sd
	}
	poll.MarginalQ = len(os.Args) > 2
	mode := os.Args[1]
	var tot sim.Score
	tot.Name = mode
	for seed := uint64(1); seed <= 200; seed++ {
		s := sim.RandomScenario(rand.New(rand.NewPCG(seed, 7)))
		if mode == "nojump" || mode == "nojumpboth" || mode == "nojumpq" || mode == "ns1nojump" {
			s.Jumps = nil
		}
		w := sim.Generate(seed, s)
		o := poll.DefaultOptions()
		switch mode {
		case "ns1", "ns1nojump":
			o.NonSamplingSD = 1
		case "ns0":
			o.NonSamplingSD = 0
		case "truens":
			o.NonSamplingSD = s.NonSamplingSD
		case "trueq":
			_ = 0
		case "nojumpq":
			_ = 0
		case "both", "nojumpboth":
			o.NonSamplingSD = s.NonSamplingSD
			_ = 0
		}
		r, _ := poll.Average(w.Question, w.Polls, o)
		pts := r.Series[0].Points
		for _, p := range pts {
			tr := w.Truth["support"][int(p.Date-w.Start)]
			e := p.Estimate - tr
			tot.N++
			tot.SumSq += e * e
			if p.Lower <= tr && tr <= p.Upper {
				tot.Covered++
			}
			tot.SumWidth += p.Upper - p.Lower
		}
	}
	fmt.Printf("%s rmse %.3f cov %.3f width %.2f\n", mode, tot.RMSE(), tot.Coverage(), tot.Width())
}
