package memlimit

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		budget, live, overhead int64
		headroom               float64
		want                   int64
	}{
		{96 * mb, 10 * mb, 5 * mb, 0.25, 96 * mb},   // small data: the budget
		{96 * mb, 72 * mb, 6 * mb, 0.25, 96 * mb},   // 100,000 polls: still the budget
		{96 * mb, 200 * mb, 8 * mb, 0.25, 258 * mb}, // data past the budget: followed
		{96 * mb, 200 * mb, 8 * mb, 0, 208 * mb},    // no headroom: the live heap itself
		{0, 1 * mb, 0, 0.5, 1.5 * mb},               // no budget
		{64 * mb, 0, 0, 0.25, 64 * mb},              // nothing live yet
		{96 * mb, 1 << 40, 0, 0.25, 1<<40 + 1<<38},  // a terabyte: no overflow
		{96 * mb, 80 * mb, 0, 0.25, 100 * mb},       // just past
	} {
		if got := Limit(c.budget, c.live, c.overhead, c.headroom); got != c.want {
			t.Errorf("Limit(%d, %d, %d, %g) = %d MB, want %d MB", c.budget/mb, c.live/mb, c.overhead/mb, c.headroom, got/mb, c.want/mb)
		}
	}
}

// TestTunerFollowsLiveHeap: a live heap past the budget raises the limit
// after the next collection, and the limit returns to the budget once the
// heap is freed.
func TestTunerFollowsLiveHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	const mb = 1 << 20
	var mu sync.Mutex
	var said []int64
	tu := Start(16*mb, 0.25, func(limit, live int64) {
		mu.Lock()
		said = append(said, limit)
		mu.Unlock()
	})
	defer tu.Stop()
	if got := debug.SetMemoryLimit(-1); got != 16*mb {
		t.Fatalf("limit after Start %d, want the 16 MB budget", got)
	}
	waitFor := func(what string, ok func(int64) bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			runtime.GC()
			if l := tu.Limit(); ok(l) && debug.SetMemoryLimit(-1) == l {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%s: limit %d MB (runtime %d MB)", what, tu.Limit()/mb, debug.SetMemoryLimit(-1)/mb)
	}
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, mb)
		live[i][0] = 1
	}
	waitFor("64 MB live", func(l int64) bool { return l >= 80*mb && l < 100*mb })
	runtime.KeepAlive(live)
	live = nil
	waitFor("freed", func(l int64) bool { return l == 16*mb })
	mu.Lock()
	defer mu.Unlock()
	top := int64(0)
	for _, l := range said {
		top = max(top, l)
	}
	if len(said) == 0 || top < 80*mb*4/5 {
		t.Errorf("onChange heard %v: want the raise past the budget, to within a quarter of the limit", said)
	}
	for i := 1; i < len(said); i++ {
		if said[i] <= said[i-1]+said[i-1]/4 {
			t.Errorf("onChange heard %v: each a new high a quarter above the last", said)
		}
	}
}
