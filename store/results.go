package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// keyCalibration is where meta keeps the stored poll.Calibration (JSON).
var keyCalibration = []byte("calibration")

// ResultCounts tells what a results import did with each question.
type ResultCounts struct {
	Changed   int `json:"changed"`   // questions that got a new or first result
	Unchanged int `json:"unchanged"` // questions whose result was already this one
}

// String formats c as "N results changed, N unchanged".
func (c ResultCounts) String() string {
	return fmt.Sprintf("%d results changed, %d unchanged", c.Changed, c.Unchanged)
}

// ImportResults stores a results file whole or not at all: every question
// must exist and every outcome be valid for it (poll.Outcome.Validate),
// else it returns *poll.Problems with every problem and writes nothing. A
// question whose outcome differs from its stored one gets a new revision
// of it; an identical one is left alone, so importing a file twice writes
// nothing the second time.
//
// A dry run validates and counts the same way and writes nothing.
func (db *DB) ImportResults(r *pollcsv.Results, by string, dryRun bool) (ResultCounts, error) {
	var counts ResultCounts
	// A read first: a file that changes nothing (or a dry run) never
	// opens a write transaction, which would rewrite bbolt's meta page.
	apply := func(tx *bolt.Tx, write bool) (ResultCounts, error) {
		var counts ResultCounts
		outs := r.Outcomes()
		qs := make(map[string]*poll.Question, len(outs))
		for _, o := range outs {
			q, err := getQuestion(tx, o.QuestionID)
			if err != nil && poll.ErrorCode(err) != poll.ENOTFOUND {
				return counts, err
			}
			qs[o.QuestionID] = q
		}
		if probs := append(slices.Clone(r.Problems), r.ValidateResults(qs)...); len(probs) > 0 {
			sort.SliceStable(probs, func(a, b int) bool { return probs[a].Line < probs[b].Line })
			return counts, &poll.Problems{List: probs}
		}
		now := db.Now().UTC()
		for _, o := range outs {
			q := qs[o.QuestionID]
			if !q.SetResult(o.Outcome, now, by) {
				counts.Unchanged++
				continue
			}
			counts.Changed++
			q.Updated = now
			if write {
				if err := putQuestion(tx, q); err != nil {
					return counts, err
				}
			}
		}
		return counts, nil
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		counts, err = apply(tx, false)
		return err
	})
	if err != nil || dryRun || counts.Changed == 0 {
		return counts, err
	}
	err = db.update(func(tx *bolt.Tx, changed *bool) error {
		var err error
		counts, err = apply(tx, true)
		*changed = counts.Changed > 0
		return err
	})
	if err != nil {
		return ResultCounts{}, err
	}
	return counts, nil
}

// SetResult records o as question qid's outcome (a new revision when it
// differs from the stored one) and reports whether anything changed. It
// returns ENOTFOUND for an unknown question and EINVALID for an outcome
// that does not fit it.
func (db *DB) SetResult(qid string, o poll.Outcome, by string) (bool, error) {
	did := false
	err := db.update(func(tx *bolt.Tx, changed *bool) error {
		q, err := getQuestion(tx, qid)
		if err != nil {
			return err
		}
		if errs := o.Validate(q); len(errs) > 0 {
			return poll.Errorf(poll.EINVALID, "question %q: result: %s", qid, errs[0].Error())
		}
		now := db.Now().UTC()
		if !q.SetResult(o, now, by) {
			return nil
		}
		q.Updated = now
		did, *changed = true, true
		return putQuestion(tx, q)
	})
	return did, err
}

// ResultCases returns every question with a result, each with its
// current, unretracted polls that ended before the result's date, read in
// one transaction: the material poll.Calibrate learns from.
func (db *DB) ResultCases() ([]poll.ResultCase, error) {
	var out []poll.ResultCase
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQuestions).ForEach(func(k, v []byte) error {
			var q poll.Question
			if err := json.Unmarshal(v, &q); err != nil {
				return fmt.Errorf("store: decode question %q: %w", k, err)
			}
			res := q.Result()
			if res == nil {
				return nil
			}
			recs, err := readRecords(tx, q.ID, false)
			if err != nil {
				return err
			}
			c := poll.ResultCase{Question: &q, Outcome: *res}
			for i := range recs {
				if p := recs[i].Current(); p.End < res.Date {
					c.Polls = append(c.Polls, *p)
				}
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

// HasResults reports whether any of the questions has a result.
func (db *DB) HasResults(qids ...string) (bool, error) {
	has := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, id := range qids {
			q, err := getQuestion(tx, id)
			if poll.ErrorCode(err) == poll.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			if q.Result() != nil {
				has = true
				return nil
			}
		}
		return nil
	})
	return has, err
}

// Calibration returns the stored calibration, or nil when none has been
// computed (a database without results). The caller may modify it.
func (db *DB) Calibration() (*poll.Calibration, error) {
	var c *poll.Calibration
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		c, err = getCalibration(tx)
		return err
	})
	return c, err
}

// cachedCalibration returns the calibration of data version v, decoding
// it only when the cache holds another version's.
func (db *DB) cachedCalibration(tx *bolt.Tx, v uint64) (*poll.Calibration, error) {
	if e := db.cal.Load(); e != nil && e.version == v {
		return e.c, nil
	}
	c, err := getCalibration(tx)
	if err == nil {
		db.cal.Store(&calEntry{version: v, c: c})
	}
	return c, err
}

func getCalibration(tx *bolt.Tx) (*poll.Calibration, error) {
	v := tx.Bucket(bucketMeta).Get(keyCalibration)
	if v == nil {
		return nil, nil
	}
	var c poll.Calibration
	if err := json.Unmarshal(v, &c); err != nil {
		return nil, fmt.Errorf("store: decode calibration: %w", err)
	}
	return &c, nil
}

// PutCalibration stores c (nil removes the stored one). Storing the same
// calibration again writes nothing.
func (db *DB) PutCalibration(c *poll.Calibration) error {
	var v []byte
	if c != nil {
		var err error
		if v, err = json.Marshal(c); err != nil {
			return fmt.Errorf("store: encode calibration: %w", err)
		}
	}
	return db.update(func(tx *bolt.Tx, changed *bool) error {
		m := tx.Bucket(bucketMeta)
		old := m.Get(keyCalibration)
		if string(old) == string(v) && (old == nil) == (v == nil) {
			return nil
		}
		*changed = true
		if v == nil {
			return m.Delete(keyCalibration)
		}
		return m.Put(keyCalibration, v)
	})
}
