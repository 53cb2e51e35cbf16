package poll

import "fmt"

// Method names an averaging method.
type Method string

// The averaging methods. See METHODOLOGY.md for each formula.
const (
	// MethodLatest is the plain mean of each pollster's most recent poll
	// within a window (RealClearPolitics' average): the baseline.
	MethodLatest Method = "latest"
	// MethodWeighted is a kernel-weighted average: sample size, recency,
	// pollster quality and tracking-poll sharing.
	MethodWeighted Method = "weighted"
	// MethodLoess is local linear regression with a tricube kernel, the
	// weights above as prior weights.
	MethodLoess Method = "loess"
	// MethodKalman is a random-walk state-space model with house effects,
	// forward filter and RTS smoother, its variances estimated from the data.
	MethodKalman Method = "kalman"
)

// Methods lists every method in the order readers see them.
var Methods = []Method{MethodKalman, MethodLoess, MethodWeighted, MethodLatest}

// DefaultMethod is the method charts and downloads use unless asked otherwise.
const DefaultMethod = MethodKalman

// ParseMethod returns the Method named s, or an EINVALID error that lists
// the accepted names.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", Errorf(EINVALID, "method %q is not one of kalman, loess, weighted, latest", s)
}

// Options chooses a method and its weights. Start from DefaultOptions and
// change fields; the zero Options is not meaningful.
type Options struct {
	Method Method `json:"method"`
	// HalfLife is the recency half-life in days: a poll HalfLife days away
	// from the day being estimated counts half as much. Used by weighted
	// (loess' locality comes from Span, kalman's from the random walk).
	HalfLife float64 `json:"half_life"`
	// Window is how many days back `latest` looks for each pollster's most
	// recent poll, the kernel's reach for `weighted`, and the span within
	// which SharePollster counts a pollster's polls.
	Window int `json:"window"`
	// Span is loess' neighbourhood as a fraction of the polls (0 < Span ≤ 1);
	// the neighbourhood holds at least 8 polls.
	Span float64 `json:"span"`
	// SampleSizeWeight turns on weighting by the square root of the
	// effective sample size, capped at MaxEffectiveN.
	SampleSizeWeight bool `json:"sample_size_weight"`
	// MaxEffectiveN caps the effective sample size one poll counts with.
	MaxEffectiveN float64 `json:"max_effective_n"`
	// DesignEffect divides a poll's sample size by its mode's design effect
	// to give its effective sample size. Modes missing from the map take
	// DefaultOptions' value.
	DesignEffect map[Mode]float64 `json:"design_effect"`
	// PollsterRating multiplies each pollster's weight (1 when absent).
	PollsterRating map[string]float64 `json:"pollster_rating,omitempty"`
	// SharePollster makes several polls of one pollster inside the window
	// share that pollster's weight instead of each counting in full (weighted
	// and loess; latest takes one poll per pollster anyway, and kalman
	// models the pollster's house effect instead).
	SharePollster bool `json:"share_pollster"`
	// LowResponseRate, when above 0, down-weights automated (ARS) polls whose
	// response rate (percent) is below it by the factor LowResponseFactor.
	LowResponseRate   float64 `json:"low_response_rate"`
	LowResponseFactor float64 `json:"low_response_factor"`
	// AdjustHouse subtracts each pollster's estimated lean (house effect plus
	// the effect of its survey mode) from its polls before averaging
	// (kalman estimates them jointly with the average).
	AdjustHouse bool `json:"adjust_house"`
	// AdjustMode subtracts each survey mode's estimated effect, like
	// AdjustHouse but for modes only; AdjustHouse already includes it.
	AdjustMode bool `json:"adjust_mode"`
	// DropUndecided removes the undecided option and renormalises the
	// others to 100.
	DropUndecided bool `json:"drop_undecided"`
	// NonSamplingSD is the least non-sampling error of one poll in
	// percentage points (standard deviation), added to its binomial
	// variance. The kalman model estimates the non-sampling error from the
	// polls, never below this floor, and every method's bands use that
	// estimate.
	NonSamplingSD float64 `json:"non_sampling_sd"`
	// DefaultSampleSize stands in for polls that did not report one.
	DefaultSampleSize int `json:"default_sample_size"`
	// EventJumpSD lets the kalman average jump on the question's event
	// days: the random walk's step into an event's day gets this much
	// extra standard deviation, in percentage points (0: events are only
	// drawn, never modelled).
	EventJumpSD float64 `json:"event_jump_sd"`
	// SharedError is the error every poll of the question shares, in
	// percentage points (standard deviation): what the whole industry, or
	// the way a question is worded, gets wrong together, which no average
	// of polls can remove. It widens the band of the average (Lower,
	// Upper), not the range of a new poll, which shares that error. 0
	// gives the band of the polls alone. Learned from questions with a
	// result for averages of a given number of pollsters
	// (Calibration.SharedErrorFor); DefaultOptions sets DefaultSharedError,
	// the industry's part alone.
	SharedError float64 `json:"shared_error"`
	// HouseBias is a prior lean per pollster and answer, in points,
	// subtracted from the pollster's polls before averaging (the house
	// effects the engine estimates then come on top). Pollster ratings
	// fill it (Calibration.Apply); pollsters match ignoring case and
	// surrounding space.
	HouseBias map[string]map[string]float64 `json:"house_bias,omitempty"`
	// From and To bound the days returned; nil means the first and the
	// last poll's date.
	From *Date `json:"from,omitempty"`
	To   *Date `json:"to,omitempty"`
}

// Validate checks ranges and returns an EINVALID error naming the field.
func (o *Options) Validate() error {
	if _, err := ParseMethod(string(o.Method)); err != nil {
		return err
	}
	switch {
	case !(o.HalfLife > 0) || o.HalfLife > 3650:
		return Errorf(EINVALID, "half_life must be a number of days above 0 and at most 3650 (got %v)", o.HalfLife)
	case o.Window < 1 || o.Window > 3650:
		return Errorf(EINVALID, "window must be a whole number of days from 1 to 3650 (got %d)", o.Window)
	case !(o.Span > 0) || o.Span > 1:
		return Errorf(EINVALID, "span must be above 0 and at most 1 (got %v)", o.Span)
	case o.From != nil && o.To != nil && *o.To < *o.From:
		return Errorf(EINVALID, "to (%s) is before from (%s)", o.To, o.From)
	}
	return o.validateWeights()
}

// Result is what Average returns: one series per answer option, plus the
// house effects and each poll's weight on the last day.
type Result struct {
	QuestionID string  `json:"question_id"`
	Options    Options `json:"parameters"`
	// Series holds one AnswerSeries per option, in the question's order
	// (without the undecided option when DropUndecided is set).
	Series []AnswerSeries `json:"series"`
	// HouseEffects is each pollster's estimated lean per answer.
	HouseEffects []HouseEffect `json:"house_effects"`
	// ModeEffects is each survey mode's estimated lean per answer (Pollster
	// holds the mode).
	ModeEffects []HouseEffect `json:"mode_effects,omitempty"`
	// Weights is each poll's share of the estimate on the last day.
	Weights []PollWeight `json:"weights"`

	modeGaps []ModeGap // every pair of modes' gap, for ModeGap
}

// AnswerSeries is the daily average of one answer option.
type AnswerSeries struct {
	Option string  `json:"answer"`
	Points []Point `json:"points"`
}

// Point is one day's estimate of one answer, in percent.
type Point struct {
	Date     Date    `json:"date"`
	Estimate float64 `json:"estimate"`
	// Lower and Upper bound the 95% interval of the average itself: where
	// the true share of opinion is, given the polls. Charts draw this band.
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// PollLower and PollUpper bound the 95% range in which a new poll of
	// typical size is expected to fall: sampling plus non-sampling error.
	PollLower float64 `json:"poll_lower"`
	PollUpper float64 `json:"poll_upper"`
	// NEff is the effective number of polls behind the estimate (Kish:
	// (Σw)²/Σw²).
	NEff float64 `json:"n_eff"`
}

// HouseEffect is a pollster's (or mode's) estimated lean on one answer in
// percentage points, positive when it reports more than the average.
type HouseEffect struct {
	Pollster string  `json:"pollster"`
	Option   string  `json:"answer"`
	Effect   float64 `json:"effect"`
	SE       float64 `json:"se"`
	Polls    int     `json:"polls"`
}

// PollWeight is a poll's share of an estimate on one day: the weights sum
// to 1 over polls and are mostly between 0 and 1. kalman's and loess' can
// fall below 0: a local line at the edge of the data extrapolates, so the
// oldest polls of a rising trend pull the last day's estimate the other way
// (loess weights of -30% at the last day are normal; see Influence).
type PollWeight struct {
	PollID string  `json:"poll_id"`
	Weight float64 `json:"weight"`
}

// String summarises the options for logs and file names.
func (o Options) String() string {
	return fmt.Sprintf("method=%s half_life=%g adjust_house=%t", o.Method, o.HalfLife, o.AdjustHouse)
}
