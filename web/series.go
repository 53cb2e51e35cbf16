package web

import (
	"container/list"
	"errors"
	"net/url"
	"sync"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// Computed is a question averaged for one view: everything a page or a
// download shows, computed once per question, view and data version.
type Computed struct {
	Question *poll.Question
	// All holds the current revision of every poll of the question,
	// retracted ones included, in date order; Meta[i] describes the
	// record of All[i] (its revisions, its retraction). Histories are
	// read per poll (store.DB.Record).
	All  []poll.Poll
	Meta []store.RecordMeta
	// Polls holds the polls the view averages: current revisions, not
	// retracted, kept by the view's filters.
	Polls []poll.Poll
	// Result is the average; nil when the view keeps no polls.
	Result  *poll.Result
	Version uint64
	// Calibration is the database's stored calibration as of Version;
	// nil when it has none.
	Calibration *poll.Calibration
	// SharedError is the shared error the band carries, in points: the
	// view's shared_error, or the calibration's for the method.
	SharedError float64
	// Ratings reports whether the pollster ratings fed the average.
	Ratings bool
	// Pollsters counts the pollsters of Polls: the J of the shared error.
	Pollsters int
	// weights is each of Polls' weight (see pollWeights).
	weights []float64
}

// compute returns the question averaged for v, from the cache when the data
// has not changed since. Unknown questions are ENOTFOUND.
func (s *Server) compute(qid string, v View) (*Computed, error) {
	ver := s.db.Version()
	key := "series|" + qid + "|" + v.Key()
	val, err := s.cache.get(key, ver, func() (any, error) {
		snap, err := s.snapshot(qid, ver)
		if err != nil {
			return nil, err
		}
		// snap.Version may be newer than ver when a write committed in
		// between: the data is labelled with the version it belongs to.
		q := snap.Question
		c := &Computed{Question: q, All: snap.Polls, Meta: snap.Meta, Version: snap.Version, Calibration: snap.Calibration}
		if c.Polls, err = s.viewPolls(qid, snap, v); err != nil {
			return nil, err
		}
		c.Pollsters = poll.CountPollsters(c.Polls)
		o := calibratedOptions(v, snap.Calibration, q, c.Pollsters)
		c.SharedError, c.Ratings = o.SharedError, !v.NoRatings
		if len(c.Polls) > 0 {
			if c.Result, err = poll.Average(q, c.Polls, o); err != nil {
				return nil, err
			}
			// the weights by index into Polls: 8 bytes a poll where the
			// Result's list holds 24, which it no longer needs to
			c.weights = alignWeights(c.Polls, c.Result.Weights)
			c.Result.Weights = nil
		} else {
			c.weights = alignWeights(c.Polls, nil)
		}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	// every view of the question shares its snapshot: used as long as they are
	s.cache.touch("snapshot|" + qid)
	return val.(*Computed), nil
}

// keptPolls is the current revisions of a question's polls that a view's
// filters keep, shared by the views that differ only in their averaging
// options (every method of one filter reads one slice).
type keptPolls []poll.Poll

// cacheBytes: a poll's fields (272 bytes); its strings and answers are
// the snapshot's.
func (k keptPolls) cacheBytes() int { return 64 + 280*len(k) }

// sharedKept is kept polls that are the snapshot's own slice: their
// memory is counted once, with the snapshot.
type sharedKept []poll.Poll

func (sharedKept) cacheBytes() int { return 64 }

// viewPolls returns the polls of snap that v keeps: not retracted, kept by
// its filters, in the records' order. Callers must not change them.
func (s *Server) viewPolls(qid string, snap *store.Snapshot, v View) ([]poll.Poll, error) {
	key := "kept|" + qid + "|" + url.Values{"pollster": v.Pollsters, "mode": View{Modes: v.Modes}.Query()["mode"]}.Encode()
	val, err := s.cache.get(key, snap.Version, func() (any, error) {
		all := true
		for i := range snap.Polls {
			if snap.Meta[i].Retracted != nil || !v.keep(&snap.Polls[i]) {
				all = false
				break
			}
		}
		if all { // the common case: no filter and no retraction
			return sharedKept(snap.Polls), nil
		}
		var out keptPolls
		for i := range snap.Polls {
			if snap.Meta[i].Retracted == nil && v.keep(&snap.Polls[i]) {
				out = append(out, snap.Polls[i])
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if k, ok := val.(sharedKept); ok && len(k) > 0 {
		return k, nil
	}
	if k, ok := val.(keptPolls); ok && len(k) > 0 {
		return k, nil
	}
	return nil, nil
}

// cachedSnapshot is a question's records as read at one data version,
// shared by every view's Computed: a question of 100,000 polls is read
// and held once, not once per view.
type cachedSnapshot struct{ *store.Snapshot }

// cacheBytes estimates the memory the polls hold: each poll's fields
// (272 bytes), its answers (48 for two) and its record's metadata (56),
// and the strings that do not repeat (the ones that do are shared); 100,000
// polls hold 38 MB in a heap profile.
func (c cachedSnapshot) cacheBytes() int { return 1024 + 400*len(c.Polls) }

// snapshot returns the question's records at data version ver (or
// newer), from the cache when another view read them already.
func (s *Server) snapshot(qid string, ver uint64) (*store.Snapshot, error) {
	val, err := s.cache.get("snapshot|"+qid, ver, func() (any, error) {
		snap, err := s.db.Snapshot(qid)
		if err != nil {
			return nil, err
		}
		return cachedSnapshot{snap}, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(cachedSnapshot).Snapshot, nil
}

// cacheBytes estimates the memory a Computed holds: its daily points and
// the polls' weights (the records and polls are shared, counted where
// they are cached).
func (c *Computed) cacheBytes() int {
	n := 1024 + 8*len(c.weights)
	if c.Result != nil {
		for _, s := range c.Result.Series {
			n += 64 * len(s.Points)
		}
	}
	return n
}

// sized is a cached value that knows roughly how much memory it holds.
type sized interface{ cacheBytes() int }

// seriesCache keeps computed values per key and data version. A lookup at
// a newer data version recomputes: a write drops every older entry's
// validity at once. It holds at most max entries and about maxBytes of
// values (by their cacheBytes), evicting the least recently used first, so
// that no sequence of requests can grow it without bound, and a crawler
// walking every page of the poll table evicts pages, not the averages
// each page is built from.
type seriesCache struct {
	mu       sync.Mutex
	max      int
	maxBytes int
	bytes    int
	entries  map[string]*cacheEntry
	order    *list.List // of keys, least recently used first
}

type cacheEntry struct {
	version uint64
	once    sync.Once
	val     any
	err     error
	size    int
	elem    *list.Element // in order
}

func newSeriesCache(max, maxBytes int) *seriesCache {
	return &seriesCache{max: max, maxBytes: maxBytes, entries: map[string]*cacheEntry{}, order: list.New()}
}

// touch marks key as used now, when it is cached.
func (c *seriesCache) touch(key string) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToBack(e.elem)
	}
	c.mu.Unlock()
}

// keys returns the cached keys, least recently used first.
func (c *seriesCache) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, c.order.Len())
	for el := c.order.Front(); el != nil; el = el.Next() {
		out = append(out, el.Value.(string))
	}
	return out
}

// get returns the value for key at version, calling fill at most once per
// key and version even under concurrent requests. Errors are not cached.
func (c *seriesCache) get(key string, version uint64, fill func() (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	switch {
	case ok && e.version == version:
		c.order.MoveToBack(e.elem)
	case ok: // an older data version: refilled in place
		c.bytes -= e.size
		e = &cacheEntry{version: version, elem: e.elem}
		c.entries[key] = e
		c.order.MoveToBack(e.elem)
	default:
		e = &cacheEntry{version: version, elem: c.order.PushBack(key)}
		c.entries[key] = e
		c.evict()
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.val, e.err = fill()
		if sz, ok := e.val.(sized); ok && e.err == nil {
			c.mu.Lock()
			if c.entries[key] == e {
				e.size = sz.cacheBytes()
				c.bytes += e.size
				c.evict()
			}
			c.mu.Unlock()
		}
	})
	val, err := e.val, e.err
	if val == nil && err == nil {
		// fill panicked (the panic went to the first caller's recovery):
		// sync.Once counts it done, so drop the entry and say so
		err = errors.New("web: computing " + key + " failed")
	}
	if err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			c.remove(key)
		}
		c.mu.Unlock()
	}
	return val, err
}

// evict drops the least recently used entries while the cache is over
// either limit, never the last used one. c.mu must be held.
func (c *seriesCache) evict() {
	for c.order.Len() > 1 && (c.order.Len() > c.max || c.bytes > c.maxBytes) {
		c.remove(c.order.Front().Value.(string))
	}
}

// remove drops key. c.mu must be held.
func (c *seriesCache) remove(key string) {
	if e, ok := c.entries[key]; ok {
		c.bytes -= e.size
		c.order.Remove(e.elem)
		delete(c.entries, key)
	}
}
