package web

import (
	"sync"

	"github.com/pollagg/pollagg/poll"
)

// Computed is a question averaged for one view: everything a page or a
// download shows, computed once per question, view and data version.
type Computed struct {
	Question *poll.Question
	// Records holds every poll of the question with its history,
	// retracted ones included, in date order.
	Records []poll.Record
	// Polls holds the polls the view averages: current revisions, not
	// retracted, kept by the view's filters.
	Polls []poll.Poll
	// Result is the average; nil when the view keeps no polls.
	Result  *poll.Result
	Version uint64
}

// compute returns the question averaged for v, from the cache when the data
// has not changed since. Unknown questions are ENOTFOUND.
func (s *Server) compute(qid string, v View) (*Computed, error) {
	ver := s.db.Version()
	key := "series|" + qid + "|" + v.Key()
	val, err := s.cache.get(key, ver, func() (any, error) {
		q, err := s.db.Question(qid)
		if err != nil {
			return nil, err
		}
		recs, err := s.db.Records(qid, true)
		if err != nil {
			return nil, err
		}
		c := &Computed{Question: q, Records: recs, Version: ver}
		for i := range recs {
			if recs[i].Retracted != nil {
				continue
			}
			if p := recs[i].Current(); v.keep(p) {
				c.Polls = append(c.Polls, *p)
			}
		}
		if len(c.Polls) > 0 {
			if c.Result, err = poll.Average(q, c.Polls, v.Options); err != nil {
				return nil, err
			}
		}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*Computed), nil
}

// seriesCache keeps computed values per key and data version. A lookup at
// a newer data version recomputes: a write drops every older entry's
// validity at once. It holds at most max entries, evicting the oldest
// inserted.
type seriesCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*cacheEntry
	order   []string
}

type cacheEntry struct {
	version uint64
	once    sync.Once
	val     any
	err     error
}

func newSeriesCache(max int) *seriesCache {
	return &seriesCache{max: max, entries: map[string]*cacheEntry{}}
}

// get returns the value for key at version, calling fill at most once per
// key and version even under concurrent requests. Errors are not cached.
func (c *seriesCache) get(key string, version uint64, fill func() (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok || e.version != version {
		e = &cacheEntry{version: version}
		if !ok {
			c.order = append(c.order, key)
			if len(c.order) > c.max {
				delete(c.entries, c.order[0])
				c.order = c.order[1:]
			}
		}
		c.entries[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.val, e.err = fill() })
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
			for i, k := range c.order {
				if k == key {
					c.order = append(c.order[:i], c.order[i+1:]...)
					break
				}
			}
		}
		c.mu.Unlock()
	}
	return e.val, e.err
}
