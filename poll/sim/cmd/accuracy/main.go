// Command accuracy scores every averaging method against simulated truth
// and prints a markdown table: RMSE and MAE of the estimate, coverage of
// the 95% band, the same on the last day alone, and ratios to the RCP-style
// baseline and to the oracle. `make accuracy` runs it with 200 seeds.
//
//	go run ./poll/sim/cmd/accuracy -seeds 200
//	go run ./poll/sim/cmd/accuracy -seeds 200 -sweep   # and the evidence for each default
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pollagg/pollagg/poll/sim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "accuracy:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("accuracy", flag.ContinueOnError)
	seeds := fs.Int("seeds", 200, "number of simulated questions")
	first := fs.Uint64("first", 1, "first seed")
	sweep := fs.Bool("sweep", false, "also vary one option at a time (the evidence for each default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *seeds < 1 {
		return fmt.Errorf("-seeds must be at least 1")
	}
	ss := make([]uint64, *seeds)
	for i := range ss {
		ss[i] = *first + uint64(i)
	}
	start := time.Now()
	scores := sim.Run(ss, sim.DefaultContenders())
	fmt.Fprintf(stdout, "Accuracy over %d simulated questions (seeds %d-%d), support and oppose pooled, percentage points.\n\n",
		*seeds, ss[0], ss[len(ss)-1])
	fmt.Fprint(stdout, sim.Table(scores, "latest (RCP baseline)", "oracle"))
	if *sweep {
		vs := sim.Sweep()
		cs := make([]sim.Contender, len(vs))
		for i, v := range vs {
			cs[i] = v.Contender
		}
		fmt.Fprintf(stdout, "\nOne option varied at a time, the others at their defaults (same seeds):\n\n")
		fmt.Fprint(stdout, sim.SweepTable(vs, sim.Run(ss, cs)))
	}
	fmt.Fprintf(stdout, "\n(%s)\n", time.Since(start).Round(time.Second))
	return nil
}
