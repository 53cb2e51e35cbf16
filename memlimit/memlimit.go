// Package memlimit keeps the Go runtime's soft memory limit at a budget,
// raised while the live heap needs more. Under a fixed limit a server
// whose data outgrow it collects garbage without end (the runtime caps
// that at half the CPU, and the heap passes the limit anyway); without a
// limit the heap grows to twice the live data (GOGC=100) or more. A
// budget with headroom gives both: the process stays within the budget
// while its data fit, and follows the data when they do not.
//
// After every garbage collection the limit is set to
//
//	max(budget, live × (1 + headroom) + overhead)
//
// where live is the heap the collection kept and overhead the runtime's
// memory besides the heap (stacks, metadata).
package memlimit

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Limit returns the soft limit for a heap of live bytes after a
// collection and overhead bytes of runtime memory besides the heap.
func Limit(budget, live, overhead int64, headroom float64) int64 {
	need := int64(float64(live)*(1+headroom)) + overhead
	return max(budget, need)
}

// Tuner keeps the limit; see Start.
type Tuner struct {
	budget   int64
	headroom float64
	onChange func(limit, live int64)

	stopped  atomic.Bool
	mu       sync.Mutex
	limit    int64
	reported int64 // the highest limit onChange was told
	samples  []metrics.Sample
}

// Start sets the soft memory limit to budget bytes and, after every
// garbage collection from then on, to Limit(budget, live, overhead,
// headroom). onChange, when not nil, is called with the new limit and the
// live heap when the limit first rises past the budget and at each new
// high a quarter above the last it was told of (from the runtime's
// cleanup goroutine: it must not block).
func Start(budget int64, headroom float64, onChange func(limit, live int64)) *Tuner {
	t := &Tuner{budget: budget, headroom: headroom, onChange: onChange, limit: budget, reported: budget,
		samples: []metrics.Sample{
			{Name: "/gc/heap/live:bytes"},
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
			{Name: "/memory/classes/heap/free:bytes"},
		}}
	debug.SetMemoryLimit(budget)
	t.arm()
	return t
}

// Limit returns the soft memory limit the tuner last set.
func (t *Tuner) Limit() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limit
}

// Stop stops following the live heap; the limit stays where it is.
func (t *Tuner) Stop() { t.stopped.Store(true) }

// sentinel is an object that nothing references: its cleanup runs after
// the collection that finds it, and arms the next. It holds a pointer so
// that the runtime never batches it with other small objects.
type sentinel struct {
	_ *sentinel
	_ [8]byte
}

func (t *Tuner) arm() {
	runtime.AddCleanup(new(sentinel), func(t *Tuner) {
		if t.stopped.Load() {
			return
		}
		t.update()
		t.arm()
	}, t)
}

// update reads the heap the last collection kept and sets the limit.
func (t *Tuner) update() {
	t.mu.Lock()
	defer t.mu.Unlock()
	metrics.Read(t.samples)
	v := func(i int) int64 {
		if t.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(t.samples[i].Value.Uint64())
	}
	live := v(0)
	overhead := v(1) - v(2) - v(3) - v(4) - v(5)
	limit := Limit(t.budget, live, max(overhead, 0), t.headroom)
	if limit == t.limit {
		return
	}
	t.limit = limit
	debug.SetMemoryLimit(limit)
	// said at a new high: the first past the budget, then each a quarter
	// above the last said (the live heap swings while pages are built)
	if t.onChange != nil && limit > t.budget && (t.reported <= t.budget || limit > t.reported+t.reported/4) {
		t.reported = limit
		t.onChange(limit, live)
	}
}
