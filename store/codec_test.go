package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/pollagg/pollagg/poll"
)

// fullRecord is a record with every field of every level set, so that a
// field the codec forgets shows in the round trip.
func fullRecord() *poll.Record {
	f := func(x float64) *float64 { return &x }
	retracted := time.Date(2024, 5, 1, 9, 30, 0, 123456789, time.FixedZone("", 9*3600))
	p := poll.Poll{ID: "p1", QuestionID: "q", ExternalID: "ext-1", Pollster: "Gallup Korea", Sponsor: "한국일보",
		Start: 19400, End: 19402, SampleSize: 1002, Population: "adults 18+", Mode: poll.ModeLive,
		ModeNote: "CATI, 무선 90%", ResponseRate: f(11.5), MarginOfError: f(3.1), Weighting: "cell weighting",
		Wording: "강제징용 해법에 대해", AnswerLabels: map[string]string{"support": "찬성", "oppose": "반대"},
		SourceURL: "https://example.org/r/1", RegistryID: "NESDC-1", Notes: "a \"note\"\n",
		Results: poll.SharesOf(map[string]float64{"support": 35.4, "oppose": 59.1, "dk": 5.5})}
	q := p
	q.Results = poll.SharesOf(map[string]float64{"support": 36})
	q.AnswerLabels, q.ResponseRate, q.MarginOfError = nil, nil, nil
	return &poll.Record{
		Revisions: []poll.Revision{
			{Number: 1, Poll: q, UploadID: "u1", Recorded: time.Date(2023, 3, 8, 1, 2, 3, 0, time.UTC)},
			{Number: 2, Poll: p, UploadID: "u2", Recorded: time.Date(2023, 3, 9, 4, 5, 6, 7, time.UTC)},
		},
		Retracted: &retracted, RetractedBy: "operator",
	}
}

// TestCodec_FieldsCovered fails when a field is added to the stored
// types: the codec (appendRevision, decoder.revision, decoder.header)
// must then learn it, and this count with it.
func TestCodec_FieldsCovered(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{{poll.Poll{}, 20}, {poll.Revision{}, 4}, {poll.Record{}, 3}} {
		if n := reflect.TypeOf(c.v).NumField(); n != c.want {
			t.Errorf("%T has %d fields, the codec knows %d: teach store/codec.go the new one", c.v, n, c.want)
		}
	}
	// every field of fullRecord is set
	r := fullRecord()
	for _, v := range []reflect.Value{reflect.ValueOf(r.Revisions[1].Poll), reflect.ValueOf(r.Revisions[1]), reflect.ValueOf(*r)} {
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).IsZero() {
				t.Errorf("fullRecord leaves %s.%s unset", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
}

func TestCodec_RoundTrip(t *testing.T) {
	one := fullRecord()
	one.Revisions = one.Revisions[1:]
	one.Retracted, one.RetractedBy = nil, ""
	for name, r := range map[string]*poll.Record{"full": fullRecord(), "one revision": one} {
		t.Run(name, func(t *testing.T) {
			b, err := appendRecord(nil, r)
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(r)
			if len(b) >= len(js) {
				t.Errorf("binary %d bytes, JSON %d", len(b), len(js))
			}
			var got poll.Record
			if err := decodeRecord(b, &got, newInterner()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&got, r) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, *r)
			}
			// the same record as JSON, as earlier versions stored it
			var legacy poll.Record
			if err := decodeRecord(js, &legacy, nil); err != nil || !recordsEqual(&legacy, r) {
				t.Fatalf("JSON: %v\n got %+v\nwant %+v", err, legacy, *r)
			}
			// the current poll alone, from either form
			for _, v := range [][]byte{b, js} {
				var p poll.Poll
				var m RecordMeta
				if err := decodeCurrent(v, &p, &m, newInterner()); err != nil {
					t.Fatal(err)
				}
				last := r.Revisions[len(r.Revisions)-1]
				if !reflect.DeepEqual(p, last.Poll) || m.Revisions != len(r.Revisions) || !m.Recorded.Equal(last.Recorded) ||
					(m.Retracted == nil) != (r.Retracted == nil) || m.RetractedBy != r.RetractedBy ||
					(m.Retracted != nil && !m.Retracted.Equal(*r.Retracted)) {
					t.Fatalf("current from %.1q…: %+v %+v", v[:1], p, m)
				}
			}
			// deterministic: maps are written in key order
			again, _ := appendRecord(nil, r)
			if string(again) != string(b) {
				t.Fatal("two encodings of one record differ")
			}
		})
	}
}

// recordsEqual compares records with times by instant (JSON keeps the
// offset, not the location's name).
func recordsEqual(a, b *poll.Record) bool {
	if len(a.Revisions) != len(b.Revisions) || (a.Retracted == nil) != (b.Retracted == nil) || a.RetractedBy != b.RetractedBy {
		return false
	}
	if a.Retracted != nil && !a.Retracted.Equal(*b.Retracted) {
		return false
	}
	for i := range a.Revisions {
		x, y := a.Revisions[i], b.Revisions[i]
		if !x.Recorded.Equal(y.Recorded) || x.Number != y.Number || x.UploadID != y.UploadID || !reflect.DeepEqual(x.Poll, y.Poll) {
			return false
		}
	}
	return true
}

// TestCodec_Interned: the strings that repeat share one copy.
func TestCodec_Interned(t *testing.T) {
	b, _ := appendRecord(nil, fullRecord())
	in := newInterner()
	var x, y poll.Record
	if decodeRecord(b, &x, in) != nil || decodeRecord(b, &y, in) != nil {
		t.Fatal("decode")
	}
	px, py := x.Current(), y.Current()
	if unsafeData(px.Pollster) != unsafeData(py.Pollster) || unsafeData(px.Wording) != unsafeData(py.Wording) {
		t.Error("pollster and wording are not shared")
	}
	if unsafeData(px.ID) == unsafeData(py.ID) {
		t.Error("the poll id, unique, went through the interner")
	}
}

// TestCodec_Corrupt: every truncation and some impossible values are
// errors, never a panic or a silently short record.
func TestCodec_Corrupt(t *testing.T) {
	b, _ := appendRecord(nil, fullRecord())
	for n := 0; n < len(b); n++ {
		var r poll.Record
		if err := decodeRecord(b[:n], &r, nil); err == nil {
			t.Fatalf("a record cut to %d of %d bytes decoded", n, len(b))
		}
		var p poll.Poll
		var m RecordMeta
		if err := decodeCurrent(b[:n], &p, &m, nil); err == nil && n < len(b) {
			t.Fatalf("a current poll cut to %d of %d bytes decoded", n, len(b))
		}
	}
	var r poll.Record
	if err := decodeRecord(append(b, 0), &r, nil); !errors.Is(err, errCorrupt) {
		t.Errorf("trailing byte: %v", err)
	}
	if err := decodeRecord([]byte{0x7f, 1}, &r, nil); err == nil {
		t.Error("unknown version decoded")
	}
	huge := []byte{recordV1, 0xff, 0xff, 0xff, 0xff, 0x0f}
	if err := decodeRecord(huge, &r, nil); err == nil {
		t.Error("a revision count beyond the bytes decoded")
	}
}

func FuzzDecodeRecord(f *testing.F) {
	b, _ := appendRecord(nil, fullRecord())
	f.Add(b)
	js, _ := json.Marshal(fullRecord())
	f.Add(js)
	f.Fuzz(func(t *testing.T, v []byte) {
		var r poll.Record
		if decodeRecord(v, &r, newInterner()) != nil || len(v) == 0 || v[0] == '{' {
			return
		}
		// what decodes encodes back to the same bytes
		again, err := appendRecord(nil, &r)
		if err != nil {
			t.Fatal(err)
		}
		var r2 poll.Record
		if err := decodeRecord(again, &r2, nil); err != nil {
			t.Fatalf("a re-encoded record does not decode: %v", err)
		}
		if third, _ := appendRecord(nil, &r2); string(third) != string(again) {
			t.Fatal("re-encoding is not stable")
		}
	})
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }

// TestCodec_LegacyJSON: a database written by an earlier version holds
// its records as JSON. They are read as they are, and a record written
// again (a correction, a retraction) is stored in the binary form.
func TestCodec_LegacyJSON(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PutQuestion(&poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}, {ID: "dk"}}}); err != nil {
		t.Fatal(err)
	}
	r := fullRecord()
	r.Retracted, r.RetractedBy = nil, ""
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return putRecord(tx, r, nil) }); err != nil {
		t.Fatal(err)
	}
	// as an earlier version wrote it
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPolls).Bucket([]byte("q"))
		k, _ := b.Cursor().First()
		js, _ := json.Marshal(r)
		return b.Put(append([]byte(nil), k...), js)
	}); err != nil {
		t.Fatal(err)
	}
	stored := func() []byte {
		var v []byte
		db.bolt.View(func(tx *bolt.Tx) error {
			_, val := tx.Bucket(bucketPolls).Bucket([]byte("q")).Cursor().First()
			v = append([]byte(nil), val...)
			return nil
		})
		return v
	}
	if v := stored(); v[0] != '{' {
		t.Fatalf("setup: the record is not JSON: %.20q", v)
	}
	got, err := db.Record("p1")
	if err != nil || !recordsEqual(got, r) {
		t.Fatalf("Record: %v\n got %+v", err, got)
	}
	snap, err := db.Snapshot("q")
	if err != nil || len(snap.Polls) != 1 || !reflect.DeepEqual(snap.Polls[0], r.Revisions[1].Poll) || snap.Meta[0].Revisions != 2 {
		t.Fatalf("Snapshot: %v %+v", err, snap)
	}
	if _, err := db.Retract("p1", "operator", nil); err != nil {
		t.Fatal(err)
	}
	if v := stored(); v[0] != recordV1 {
		t.Fatalf("the retracted record was written back as %.20q, not in the binary form", v)
	}
	got, err = db.Record("p1")
	if err != nil || got.Retracted == nil || len(got.Revisions) != 2 || !reflect.DeepEqual(got.Revisions[0].Poll, r.Revisions[0].Poll) {
		t.Fatalf("after the retraction: %v %+v", err, got)
	}
}

// TestSchemaUpgrade: a schema-1 file is upgraded on open, and a file of a
// newer schema is refused with a message.
func TestSchemaUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	setSchema := func(v string) {
		if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte(v)) }); err != nil {
			t.Fatal(err)
		}
	}
	schema := func() string {
		var v string
		db.bolt.View(func(tx *bolt.Tx) error { v = string(tx.Bucket(bucketMeta).Get([]byte("schema"))); return nil })
		return v
	}
	setSchema("1")
	db.Close()
	if db, err = Open(path); err != nil {
		t.Fatal(err)
	}
	if got := schema(); got != "2" {
		t.Fatalf("schema after opening a version-1 file: %q", got)
	}
	setSchema("3")
	db.Close()
	if _, err := Open(path); poll.ErrorCode(err) != poll.EINVALID {
		t.Fatalf("a newer schema: %v", err)
	}
}

// BenchmarkDecodeRecord decodes 10,000 single-revision records as a
// question's snapshot meets them: JSON as schema 1 stored them, the
// binary form whole (Record), and its current poll alone (Snapshot). It
// reports the stored bytes per record.
//
//	go test -run '^$' -bench DecodeRecord -benchmem ./store/
func BenchmarkDecodeRecord(b *testing.B) {
	const n = 10000
	recs := make([]*poll.Record, n)
	for i := range recs {
		r := fullRecord()
		r.Revisions = r.Revisions[1:]
		r.Retracted, r.RetractedBy = nil, ""
		p := &r.Revisions[0].Poll
		p.ID, p.ExternalID = fmt.Sprintf("p%06d", i), ""
		p.Pollster = fmt.Sprintf("Pollster %d", i%40)
		p.Results = poll.SharesOf(map[string]float64{"support": 30 + float64(i%100)/10, "oppose": 60 - float64(i%100)/10})
		p.AnswerLabels, p.Notes, p.Wording = nil, "", ""
		recs[i] = r
	}
	encode := map[string]func(*poll.Record) []byte{
		"json":   func(r *poll.Record) []byte { v, _ := json.Marshal(r); return v },
		"binary": func(r *poll.Record) []byte { v, _ := appendRecord(nil, r); return v },
	}
	for _, c := range []struct {
		name, form string
		current    bool
	}{{"json", "json", false}, {"binary", "binary", false}, {"binary-current", "binary", true}} {
		vals := make([][]byte, n)
		size := 0
		for i, r := range recs {
			vals[i] = encode[c.form](r)
			size += len(vals[i])
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				in := newInterner()
				for _, v := range vals {
					var err error
					if c.current {
						var p poll.Poll
						var m RecordMeta
						err = decodeCurrent(v, &p, &m, in)
					} else {
						var r poll.Record
						err = decodeRecord(v, &r, in)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(size)/n, "stored-B/record")
		})
	}
}

// TestCodec_OlderRevisionsExact: a record that claims older revisions
// must hold them, exactly.
func TestCodec_OlderRevisionsExact(t *testing.T) {
	r := fullRecord()
	b, _ := appendRecord(nil, r)
	cur, _ := appendRecord(nil, &poll.Record{Revisions: r.Revisions[1:], Retracted: r.Retracted, RetractedBy: r.RetractedBy})
	// cur with its count raised to 2 and no older revisions after it
	forged := append([]byte{recordV1, 2}, cur[2:]...)
	var got poll.Record
	if err := decodeRecord(forged, &got, nil); err == nil {
		t.Errorf("two revisions claimed, one stored: decoded %+v", got)
	}
	if err := decodeRecord(b, &got, nil); err != nil || len(got.Revisions) != 2 {
		t.Fatalf("the real record: %v", err)
	}
}
