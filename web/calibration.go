package web

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/pollagg/pollagg/poll"
)

// calibratedOptions returns the averaging options of view v for question
// q, whose polls in the view come from the given number of pollsters,
// under the database's calibration cal (nil for none): the band's shared
// error is the view's shared_error or, when the view gives none, the one
// cal learned for the method and that many pollsters
// (poll.DefaultSharedErrorModel without a calibration); unless the view
// says ratings=false, the pollster ratings feed the average (cal.Apply).
// v's own options are left unchanged.
func calibratedOptions(v View, cal *poll.Calibration, q *poll.Question, pollsters int) poll.Options {
	o := v.Options
	if !v.SharedErrorSet {
		// to a hundredth of a point, so that the value the downloads
		// write beside the numbers reproduces them exactly
		o.SharedError = math.Round(cal.SharedErrorFor(o.Method, pollsters)*100) / 100
	}
	if !v.NoRatings {
		cal.Apply(&o, q) // builds new maps: the view's are never written to
	}
	return o
}

// sharedErrorSource says where a band's shared error came from, for the
// sentence under the chart and the downloads: "view" when the reader
// set it, "learned" when the calibration learned it for the method, and
// "default" otherwise.
func sharedErrorSource(v View, cal *poll.Calibration) string {
	switch {
	case v.SharedErrorSet:
		return "view"
	case cal != nil && hasMethod(cal, v.Options.Method):
		return "learned"
	}
	return "default"
}

func hasMethod(cal *poll.Calibration, m poll.Method) bool {
	_, ok := cal.SharedError[m]
	return ok
}

// pointsText formats a number of points with at most one decimal ("2.5", "3").
func pointsText(v float64) string {
	return strconv.FormatFloat(float64(int64(v*10+0.5))/10, 'f', -1, 64)
}

// calibrated fills in what the calibration decided about a view's
// download: the shared_error parameter becomes the value the band
// carries, followed by ratings (on or off), and
// generated_from states both, so that the file says beside its numbers
// which band they are.
func (d *document) calibrated(r *request, comp *Computed) {
	se, _ := json.Marshal(comp.SharedError)
	var out ordered
	for _, kv := range d.head.Parameters {
		if kv.Key == "shared_error" {
			out = append(out, keyValue{"shared_error", se})
			out.add("ratings", comp.Ratings)
			continue
		}
		out = append(out, kv)
	}
	d.head.Parameters = out
	q := r.explicit()
	q.Set("shared_error", strconv.FormatFloat(comp.SharedError, 'g', -1, 64))
	q.Set("ratings", strconv.FormatBool(comp.Ratings))
	d.head.GeneratedFrom = downloadPath(r.kind, r.qid) + "?" + q.Encode()
}

// bandColumns describes the series' two ranges, naming the shared error
// the band carries.
func bandColumns(sharedError float64) (band, pollRange string) {
	return "95% band of the true share, including the error of " + pointsText(sharedError) +
			" points that all polls share (shared_error)",
		"95% range in which one new poll of typical size is expected to fall"
}
