package pollcsv

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
)

func TestRowList(t *testing.T) {
	var l rowList
	if l.all() != nil {
		t.Fatal("empty list: want nil rows")
	}
	const n = 20000
	for i := 0; i < n; i++ {
		if j := l.add(Row{Line: i}); j != i {
			t.Fatalf("add %d returned %d", i, j)
		}
	}
	for i := 0; i < n; i++ {
		if got := l.at(i).Line; got != i {
			t.Fatalf("at(%d) is row %d", i, got)
		}
	}
	l.at(70).Line = -1
	all := l.all()
	if len(all) != n || all[70].Line != -1 || all[n-1].Line != n-1 {
		t.Fatalf("all: %d rows, [70]=%d", len(all), all[70].Line)
	}
}

// TestLongAcrossBlocks gives the long format's answers out of poll order,
// so that answers are added to polls in earlier blocks of rows.
func TestLongAcrossBlocks(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("poll_id,question_id,pollster,start_date,end_date,answer,pct\n")
	const polls = 500
	for _, ans := range []string{"support", "oppose"} {
		for i := 0; i < polls; i++ {
			d := poll.NewDate(2020, 1, 1).AddDays(i)
			fmt.Fprintf(&sb, "p%d,q,Pollster %d,%s,%s,%s,%d\n", i, i%9, d, d.AddDays(1), ans, 10+i%50)
		}
	}
	b, err := Read("f.csv", strings.NewReader(sb.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != polls || len(b.Problems) != 0 {
		t.Fatalf("%d rows, problems %v", len(b.Rows), b.Problems)
	}
	for i, r := range b.Rows {
		if r.Poll.ExternalID != fmt.Sprintf("p%d", i) || len(r.Poll.Results) != 2 || r.Poll.Results.Pct("oppose") != float64(10+i%50) {
			t.Fatalf("row %d: %+v", i, r.Poll)
		}
		if c, _ := b.Cell(i, "oppose"); c.Line != polls+i+2 {
			t.Fatalf("row %d: oppose on line %d, want %d", i, c.Line, polls+i+2)
		}
	}
}
