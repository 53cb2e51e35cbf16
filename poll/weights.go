package poll

import (
	"math"
	"sort"
	"strings"
)

// maxDays bounds the days one average may span (two centuries), so that a
// mistyped year cannot make Average allocate gigabytes.
const maxDays = 73050

// Defaults behind DefaultOptions; METHODOLOGY.md says why each was chosen.
const (
	defaultHalfLife      = 14
	defaultWindow        = 30
	defaultSpan          = 0.3
	defaultMaxEffectiveN = 2500
	defaultNonSamplingSD = 1.0
	defaultSampleSize    = 1000
	defaultLowRespFactor = 0.5
	defaultEventJumpSD   = 4
)

// defaultDesignEffect is the design effect of each mode in DefaultOptions.
func defaultDesignEffect() map[Mode]float64 {
	return map[Mode]float64{
		ModeLive:    1.5,
		ModeARS:     2.0,
		ModeOnline:  1.8,
		ModeMixed:   1.7,
		ModeUnknown: 1.8,
	}
}

// DefaultOptions returns the options charts and downloads use: the kalman
// method with house and mode effects estimated and subtracted, sample-size
// weights on the effective sample size (n over the mode's design effect,
// capped at 2500), a 14-day half-life and a 30-day window for the simpler
// methods, and 2 points of non-sampling error per poll. METHODOLOGY.md gives
// the reason for each value with the simulation figures behind it. Each call
// returns a fresh DesignEffect map, safe to modify.
func DefaultOptions() Options {
	return Options{
		Method:            DefaultMethod,
		HalfLife:          defaultHalfLife,
		Window:            defaultWindow,
		Span:              defaultSpan,
		SampleSizeWeight:  true,
		MaxEffectiveN:     defaultMaxEffectiveN,
		DesignEffect:      defaultDesignEffect(),
		SharePollster:     true,
		LowResponseRate:   0,
		LowResponseFactor: defaultLowRespFactor,
		AdjustHouse:       true,
		AdjustMode:        false,
		DropUndecided:     false,
		NonSamplingSD:     defaultNonSamplingSD,
		DefaultSampleSize: defaultSampleSize,
		EventJumpSD:       defaultEventJumpSD,
		SharedError:       DefaultSharedError,
	}
}

// withDefaults fills the fields whose zero value means nothing (a zero
// design effect, cap or default sample size) from DefaultOptions, so that
// a partly filled Options still averages sensibly.
func (o Options) withDefaults() Options {
	if o.MaxEffectiveN == 0 {
		o.MaxEffectiveN = defaultMaxEffectiveN
	}
	if o.DefaultSampleSize == 0 {
		o.DefaultSampleSize = defaultSampleSize
	}
	if o.LowResponseFactor == 0 {
		o.LowResponseFactor = defaultLowRespFactor
	}
	de := defaultDesignEffect()
	for m, v := range o.DesignEffect {
		de[m] = v
	}
	o.DesignEffect = de
	return o
}

// designEffect returns the design effect for mode m; modes pollagg does not
// know count as ModeUnknown.
func (o *Options) designEffect(m Mode) float64 {
	if v, ok := o.DesignEffect[m]; ok && v > 0 {
		return v
	}
	if v, ok := o.DesignEffect[ModeUnknown]; ok && v > 0 {
		return v
	}
	return 1.8
}

// rating returns the operator's rating of a pollster: by exact name, then
// ignoring case and surrounding space, then 1.
func (o *Options) rating(name string) float64 {
	if len(o.PollsterRating) == 0 {
		return 1
	}
	if v, ok := o.PollsterRating[name]; ok {
		return v
	}
	key := pollsterKey(name)
	for k, v := range o.PollsterRating {
		if pollsterKey(k) == key {
			return v
		}
	}
	return 1
}

// houseBias returns the prior leans of a pollster from HouseBias: by exact
// name, then ignoring case and surrounding space; nil when none.
func (o *Options) houseBias(name string) map[string]float64 {
	if b, ok := o.HouseBias[name]; ok {
		return b
	}
	key := pollsterKey(name)
	for k, b := range o.HouseBias {
		if pollsterKey(k) == key {
			return b
		}
	}
	return nil
}

// subtractBias removes a pollster's prior lean from each reported answer
// of one poll, keeping the shares within 0-100.
func subtractBias(y []float64, opts []Option, bias map[string]float64) {
	for k, opt := range opts {
		if b, ok := bias[opt.ID]; ok && !math.IsNaN(y[k]) {
			y[k] = clamp(y[k]-b, 0, 100)
		}
	}
}

// pollsterKey is the identity of a pollster: its name with case and
// surrounding space ignored, as in IdentityKey.
func pollsterKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// pp is one poll as the engine sees it.
type pp struct {
	src      int       // index in the caller's slice
	id       string    // Poll.ID, or PollID when empty
	pollster int       // index into prepared.pollsters
	mode     int       // index into prepared.modes
	t        float64   // field-period midpoint, days after prepared.day0
	day      int       // t rounded down: the grid day the poll belongs to
	neff     float64   // effective sample size: n / design effect, capped
	base     float64   // prior weight: sqrt(neff) (if on) · rating · response factor
	prec     float64   // precision multiplier for kalman: rating · response factor
	y        []float64 // per kept option, percent; NaN when not reported
}

// prepared is the question's polls made ready for any method.
type prepared struct {
	o         Options
	opts      []Option  // the options averaged, in question order
	polls     []pp      // sorted by t, then by src
	pollsters []string  // display names, sorted
	modes     []Mode    // modes present, in the order of Modes
	day0      Date      // first day of the grid
	nDays     int       // days on the grid
	from, to  int       // output range, as grid days
	nTyp      float64   // median effective sample size: the "typical poll"
	qx        []float64 // per grid day: the event jump variance (nil: no events)
}

// prepare validates the inputs and turns polls into pp values. It returns
// EINVALID errors for a missing question, bad options or no usable polls.
func prepare(q *Question, polls []Poll, o Options) (*prepared, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if q == nil {
		return nil, Errorf(EINVALID, "no question to average")
	}
	o = o.withDefaults()
	pr := &prepared{o: o}
	var undecided []string
	for _, opt := range q.Options {
		if o.DropUndecided && opt.Undecided {
			undecided = append(undecided, opt.ID)
			continue
		}
		pr.opts = append(pr.opts, opt)
	}
	if len(pr.opts) == 0 {
		return nil, Errorf(EINVALID, "question %q has no answer options to average", q.ID)
	}
	K := len(pr.opts)
	slab := make([]float64, len(polls)*K)     // every poll's y, in one allocation
	keyOf := map[string]string{}              // raw pollster name → pollsterKey
	ratingOf := map[string]float64{}          // raw pollster name → rating
	biasOf := map[string]map[string]float64{} // raw pollster name → prior leans
	pkeys := map[string]int{}
	var pnames []string
	modeSeen := map[Mode]bool{}
	rows := make([]pp, 0, len(polls))
	rkeys := make([]string, 0, len(polls))
	rmodes := make([]Mode, 0, len(polls))
	for i := range polls {
		p := &polls[i]
		y := slab[len(rows)*K : (len(rows)+1)*K : (len(rows)+1)*K]
		any := false
		for k, opt := range pr.opts {
			v, ok := p.Results.Get(opt.ID)
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				y[k] = math.NaN()
				continue
			}
			y[k] = clamp(v, 0, 100)
			any = true
		}
		if !any {
			continue
		}
		if len(o.HouseBias) > 0 {
			b, ok := biasOf[p.Pollster]
			if !ok {
				b = o.houseBias(p.Pollster)
				biasOf[p.Pollster] = b
			}
			subtractBias(y, pr.opts, b)
		}
		if o.DropUndecided && !renormalise(y, p.Results, undecided) {
			continue
		}
		mode := p.Mode
		if !knownMode(mode) {
			mode = ModeUnknown
		}
		n := float64(p.SampleSize)
		if n <= 0 || !o.SampleSizeWeight {
			n = float64(o.DefaultSampleSize)
		}
		neff := math.Min(n/o.designEffect(mode), o.MaxEffectiveN)
		w, ok := ratingOf[p.Pollster]
		if !ok {
			w = o.rating(p.Pollster)
			ratingOf[p.Pollster] = w
		}
		if o.LowResponseRate > 0 && mode == ModeARS && p.ResponseRate != nil && *p.ResponseRate < o.LowResponseRate {
			w *= o.LowResponseFactor
		}
		if !(w > 0) || math.IsInf(w, 0) || !(neff > 0) {
			continue
		}
		base := w
		if o.SampleSizeWeight {
			base *= math.Sqrt(neff)
		}
		key, ok := keyOf[p.Pollster]
		if !ok {
			key = pollsterKey(p.Pollster)
			keyOf[p.Pollster] = key
		}
		if _, ok := pkeys[key]; !ok {
			pkeys[key] = -1
			name := strings.TrimSpace(p.Pollster)
			if name == "" {
				name = "(unknown pollster)"
			}
			pnames = append(pnames, name+"\x00"+key)
		}
		modeSeen[mode] = true
		id := p.ID
		if id == "" {
			id = PollID(p)
		}
		s, e := float64(p.Start), float64(p.End)
		if e < s {
			s, e = e, s
		}
		rows = append(rows, pp{src: i, id: id, t: (s + e) / 2, neff: neff, base: base, prec: w, y: y})
		rkeys = append(rkeys, key)
		rmodes = append(rmodes, mode)
	}
	if len(rows) == 0 {
		return nil, Errorf(EINVALID, "no polls to average: question %q has no poll with a usable answer", q.ID)
	}
	sort.Strings(pnames)
	for i, n := range pnames {
		name, key, _ := strings.Cut(n, "\x00")
		pr.pollsters = append(pr.pollsters, name)
		pkeys[key] = i
	}
	modeIdx := map[Mode]int{}
	for _, m := range Modes {
		if modeSeen[m] {
			modeIdx[m] = len(pr.modes)
			pr.modes = append(pr.modes, m)
		}
	}
	first, last := math.Inf(1), math.Inf(-1)
	for i := range rows {
		first = math.Min(first, math.Floor(rows[i].t))
		last = math.Max(last, math.Floor(rows[i].t))
	}
	from, to := Date(first), Date(last)
	if o.From != nil {
		from = *o.From
	}
	if o.To != nil {
		to = *o.To
	}
	if to < from {
		// name only the bounds the caller gave: the other is the polls'
		switch {
		case o.From != nil && o.To == nil:
			return nil, Errorf(EINVALID, "from (%s) is after the last poll of this view (midpoint %s): no day to average", from, to)
		case o.From == nil && o.To != nil:
			return nil, Errorf(EINVALID, "to (%s) is before the first poll of this view (midpoint %s): no day to average", to, from)
		}
		return nil, Errorf(EINVALID, "to (%s) is before from (%s)", to, from)
	}
	lo := math.Min(first, float64(from))
	hi := math.Max(last, float64(to))
	if hi-lo+1 > maxDays {
		return nil, Errorf(EINVALID, "polls and the requested days span %s to %s, more than %d days", Date(lo), Date(hi), maxDays)
	}
	pr.day0 = Date(lo)
	pr.nDays = int(hi-lo) + 1
	pr.from, pr.to = int(float64(from)-lo), int(float64(to)-lo)
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	sort.SliceStable(order, func(a, b int) bool { return rows[order[a]].t < rows[order[b]].t })
	pr.polls = make([]pp, len(rows))
	neffs := make([]float64, len(rows))
	for x, i := range order {
		r := rows[i]
		r.pollster = pkeys[rkeys[i]]
		r.mode = modeIdx[rmodes[i]]
		r.t -= lo
		r.day = int(math.Floor(r.t))
		pr.polls[x] = r
		neffs[x] = r.neff
	}
	sort.Float64s(neffs)
	pr.nTyp = neffs[len(neffs)/2]
	if v := o.EventJumpSD * o.EventJumpSD; v > 0 {
		for _, ev := range q.Events {
			// The jump is the step into the event's day; an event on
			// the grid's first day has nothing to jump from.
			if d := int(float64(ev.Date) - lo); d > 0 && d < pr.nDays {
				if pr.qx == nil {
					pr.qx = make([]float64, pr.nDays)
				}
				pr.qx[d] = v
			}
		}
	}
	return pr, nil
}

// renormalise rescales y (the kept options of one poll) to shares of the
// decided answers. It uses the kept options' sum when every kept option is
// reported, else 100 minus the reported undecided share; it reports false
// when neither is known.
func renormalise(y []float64, results Shares, undecided []string) bool {
	sum, all := 0.0, true
	for _, v := range y {
		if math.IsNaN(v) {
			all = false
			continue
		}
		sum += v
	}
	if !all {
		u, known := 0.0, false
		for _, id := range undecided {
			if v, ok := results.Get(id); ok && v >= 0 && v <= 100 {
				u += v
				known = true
			}
		}
		if !known {
			return false
		}
		sum = 100 - u
	}
	if !(sum > 0) {
		return false
	}
	for k, v := range y {
		if !math.IsNaN(v) {
			y[k] = clamp(v*100/sum, 0, 100)
		}
	}
	return true
}

func knownMode(m Mode) bool {
	for _, mm := range Modes {
		if m == mm {
			return true
		}
	}
	return false
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// binomVar is the sampling variance, in squared points, of a share p (in
// percent) measured on neff respondents. p is kept off 0 and 100 so that a
// 0% answer still has some sampling error.
func binomVar(p, neff float64) float64 {
	p = clamp(p, 0.5, 99.5)
	return p * (100 - p) / neff
}

// validateWeights checks the weighting fields (called by Validate). Zero
// means "the default" for MaxEffectiveN, DefaultSampleSize and
// LowResponseFactor.
func (o *Options) validateWeights() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(o.MaxEffectiveN) || o.MaxEffectiveN < 0:
		return Errorf(EINVALID, "max_effective_n must be a positive number of respondents (got %v)", o.MaxEffectiveN)
	case o.DefaultSampleSize < 0:
		return Errorf(EINVALID, "default_sample_size must be a positive number of respondents (got %d)", o.DefaultSampleSize)
	case bad(o.NonSamplingSD) || o.NonSamplingSD < 0 || o.NonSamplingSD > 50:
		return Errorf(EINVALID, "non_sampling_sd must be from 0 to 50 percentage points (got %v)", o.NonSamplingSD)
	case bad(o.LowResponseRate) || o.LowResponseRate < 0 || o.LowResponseRate > 100:
		return Errorf(EINVALID, "low_response_rate must be a percentage from 0 to 100 (got %v)", o.LowResponseRate)
	case bad(o.EventJumpSD) || o.EventJumpSD < 0 || o.EventJumpSD > 50:
		return Errorf(EINVALID, "event_jump_sd must be from 0 to 50 percentage points (got %v)", o.EventJumpSD)
	case bad(o.SharedError) || o.SharedError < 0 || o.SharedError > 25:
		return Errorf(EINVALID, "shared_error must be from 0 to 25 percentage points (got %v)", o.SharedError)
	case bad(o.LowResponseFactor) || o.LowResponseFactor < 0 || o.LowResponseFactor > 1:
		return Errorf(EINVALID, "low_response_factor must be from 0 to 1 (got %v)", o.LowResponseFactor)
	}
	for _, m := range sortedModes(o.DesignEffect) {
		if v := o.DesignEffect[m]; bad(v) || v <= 0 || v > 100 {
			return Errorf(EINVALID, "design_effect of mode %q must be above 0 and at most 100 (got %v)", m, v)
		}
	}
	for _, name := range sortedKeys(o.HouseBias) {
		for _, a := range sortedKeys(o.HouseBias[name]) {
			if v := o.HouseBias[name][a]; bad(v) || math.Abs(v) > 50 {
				return Errorf(EINVALID, "house_bias of %q on %q must be within ±50 points (got %v)", name, a, v)
			}
		}
	}
	for _, name := range sortedKeys(o.PollsterRating) {
		if v := o.PollsterRating[name]; bad(v) || v < 0 || v > 100 {
			return Errorf(EINVALID, "pollster_rating of %q must be from 0 to 100 (got %v)", name, v)
		}
	}
	return nil
}

func sortedModes(m map[Mode]float64) []Mode {
	out := make([]Mode, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}
