package poll_test

import (
	"fmt"

	"github.com/pollagg/pollagg/poll"
)

// ExampleAverage averages the seven real polls on the March 2023
// third-party compensation plan with the default method (kalman, house
// effects subtracted, DefaultSharedError points of error shared by all
// polls in the band) and prints the last day.
func ExampleAverage() {
	r, err := poll.Average(demoQuestion(), demoPolls(), poll.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range r.Series {
		p := s.Points[len(s.Points)-1]
		fmt.Printf("%s %s: %.1f%% (average within %.1f–%.1f; a new poll within %.1f–%.1f)\n",
			p.Date, s.Option, p.Estimate, p.Lower, p.Upper, p.PollLower, p.PollUpper)
	}
	// Output:
	// 2023-03-14 support: 36.6% (average within 31.4–41.9; a new poll within 28.2–45.1)
	// 2023-03-14 oppose: 57.6% (average within 52.4–62.9; a new poll within 48.2–67.0)
	// 2023-03-14 undecided: 5.7% (average within 0.5–11.0; a new poll within 1.6–9.9)
}
