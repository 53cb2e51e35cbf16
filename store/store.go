// Package store keeps pollagg's questions, polls, their revisions and the
// uploads that brought them in one bbolt file.
//
// # Layout
//
// Every bucket is top level; keys are bytes, values JSON unless noted.
//
//	meta       "schema" → schema version (decimal text, currently 1)
//	           "version" → data version, 8-byte big-endian, +1 per committed write
//	           "updated" → time of the last write (RFC 3339)
//	           "calibration" → poll.Calibration: shared error and pollster
//	           ratings learned from the questions' results
//	questions  question id → poll.Question
//	polls      question id → nested bucket:
//	             date key (4 bytes) ‖ poll id (8 bytes) → poll.Record
//	           the date key is the poll's last field day as days since 1970
//	           with its sign bit flipped, big-endian, so that a cursor reads a
//	           question's polls in date order, dates before 1970 included
//	pollindex  poll id (hex) → question id ‖ 0x00 ‖ key in polls
//	identity   first 16 bytes of the sha-256 of poll.IdentityKey → poll id
//	           (finds a poll that a file names without its poll_id)
//	uploads    upload id → poll.Upload
//	pollsters  a pollster's name, lower-cased with single spaces → the spelling
//	           polls are stored under (the first seen)
//	accounts, tokens: pollster accounts and token hashes (see accounts.go)
//
// bbolt allows one process per file: Open waits at most OpenTimeout for the
// lock and then says which process to stop or which API to use instead.
package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/pollagg/pollagg/poll"
)

// SchemaVersion is the layout version written to meta/schema. Version 2
// stores poll records in the binary form of codec.go; it reads version
// 1's JSON records as they are, and a pollagg that reads only version 1
// refuses the file with a message instead of misreading it.
const SchemaVersion = 2

// OpenTimeout is how long Open waits for another process to release the file.
const OpenTimeout = 1 * time.Second

var (
	bucketMeta      = []byte("meta")
	bucketQuestions = []byte("questions")
	bucketPolls     = []byte("polls")
	bucketIndex     = []byte("pollindex")
	bucketIdentity  = []byte("identity")
	bucketUploads   = []byte("uploads")
	bucketAccounts  = []byte("accounts")
	bucketTokens    = []byte("tokens")
	bucketPollsters = []byte("pollsters")
	allBuckets      = [][]byte{bucketMeta, bucketQuestions, bucketPolls, bucketIndex, bucketIdentity, bucketUploads, bucketAccounts, bucketTokens, bucketPollsters}
)

// DB is an open pollagg database.
type DB struct {
	bolt *bolt.DB
	path string
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// version caches meta/version for cheap reads by caches and ETags.
	version atomic.Uint64
	// cal caches the decoded calibration of one data version, so that a
	// request does not decode it again (callers must not modify it).
	cal atomic.Pointer[calEntry]
}

type calEntry struct {
	version uint64
	c       *poll.Calibration
}

// Open opens or creates the database at path. When another process holds
// the file it returns an EUNAVAILABLE error that says what to do.
func Open(path string) (*DB, error) {
	// InitialMmapSize: the map is reserved address space, not file size;
	// large enough that a big import does not remap (and copy every node)
	// as the file doubles, and that readers never block a writer remapping.
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: OpenTimeout, InitialMmapSize: 256 << 20})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, poll.Errorf(poll.EUNAVAILABLE,
			"%s is in use by another pollagg process (is `pollagg serve` running?): stop it first, or send the file to the running server with POST /api/v1/uploads (see README, \"For pollsters\")", path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path, Now: time.Now}
	// A read-only check first: opening an existing, current database must
	// not write to it (an import that is rejected leaves the file
	// byte-for-byte unchanged).
	ready := false
	err = b.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return nil
			}
		}
		m := tx.Bucket(bucketMeta)
		if v := m.Get([]byte("schema")); v != nil {
			n, err := strconv.Atoi(string(v))
			if err != nil || n > SchemaVersion {
				return poll.Errorf(poll.EINVALID, "%s has schema version %q; this pollagg reads up to %d: upgrade pollagg", path, v, SchemaVersion)
			}
			ready = n == SchemaVersion
		}
		if v := m.Get([]byte("version")); len(v) == 8 {
			db.version.Store(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	if err == nil && !ready {
		err = b.Update(func(tx *bolt.Tx) error {
			for _, name := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte(strconv.Itoa(SchemaVersion)))
		})
	}
	if err != nil {
		b.Close()
		if poll.ErrorCode(err) != poll.EINTERNAL {
			return nil, err
		}
		return nil, fmt.Errorf("store: initialise %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database file.
func (db *DB) Close() error { return db.bolt.Close() }

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Version returns the data version: a number that grows with every
// committed change, for caches and ETags.
func (db *DB) Version() uint64 { return db.version.Load() }

// Updated returns the time of the last committed change (zero for a new database).
func (db *DB) Updated() time.Time {
	var t time.Time
	db.bolt.View(func(tx *bolt.Tx) error {
		t, _ = time.Parse(time.RFC3339Nano, string(tx.Bucket(bucketMeta).Get([]byte("updated"))))
		return nil
	})
	return t
}

// update runs fn in a write transaction and, when fn changed something
// (reported by *changed), bumps the data version in the same commit.
func (db *DB) update(fn func(tx *bolt.Tx, changed *bool) error) error {
	var next uint64
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		changed := false
		if err := fn(tx, &changed); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		m := tx.Bucket(bucketMeta)
		cur := uint64(0)
		if v := m.Get([]byte("version")); len(v) == 8 {
			cur = binary.BigEndian.Uint64(v)
		}
		next = cur + 1
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], next)
		if err := m.Put([]byte("version"), buf[:]); err != nil {
			return err
		}
		return m.Put([]byte("updated"), []byte(db.Now().UTC().Format(time.RFC3339Nano)))
	})
	if err == nil && next > 0 {
		db.version.Store(next)
	}
	return err
}

// appendPollKey appends p's key inside its question's bucket to dst: its
// last field day as a 4-byte order-preserving date key (the sign bit
// flipped, big-endian, so 1969-12-31 sorts before 1970-01-01), then its id.
func appendPollKey(dst []byte, p *poll.Poll) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(p.End)^(1<<31))
	// like hex.DecodeString: a malformed id keeps the bytes decoded before the error
	dst, _ = hex.AppendDecode(dst, []byte(p.ID))
	return dst
}

// identityHash is p's key in the identity bucket: the first 16 bytes of
// the SHA-256 of poll.IdentityKey(p).
func identityHash(p *poll.Poll) [16]byte {
	s := sha256.Sum256([]byte(poll.IdentityKey(p)))
	return [16]byte(s[:16])
}

// Question returns the question with the given id, or ENOTFOUND.
func (db *DB) Question(id string) (*poll.Question, error) {
	var q *poll.Question
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		q, err = getQuestion(tx, id)
		return err
	})
	return q, err
}

func getQuestion(tx *bolt.Tx, id string) (*poll.Question, error) {
	v := tx.Bucket(bucketQuestions).Get([]byte(id))
	if v == nil {
		return nil, poll.Errorf(poll.ENOTFOUND, "no question %q", id)
	}
	var q poll.Question
	if err := json.Unmarshal(v, &q); err != nil {
		return nil, fmt.Errorf("store: decode question %q: %w", id, err)
	}
	return &q, nil
}

func putQuestion(tx *bolt.Tx, q *poll.Question) error {
	v, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("store: encode question %q: %w", q.ID, err)
	}
	return tx.Bucket(bucketQuestions).Put([]byte(q.ID), v)
}

// Questions returns every question, ordered by id.
func (db *DB) Questions() ([]poll.Question, error) {
	var out []poll.Question
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQuestions).ForEach(func(k, v []byte) error {
			var q poll.Question
			if err := json.Unmarshal(v, &q); err != nil {
				return fmt.Errorf("store: decode question %q: %w", k, err)
			}
			out = append(out, q)
			return nil
		})
	})
	return out, err
}

// PutQuestion creates or replaces a question after validating it. Its
// options may grow but not lose an option that stored polls use.
func (db *DB) PutQuestion(q *poll.Question) error {
	if err := q.Validate(); err != nil {
		return err
	}
	return db.update(func(tx *bolt.Tx, changed *bool) error {
		now := db.Now().UTC()
		if old, err := getQuestion(tx, q.ID); err == nil {
			q.Created = old.Created
			if q.ResultHistory == nil { // results are set with SetResult; a plain put keeps them
				q.ResultHistory = old.ResultHistory
			}
			for _, o := range old.Options {
				if _, ok := q.Option(o.ID); !ok {
					return poll.Errorf(poll.EINVALID, "question %q: option %q cannot be removed", q.ID, o.ID)
				}
			}
		} else {
			q.Created = now
		}
		q.Updated = now
		*changed = true
		return putQuestion(tx, q)
	})
}

// Records returns a question's polls with their histories in date order
// (by last field day). Retracted polls are included only when asked.
// It returns ENOTFOUND for an unknown question.
func (db *DB) Records(questionID string, includeRetracted bool) ([]poll.Record, error) {
	var out []poll.Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketQuestions).Get([]byte(questionID)) == nil {
			return poll.Errorf(poll.ENOTFOUND, "no question %q", questionID)
		}
		var err error
		out, err = readRecords(tx, questionID, includeRetracted)
		return err
	})
	return out, err
}

// Snapshot is a question as one read transaction saw it: the question,
// the current revision of every poll (retracted ones included) with what
// is known of its record, and the data version those belong to. Reading
// the version with the data, not before it, keeps a download from
// labelling new data with the version before a write. The polls' older
// revisions are not read: Record has a poll's whole history.
type Snapshot struct {
	Question *poll.Question
	// Polls holds the current revision of every poll of the question,
	// retracted ones included, in date order (by last field day).
	Polls []poll.Poll
	// Meta describes the record of Polls[i].
	Meta    []RecordMeta
	Version uint64
	// Calibration is the stored calibration (shared error, pollster
	// ratings) as of the same version; nil when none was computed.
	Calibration *poll.Calibration
}

// Snapshot returns the question with the given id as it is now, or ENOTFOUND.
func (db *DB) Snapshot(questionID string) (*Snapshot, error) {
	var s Snapshot
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		if s.Question, err = getQuestion(tx, questionID); err != nil {
			return err
		}
		if v := tx.Bucket(bucketMeta).Get([]byte("version")); len(v) == 8 {
			s.Version = binary.BigEndian.Uint64(v)
		}
		if s.Calibration, err = db.cachedCalibration(tx, s.Version); err != nil {
			return err
		}
		s.Polls, s.Meta, err = readCurrent(tx, questionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// questionValues returns the keys and values of a question's polls
// bucket in key (date) order, valid while tx is open.
func questionValues(tx *bolt.Tx, questionID string) (keys, vals [][]byte, err error) {
	b := tx.Bucket(bucketPolls).Bucket([]byte(questionID))
	if b == nil {
		return nil, nil, nil
	}
	err = b.ForEach(func(k, v []byte) error {
		keys, vals = append(keys, k), append(vals, v)
		return nil
	})
	return keys, vals, err
}

// decodeAll calls decode(i, in) for every value, on every core for a
// large question, each worker with an interner of its own, and returns
// the first error.
func decodeAll(keys, vals [][]byte, decode func(i int, in *interner) error) error {
	errs := make([]error, len(vals))
	workers := min(runtime.GOMAXPROCS(0), len(vals)/1000+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*len(vals)/workers, (w+1)*len(vals)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := newInterner()
			for i := lo; i < hi; i++ {
				if err := decode(i, in); err != nil {
					errs[i] = fmt.Errorf("store: decode poll %x: %w", keys[i], err)
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// readCurrent decodes the current revision of each of a question's
// polls and its record's metadata, in key (date) order.
func readCurrent(tx *bolt.Tx, questionID string) ([]poll.Poll, []RecordMeta, error) {
	keys, vals, err := questionValues(tx, questionID)
	if err != nil || len(vals) == 0 {
		return nil, nil, err
	}
	polls, meta := make([]poll.Poll, len(vals)), make([]RecordMeta, len(vals))
	if err := decodeAll(keys, vals, func(i int, in *interner) error {
		return decodeCurrent(vals[i], &polls[i], &meta[i], in)
	}); err != nil {
		return nil, nil, err
	}
	return polls, meta, nil
}

// readRecords decodes a question's records, in key (date) order.
func readRecords(tx *bolt.Tx, questionID string, includeRetracted bool) ([]poll.Record, error) {
	keys, vals, err := questionValues(tx, questionID)
	if err != nil {
		return nil, err
	}
	recs := make([]poll.Record, len(vals))
	if err := decodeAll(keys, vals, func(i int, in *interner) error {
		return decodeRecord(vals[i], &recs[i], in)
	}); err != nil {
		return nil, err
	}
	var out []poll.Record
	for i := range recs {
		if recs[i].Retracted == nil || includeRetracted {
			out = append(out, recs[i])
		}
	}
	return out, nil
}

// Polls returns the current revision of each of a question's polls that
// is not retracted, in date order.
func (db *DB) Polls(questionID string) ([]poll.Poll, error) {
	recs, err := db.Records(questionID, false)
	if err != nil {
		return nil, err
	}
	out := make([]poll.Poll, len(recs))
	for i := range recs {
		out[i] = *recs[i].Current()
	}
	return out, nil
}

// Record returns one poll's record by poll id, or ENOTFOUND.
func (db *DB) Record(pollID string) (*poll.Record, error) {
	var r *poll.Record
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		r, _, err = findRecord(tx, pollID)
		return err
	})
	return r, err
}

// findRecord returns the record and its bucket and key.
func findRecord(tx *bolt.Tx, pollID string) (*poll.Record, []byte, error) {
	loc := tx.Bucket(bucketIndex).Get([]byte(pollID))
	if loc == nil {
		return nil, nil, poll.Errorf(poll.ENOTFOUND, "no poll %q", pollID)
	}
	qid, key, ok := bytes.Cut(loc, []byte{0})
	if !ok {
		return nil, nil, fmt.Errorf("store: corrupt index entry for poll %q", pollID)
	}
	b := tx.Bucket(bucketPolls).Bucket(qid)
	if b == nil {
		return nil, nil, fmt.Errorf("store: poll %q points to missing question %q", pollID, qid)
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil, fmt.Errorf("store: poll %q missing at its index entry", pollID)
	}
	var r poll.Record
	if err := decodeRecord(v, &r, nil); err != nil {
		return nil, nil, fmt.Errorf("store: decode poll %q: %w", pollID, err)
	}
	return &r, append([]byte(nil), loc...), nil
}

// putRecord stores r under its current revision's key, moving it when the
// key changed, and updates the indexes.
func putRecord(tx *bolt.Tx, r *poll.Record, oldLoc []byte) error {
	w := newWriteSet(1)
	if err := w.putRecord(tx, r, oldLoc); err != nil {
		return err
	}
	return w.flush(tx)
}

// writeSet gathers a transaction's puts and writes them bucket by bucket in
// key order. bbolt keeps a bucket's node unsplit until commit, so a put in
// the middle of a large node moves everything after it: 100,000 puts in
// random order cost seconds, in key order milliseconds.
//
// Keys and values are carved from large shared slabs rather than allocated
// one by one: bbolt copies keys but keeps values by reference until the
// commit, and a slab is never written again once carved, so both stay valid.
type writeSet struct {
	polls    map[string]*putList // question id → puts into its polls bucket
	index    putList             // pollindex
	identity putList             // identity
	seq      int                 // puts queued so far: the last put of a key wins
	slab     []byte              // free space for keys and values
	buf      []byte              // scratch for building one key
	enc      []byte              // scratch for encoding one record
}

type putList []kv

type kv struct {
	pre  uint64 // the key's first 8 bytes, big-endian, zero-padded: a cheap first comparison
	seq  int
	k, v []byte
}

// newWriteSet returns an empty write set sized for about n records.
func newWriteSet(n int) *writeSet {
	return &writeSet{polls: map[string]*putList{}, index: make(putList, 0, n), identity: make(putList, 0, n)}
}

// slabSize is the size of the blocks keys and values are carved from.
const slabSize = 1 << 20

// carve returns a copy of b that lives in the slab; its capacity is its
// length, so appending to it cannot overwrite the next entry.
func (w *writeSet) carve(b []byte) []byte {
	if cap(w.slab)-len(w.slab) < len(b) {
		w.slab = make([]byte, 0, max(slabSize, len(b)))
	}
	n := len(w.slab)
	w.slab = append(w.slab, b...)
	return w.slab[n:len(w.slab):len(w.slab)]
}

func (w *writeSet) add(l *putList, k, v []byte) {
	var pre [8]byte
	copy(pre[:], k)
	*l = append(*l, kv{binary.BigEndian.Uint64(pre[:]), w.seq, k, v})
	w.seq++
}

// putRecord queues r under its current revision's key, deleting the old key
// at once when the poll moved, and queues its index entries.
func (w *writeSet) putRecord(tx *bolt.Tx, r *poll.Record, oldLoc []byte) error {
	p := r.Current()
	var kb [64]byte
	key := w.carve(appendPollKey(kb[:0], p))
	loc := append(append(w.buf[:0], p.QuestionID...), 0)
	loc = w.carve(append(loc, key...))
	if oldLoc != nil && !bytes.Equal(oldLoc, loc) {
		oq, ok, _ := bytes.Cut(oldLoc, []byte{0})
		if b := tx.Bucket(bucketPolls).Bucket(oq); b != nil {
			if err := b.Delete(ok); err != nil {
				return err
			}
		}
	}
	enc, err := appendRecord(w.enc[:0], r)
	if err != nil {
		return fmt.Errorf("store: encode poll %q: %w", p.ID, err)
	}
	w.enc = enc
	v := w.carve(enc)
	l := w.polls[p.QuestionID]
	if l == nil {
		l = new(putList)
		w.polls[p.QuestionID] = l
	}
	w.add(l, key, v)
	id := w.carve(append(w.buf[:0], p.ID...))
	w.add(&w.index, id, loc)
	ih := identityHash(p)
	w.add(&w.identity, w.carve(ih[:]), id)
	return nil
}

// flush writes the queued puts in key order: the polls buckets by question
// id, then pollindex and identity.
func (w *writeSet) flush(tx *bolt.Tx) error {
	qids := make([]string, 0, len(w.polls))
	for qid := range w.polls {
		qids = append(qids, qid)
	}
	sort.Strings(qids)
	for _, qid := range qids {
		b, err := tx.Bucket(bucketPolls).CreateBucketIfNotExists([]byte(qid))
		if err != nil {
			return fmt.Errorf("store: bucket for question %q: %w", qid, err)
		}
		if err := w.polls[qid].put(b, "polls/"+qid); err != nil {
			return err
		}
	}
	if err := w.index.put(tx.Bucket(bucketIndex), string(bucketIndex)); err != nil {
		return err
	}
	if err := w.identity.put(tx.Bucket(bucketIdentity), string(bucketIdentity)); err != nil {
		return err
	}
	w.polls, w.index, w.identity = map[string]*putList{}, nil, nil
	return nil
}

// put writes the list into b in key order, a later put of the same key last.
//
// When every key sorts after the bucket's last key (a new bucket, or polls
// newer than all stored ones), the puts only append: the bucket then packs
// its pages full (FillPercent 1) instead of splitting them half full, which
// halves the pages the commit writes. Pages split later by an insert in the
// middle get bbolt's usual fill again; the keys and values are the same
// either way.
func (l putList) put(b *bolt.Bucket, path string) error {
	if len(l) == 0 {
		return nil
	}
	slices.SortFunc(l, func(x, y kv) int {
		if x.pre != y.pre {
			if x.pre < y.pre {
				return -1
			}
			return 1
		}
		if c := bytes.Compare(x.k, y.k); c != 0 {
			return c
		}
		return x.seq - y.seq
	})
	if last, _ := b.Cursor().Last(); last == nil || bytes.Compare(last, l[0].k) < 0 {
		b.FillPercent = 1
	}
	for _, e := range l {
		if err := b.Put(e.k, e.v); err != nil {
			return fmt.Errorf("store: put %s/%x: %w", path, e.k, err)
		}
	}
	return nil
}

// Retract withdraws a poll: it leaves every average but stays in the record
// with the time and who retracted it. may reports whether the caller may
// retract a poll of the given pollster (EFORBIDDEN otherwise). Retracting
// a retracted poll is a no-op.
func (db *DB) Retract(pollID, by string, may func(pollster string) bool) (*poll.Record, error) {
	var out *poll.Record
	err := db.update(func(tx *bolt.Tx, changed *bool) error {
		r, loc, err := findRecord(tx, pollID)
		if err != nil {
			return err
		}
		if may != nil && !may(r.Current().Pollster) {
			return poll.Errorf(poll.EFORBIDDEN, "poll %q belongs to %q, which this token may not publish for", pollID, r.Current().Pollster)
		}
		out = r
		if r.Retracted != nil {
			return nil
		}
		t := db.Now().UTC()
		r.Retracted, r.RetractedBy = &t, by
		*changed = true
		return putRecord(tx, r, loc)
	})
	return out, err
}

// Upload returns one upload record, or ENOTFOUND.
func (db *DB) Upload(id string) (*poll.Upload, error) {
	var u *poll.Upload
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketUploads).Get([]byte(id))
		if v == nil {
			return poll.Errorf(poll.ENOTFOUND, "no upload %q", id)
		}
		u = new(poll.Upload)
		return json.Unmarshal(v, u)
	})
	return u, err
}

// Uploads returns the uploads of one account ("" for all), newest first.
func (db *DB) Uploads(account string) ([]poll.Upload, error) {
	var out []poll.Upload
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketUploads).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var u poll.Upload
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("store: decode upload %q: %w", k, err)
			}
			if account == "" || u.Account == account {
				out = append(out, u)
			}
		}
		return nil
	})
	// Ids are "u" and a sequence number of at least six digits: by length,
	// then bytes, is by number, also past u999999 (which the keys' byte
	// order is not).
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].ID, out[j].ID
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return a > b
	})
	return out, err
}

// Stats counts what the database holds.
type Stats struct {
	Questions int
	Polls     int
	Uploads   int
}

// Stats returns counts of questions, polls (all revisions' records) and uploads.
func (db *DB) Stats() (Stats, error) {
	var s Stats
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s.Questions = tx.Bucket(bucketQuestions).Stats().KeyN
		s.Polls = tx.Bucket(bucketIndex).Stats().KeyN
		s.Uploads = tx.Bucket(bucketUploads).Stats().KeyN
		return nil
	})
	return s, err
}

// Backup writes a consistent copy of the database to w without blocking
// readers or writers.
func (db *DB) Backup(path string) error {
	return db.bolt.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
}
