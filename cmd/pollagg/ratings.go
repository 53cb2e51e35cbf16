package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/web"
)

func init() {
	register(&command{
		name:    "ratings",
		usage:   "[--db FILE] [--format text|csv|json]",
		summary: "print the pollster ratings learned from the questions' results (csv and json: the bytes of GET /api/v1/pollsters)",
		run:     cmdRatings,
	})
}

func cmdRatings(ctx context.Context, e *env) error {
	var dbPath, format string
	fs := newFlags(e, "ratings", &dbPath)
	fs.StringVar(&format, "format", "text", "output `FORMAT`: text, csv or json")
	if err := parse(fs, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkReportFormat(format); err != nil {
		return err
	}
	db, err := openExisting(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if format != "text" {
		// the API's bytes, as GET /api/v1/pollsters?format=… serves them
		srv, err := web.NewServer(db, web.Config{})
		if err != nil {
			return err
		}
		d, err := srv.Download(web.KindPollsters, "", url.Values{"format": {format}})
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(d.Body)
		return err
	}
	c, err := db.Calibration()
	if err != nil {
		return err
	}
	if c == nil {
		c = &poll.Calibration{Ratings: []poll.Rating{}}
	}
	return writeRatingsText(e.stdout, c)
}

// ratingsNote says what the ratings mean, in comment lines.
func ratingsNote(c *poll.Calibration) []string {
	return []string{
		fmt.Sprintf("pollagg pollster ratings from %d questions with results (%d polls), the latest on %s.", c.Questions, c.Polls, c.LastResult),
		"bias: the pollster's lean on an answer relative to the other pollsters of the same races, points; excess_error: its error beyond sampling and",
		"each race's shared miss compared with the typical poll's, points of SD; both shrunk toward 0 by the evidence (empirical Bayes), with SEs.",
		"weight: the quality weight its polls get in every average (1 = typical). Bias is used as a prior house effect only on answers whose meaning",
		fmt.Sprintf("carries across questions (party or candidate ids). Model: race SD %.2f, pollster SD %.2f, poll SD beyond sampling %.2f points.", c.Model.RaceSD, c.Model.PollsterSD, c.Model.PollSD),
	}
}

func writeRatingsText(w io.Writer, c *poll.Calibration) error {
	for _, l := range ratingsNote(c) {
		fmt.Fprintln(w, "# "+l)
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "POLLSTER\tQUESTIONS\tPOLLS\tMEAN ABS ERROR\tBIAS (±SE)\tEXCESS ERROR (±SE)\tWEIGHT")
	for _, r := range c.Ratings {
		var bias []string
		for _, ab := range r.Bias {
			bias = append(bias, fmt.Sprintf("%s %+.2f ±%.2f", ab.Answer, ab.Bias, ab.SE))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%s\t%+.2f ±%.2f\t%.2f\n", r.Pollster, r.Questions, r.Polls, r.MeanAbsError,
			strings.Join(bias, ", "), r.ExcessError, r.ExcessErrorSE, r.Weight)
	}
	return tw.Flush()
}
