package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/pollagg/pollagg/poll"
)

// A poll's record is stored in a compact binary form, about a quarter of
// its JSON and an order of magnitude faster to read: reading a question
// of 10,000 polls is most of the cost of averaging it cold. Records
// written by earlier versions are JSON (their first byte is '{') and are
// read as such; each is rewritten in the binary form when it next changes.
//
// The form, after the version byte recordV1:
//
//	uvarint   number of revisions, n ≥ 1
//	retraction: uvarint 0, or 1 and a time, then RetractedBy
//	the current revision (the newest)
//	uvarint   byte length of the older revisions, then those n-1 revisions, oldest first
//
// The current revision comes first so that a question's snapshot, which
// shows only current polls, skips the history without decoding it. A
// revision is its number, upload id, recorded time and poll. Strings and
// byte lengths are uvarint-prefixed; integers are varints; a time is its
// Unix seconds, nanoseconds and zone offset in seconds; a float is its
// IEEE 754 bits, little-endian; an optional value has a 0/1 byte before
// it; a map is its length and its pairs in key order.
const recordV1 = 0x01

// errCorrupt reports a record that ends early or holds impossible lengths.
var errCorrupt = errors.New("corrupt record")

// appendRecord appends the stored form of r to dst.
func appendRecord(dst []byte, r *poll.Record) ([]byte, error) {
	n := len(r.Revisions)
	if n == 0 {
		return nil, errors.New("record without revisions")
	}
	dst = append(dst, recordV1)
	dst = binary.AppendUvarint(dst, uint64(n))
	if r.Retracted == nil {
		dst = append(dst, 0)
	} else {
		dst = appendTime(append(dst, 1), *r.Retracted)
	}
	dst = appendString(dst, r.RetractedBy)
	dst = appendRevision(dst, &r.Revisions[n-1])
	var old []byte
	for i := 0; i < n-1; i++ {
		old = appendRevision(old, &r.Revisions[i])
	}
	dst = binary.AppendUvarint(dst, uint64(len(old)))
	return append(dst, old...), nil
}

func appendRevision(dst []byte, v *poll.Revision) []byte {
	dst = binary.AppendVarint(dst, int64(v.Number))
	dst = appendString(dst, v.UploadID)
	dst = appendTime(dst, v.Recorded)
	p := &v.Poll
	for _, s := range [...]string{p.ID, p.QuestionID, p.ExternalID, p.Pollster, p.Sponsor, p.Population,
		string(p.Mode), p.ModeNote, p.Weighting, p.Wording, p.SourceURL, p.RegistryID, p.Notes} {
		dst = appendString(dst, s)
	}
	dst = binary.AppendVarint(dst, int64(p.Start))
	dst = binary.AppendVarint(dst, int64(p.End))
	dst = binary.AppendVarint(dst, int64(p.SampleSize))
	dst = appendOptFloat(dst, p.ResponseRate)
	dst = appendOptFloat(dst, p.MarginOfError)
	dst = binary.AppendUvarint(dst, uint64(len(p.AnswerLabels)))
	for _, k := range sortedKeys(p.AnswerLabels) {
		dst = appendString(appendString(dst, k), p.AnswerLabels[k])
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Results)))
	for _, r := range p.Results {
		dst = binary.LittleEndian.AppendUint64(appendString(dst, r.Option), math.Float64bits(r.Pct))
	}
	return dst
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

func appendTime(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	dst = binary.AppendVarint(dst, t.Unix())
	dst = binary.AppendUvarint(dst, uint64(t.Nanosecond()))
	return binary.AppendVarint(dst, int64(off))
}

func appendOptFloat(dst []byte, f *float64) []byte {
	if f == nil {
		return append(dst, 0)
	}
	return binary.LittleEndian.AppendUint64(append(dst, 1), math.Float64bits(*f))
}

// decodeRecord reads a stored record, binary or (as earlier versions
// wrote it) JSON.
func decodeRecord(v []byte, r *poll.Record, in *interner) error {
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, r)
	}
	d := decoder{b: v, in: in}
	n := d.header(r)
	r.Revisions = make([]poll.Revision, n)
	d.revision(&r.Revisions[n-1])
	// the older revisions, which must fill their length exactly
	old := decoder{b: d.bytes(d.uvarint()), in: in}
	for i := 0; i < n-1 && old.err == nil; i++ {
		old.revision(&r.Revisions[i])
	}
	if err := old.finish(); err != nil && d.err == nil {
		d.err = err
	}
	return d.finish()
}

// RecordMeta is what a question's snapshot keeps of a record besides its
// current poll.
type RecordMeta struct {
	// Revisions counts the poll's revisions (1 for a poll never corrected).
	Revisions int
	// Recorded is when the current revision was stored.
	Recorded time.Time
	// Retracted is when the poll was withdrawn; nil while it counts.
	Retracted   *time.Time
	RetractedBy string
}

// decodeCurrent reads a stored record's current poll and its metadata,
// skipping the older revisions.
func decodeCurrent(v []byte, p *poll.Poll, m *RecordMeta, in *interner) error {
	if len(v) > 0 && v[0] == '{' {
		var r poll.Record
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		if len(r.Revisions) == 0 {
			return errCorrupt
		}
		last := &r.Revisions[len(r.Revisions)-1]
		*p = last.Poll
		*m = RecordMeta{Revisions: len(r.Revisions), Recorded: last.Recorded, Retracted: r.Retracted, RetractedBy: r.RetractedBy}
		return nil
	}
	d := decoder{b: v, in: in}
	var r poll.Record
	n := d.header(&r)
	var rev poll.Revision
	d.revision(&rev)
	*p = rev.Poll
	*m = RecordMeta{Revisions: n, Recorded: rev.Recorded, Retracted: r.Retracted, RetractedBy: r.RetractedBy}
	d.bytes(d.uvarint()) // the older revisions, not read
	return d.finish()
}

// interner shares what repeats from poll to poll among the records one
// reader decodes: the strings (pollster, mode, answer ids, upload ids…),
// so that a question of 100,000 polls holds each once, and the room for
// their answers, cut from one slab rather than allocated poll by poll.
// A nil *interner shares nothing.
type interner struct {
	strs map[string]string
	slab poll.Shares
}

func newInterner() *interner { return &interner{strs: map[string]string{}} }

func (in *interner) str(b []byte) string {
	if in == nil {
		return string(b)
	}
	if s, ok := in.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.strs) < 1<<16 {
		in.strs[s] = s
	}
	return s
}

// shares returns an empty Shares with room for n answers, cut from the
// slab so that appending to one poll's answers never reaches another's.
func (in *interner) shares(n int) poll.Shares {
	switch {
	case n == 0:
		return poll.Shares{}
	case in == nil || n > 64:
		return make(poll.Shares, 0, n)
	}
	if cap(in.slab)-len(in.slab) < n {
		in.slab = make(poll.Shares, 0, 1024)
	}
	i := len(in.slab)
	in.slab = in.slab[:i+n]
	return in.slab[i : i : i+n]
}

// decoder reads the binary form; the first error sticks.
type decoder struct {
	b   []byte
	err error
	in  *interner
}

func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	return d.err
}

func (d *decoder) fail() { d.err, d.b = errCorrupt, nil }

// header reads the version byte, the revision count and the retraction
// into r; it returns the count (1 after an error, so that callers can go
// on reading until finish reports it).
func (d *decoder) header(r *poll.Record) int {
	if len(d.b) == 0 || d.b[0] != recordV1 {
		if len(d.b) > 0 {
			d.err = fmt.Errorf("unknown record version %#x", d.b[0])
		} else {
			d.err = errCorrupt
		}
		return 1
	}
	d.b = d.b[1:]
	n := d.uvarint()
	if n < 1 || n > uint64(len(d.b)) {
		d.fail()
		return 1
	}
	if d.byte() == 1 {
		t := d.time()
		r.Retracted = &t
	}
	r.RetractedBy = d.string(true)
	return int(n)
}

// revision reads one revision into v.
func (d *decoder) revision(v *poll.Revision) {
	v.Number = int(d.varint())
	v.UploadID = d.string(true)
	v.Recorded = d.time()
	p := &v.Poll
	p.ID = d.string(false)
	p.QuestionID = d.string(true)
	p.ExternalID = d.string(false)
	p.Pollster = d.string(true)
	p.Sponsor = d.string(true)
	p.Population = d.string(true)
	p.Mode = poll.Mode(d.string(true))
	p.ModeNote = d.string(true)
	p.Weighting = d.string(true)
	p.Wording = d.string(true)
	p.SourceURL = d.string(false)
	p.RegistryID = d.string(false)
	p.Notes = d.string(false)
	p.Start = poll.Date(d.varint())
	p.End = poll.Date(d.varint())
	p.SampleSize = int(d.varint())
	p.ResponseRate = d.optFloat()
	p.MarginOfError = d.optFloat()
	if n := d.count(2); n > 0 {
		p.AnswerLabels = make(map[string]string, n)
		for i := 0; i < n; i++ {
			k := d.string(true)
			p.AnswerLabels[k] = d.string(true)
		}
	}
	n := d.count(9)
	p.Results = d.in.shares(n)
	for i := 0; i < n; i++ {
		k := d.string(true)
		p.Results.Set(k, d.float())
	}
}

// count reads a length of items of at least min bytes each.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) uvarint() uint64 {
	x, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return x
}

func (d *decoder) varint() int64 {
	x, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return x
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// bytes returns the next n bytes.
func (d *decoder) bytes(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

// string reads a string, shared through the interner when shared.
func (d *decoder) string(shared bool) string {
	b := d.bytes(d.uvarint())
	if len(b) == 0 {
		return ""
	}
	if shared {
		return d.in.str(b)
	}
	return string(b)
}

func (d *decoder) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func (d *decoder) optFloat() *float64 {
	if d.byte() != 1 {
		return nil
	}
	f := d.float()
	return &f
}

func (d *decoder) time() time.Time {
	sec, nsec, off := d.varint(), d.uvarint(), d.varint()
	if nsec >= 1e9 || off < -24*3600 || off > 24*3600 {
		d.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}
