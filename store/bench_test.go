package store_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// genFile returns a wide-format file of n polls by 40 pollsters over about
// ten years.
func genFile(n int) []byte {
	r := rand.New(rand.NewSource(1))
	var b bytes.Buffer
	b.WriteString("question_id,pollster,sponsor,start_date,end_date,sample_size,mode,response_rate,source_url,support,oppose,undecided\n")
	start := poll.NewDate(2014, 1, 1)
	modes := []string{"phone-live", "phone-ARS", "online"}
	for i := 0; i < n; i++ {
		d := start.AddDays(i % 3650)
		s := 30 + r.Float64()*10
		o := 48 + r.Float64()*10
		fmt.Fprintf(&b, "bench-q,Pollster %d,Sponsor %d,%s,%s,%d,%s,%.1f,https://example.org/p/%d,%.1f,%.1f,%.1f\n",
			i%40, i%7, d, d.AddDays(2), 500+i%1500, modes[i%3], 2+r.Float64()*10, i, s, o, 100-s-o)
	}
	return b.Bytes()
}

// BenchmarkCSVScan is the floor: a bare encoding/csv scan of the file.
func BenchmarkCSVScan(b *testing.B) {
	data := genFile(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 100_001 {
			b.Fatal(n)
		}
	}
}

// BenchmarkRead is pollcsv.Read alone: parse and place every field.
func BenchmarkRead(b *testing.B) {
	data := genFile(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pollcsv.Read("bench.csv", bytes.NewReader(data), pollcsv.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport is the whole import of 100,000 polls: parse, validate
// and store in one transaction into a new database.
func BenchmarkImport(b *testing.B) {
	data := genFile(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(filepath.Join(dir, fmt.Sprintf("b%d.db", i)))
		i++
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		batch, err := pollcsv.Read("bench.csv", bytes.NewReader(data), pollcsv.Options{})
		if err != nil {
			b.Fatal(err)
		}
		up, err := db.Import(store.ImportRequest{Batch: batch, Account: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if up.Counts.Added != 100_000 {
			b.Fatal(up.Counts)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
