package poll

import (
	"math"
	"regexp"
	"sort"
)

// DefaultSharedError is the industry's shared error, in points, that a
// question's band carries when the database holds no results to learn it
// from. It is taken from outside pollagg's own data: Shirani-Mehr,
// Rothschild, Goel and Gelman (JASA 2018) found, on 4,221 polls of 608 US
// state races 1998-2014, an average absolute election-level bias of about
// 2 points of two-party share; for a normal error that is a standard
// deviation of 2/√(2/π) ≈ 2.5. METHODOLOGY.md compares it with what the
// shipped backtest learns.
const DefaultSharedError = 2.5

// DefaultPollsterError is the spread, in points, of one pollster's lean
// around the industry's that the band allows for when no results say
// otherwise: the kalman model's own prior for a house effect (τ, 2
// points). An average of J pollsters anchored to their mean lean misses
// the industry's by about DefaultPollsterError/√J.
const DefaultPollsterError = 2.0

// SharedErrorModel is the error an average of polls shares with every
// poll of its question, which no averaging can remove:
//
//	shared² = Industry² + Pollster²/J
//
// for an average of J pollsters: what the whole industry gets wrong
// together, plus what the anchor of §3.4 in METHODOLOGY.md cannot see,
// the mean lean of only J pollsters (or J wordings of an issue question)
// against the industry's.
type SharedErrorModel struct {
	Industry   float64 `json:"industry"`    // points
	IndustrySE float64 `json:"industry_se"` // standard error of Industry
	Pollster   float64 `json:"pollster"`    // points
	PollsterSE float64 `json:"pollster_se"` // standard error of Pollster
	// Questions counts the misses it was learned from; 0 for the default.
	Questions int `json:"questions"`
}

// DefaultSharedErrorModel is the model a database without results uses.
var DefaultSharedErrorModel = SharedErrorModel{Industry: DefaultSharedError, Pollster: DefaultPollsterError}

// For returns the shared error, in points, of an average of the polls of
// the given number of pollsters (at least 1).
func (m SharedErrorModel) For(pollsters int) float64 {
	j := float64(max(pollsters, 1))
	return math.Sqrt(m.Industry*m.Industry + m.Pollster*m.Pollster/j)
}

// CountPollsters returns how many pollsters (ignoring case and
// surrounding space) polls come from.
func CountPollsters(polls []Poll) int {
	seen := map[string]bool{}
	for i := range polls {
		seen[pollsterKey(polls[i].Pollster)] = true
	}
	return len(seen)
}

// Calibration is what pollagg learns from the questions with a result:
// the shared error of each method's average and each pollster's rating.
// It is computed when results or their polls change and stored, never
// recomputed per request.
type Calibration struct {
	// Questions and Polls count the questions with a result and their
	// polls (those that ended before the result) it was learned from.
	Questions int `json:"questions"`
	Polls     int `json:"polls"`
	// LastResult is the date of the latest result it used.
	LastResult Date `json:"last_result"`
	// SharedError is the shared-error model learned for each method
	// (LearnSharedError over the backtest's misses). A method missing
	// from the map uses DefaultSharedErrorModel.
	SharedError map[Method]SharedErrorModel `json:"shared_error"`
	// Ratings holds every pollster with a poll of a question with a
	// result, sorted by name.
	Ratings []Rating `json:"ratings"`
	// Model holds the variance components behind the ratings.
	Model RatingModel `json:"model"`
}

// Rating is a pollster's record against the results: how many questions
// and polls, its bias per answer and its error beyond what its sample
// sizes explain, each shrunk toward zero by how much evidence there is
// (empirical Bayes) and given with its standard error.
type Rating struct {
	Pollster  string `json:"pollster"`
	Questions int    `json:"questions"`
	Polls     int    `json:"polls"`
	// MeanAbsError is the plain mean absolute error of its polls against
	// the results, in points, on each question's first answer: the raw
	// record before any model.
	MeanAbsError float64 `json:"mean_abs_error"`
	// Bias is its lean on each answer relative to the other pollsters of
	// the same questions, shrunk toward zero.
	Bias []AnswerBias `json:"bias"`
	// ExcessError is how much larger (positive) or smaller its polls'
	// typical error is than the industry's, in points of standard
	// deviation, after removing each race's shared miss and its own bias,
	// shrunk toward zero; ExcessErrorSE is its standard error.
	ExcessError   float64 `json:"excess_error"`
	ExcessErrorSE float64 `json:"excess_error_se"`
	// Weight is the quality weight its polls get in every average (the
	// Options.PollsterRating the engine already has): the industry's
	// typical poll variance over its own, so 1 is average.
	Weight float64 `json:"weight"`
}

// AnswerBias is a pollster's shrunk lean on one answer id, in points.
type AnswerBias struct {
	Answer string  `json:"answer"`
	Bias   float64 `json:"bias"`
	SE     float64 `json:"se"`
	Polls  int     `json:"polls"`
}

// RatingModel holds the variance components the ratings were fitted with,
// in points (standard deviations).
type RatingModel struct {
	RaceSD     float64 `json:"race_sd"`     // the shared miss of one race's polls
	PollsterSD float64 `json:"pollster_sd"` // the spread of pollsters' biases
	PollSD     float64 `json:"poll_sd"`     // one poll's error beyond sampling
}

// Rating returns the rating of a pollster (matched ignoring case and
// surrounding space), or nil.
func (c *Calibration) Rating(pollster string) *Rating {
	if c == nil {
		return nil
	}
	key := pollsterKey(pollster)
	i := sort.Search(len(c.Ratings), func(i int) bool { return pollsterKey(c.Ratings[i].Pollster) >= key })
	if i < len(c.Ratings) && pollsterKey(c.Ratings[i].Pollster) == key {
		return &c.Ratings[i]
	}
	for i := range c.Ratings { // names whose keys sort differently from their spelling
		if pollsterKey(c.Ratings[i].Pollster) == key {
			return &c.Ratings[i]
		}
	}
	return nil
}

// SharedErrorModel returns the learned model of method m, or
// DefaultSharedErrorModel when c is nil or has none for m.
func (c *Calibration) SharedErrorModel(m Method) SharedErrorModel {
	if c != nil {
		if v, ok := c.SharedError[m]; ok {
			return v
		}
	}
	return DefaultSharedErrorModel
}

// SharedErrorFor returns the shared error, in points, of method m's
// average of the polls of the given number of pollsters: what the
// Options.SharedError of such an average should be.
func (c *Calibration) SharedErrorFor(m Method, pollsters int) float64 {
	return c.SharedErrorModel(m).For(pollsters)
}

// Apply feeds the ratings into o for question q: each rated pollster's
// weight as its PollsterRating (an operator's own rating in o is kept and
// multiplied), and its bias as a prior house effect on the answers whose
// meaning carries from question to question (BiasCarries). It leaves o
// unchanged when c is nil.
func (c *Calibration) Apply(o *Options, q *Question) {
	if c == nil || len(c.Ratings) == 0 {
		return
	}
	carry := map[string]bool{}
	for _, opt := range q.Options {
		if BiasCarries(opt.ID) {
			carry[opt.ID] = true
		}
	}
	rating := make(map[string]float64, len(c.Ratings)+len(o.PollsterRating))
	for k, v := range o.PollsterRating {
		rating[k] = v
	}
	var bias map[string]map[string]float64
	for _, r := range c.Ratings {
		w := r.Weight
		if own, ok := o.PollsterRating[r.Pollster]; ok {
			w *= own
		}
		rating[r.Pollster] = w
		for _, b := range r.Bias {
			if !carry[b.Answer] || b.Bias == 0 {
				continue
			}
			if bias == nil {
				bias = map[string]map[string]float64{}
				for k, v := range o.HouseBias {
					bias[k] = v
				}
			}
			if bias[r.Pollster] == nil {
				bias[r.Pollster] = map[string]float64{}
			}
			bias[r.Pollster][b.Answer] = b.Bias
		}
	}
	o.PollsterRating = rating
	if bias != nil {
		o.HouseBias = bias
	}
}

// positional matches answer ids that name a place on the ballot rather
// than a party or candidate: cand1, option2, answer3, choice4.
var positional = regexp.MustCompile(`^(cand|candidate|option|answer|choice)-?[0-9]+$`)

// BiasCarries reports whether a pollster's bias on answer id carries from
// one question to another. Ids that name a party or a candidate ("dem",
// "rep") mean the same thing in every question, so a pollster's lean on
// them is a property of the pollster. The generic ids pollagg gives
// attitudes (support, oppose, approve, undecided, …) and positional ids
// (cand1, cand2) mean something different in every question: a lean
// learned on them is never carried.
func BiasCarries(id string) bool {
	if _, generic := knownOptions[id]; generic {
		return false
	}
	return !positional.MatchString(id)
}

// ResultCase is a question with a result and its polls that ended before
// the result's date: one race to learn from or to score.
type ResultCase struct {
	Question *Question
	Outcome  Outcome
	Polls    []Poll
}
