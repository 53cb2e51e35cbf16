package pollcsv_test

import (
	"strings"
	"testing"

	"github.com/pollagg/pollagg/pollcsv"
)

func TestReadRefusesBadCells(t *testing.T) {
	head := "question_id,pollster,sponsor,start_date,end_date,sample_size,support,oppose\n"
	long := strings.Repeat("x", 100<<10)
	long2 := strings.Repeat("가", pollcsv.MaxCellBytes/3+1)
	lhead := "poll_id,pollster,start_date,end_date,sample_size,question_id,answer,pct\n"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"NUL in a pollster", head + "q,Nul\x00 Research,,2023-03-01,2023-03-02,1000,40,55\n",
			[]string{"f.csv:2: pollster: holds the control character U+0000 at character 4"}},
		{"bell in a sponsor", head + "q,A,Daily\x07,2023-03-01,2023-03-02,1000,40,55\n",
			[]string{"f.csv:2: sponsor: holds the control character U+0007 at character 6"}},
		{"C1 control in an answer column", head + "q,A,,2023-03-01,2023-03-02,1000,4\u00850,55\n",
			[]string{"f.csv:2: support: holds the control character U+0085"}},
		{"DEL", head + "q,A\x7f,,2023-03-01,2023-03-02,1000,40,55\n", []string{"f.csv:2: pollster: holds the control character U+007F"}},
		{"NUL in the header", "question_id,poll\x00ster,start_date,end_date,support\nq,A,2023-03-01,2023-03-02,40\n",
			[]string{"f.csv:1: the header of column 2 holds the control character U+0000", "f.csv:1: missing required column"}},
		{"tab and a quoted line break are fine", head + "q,\"A\tB\nResearch\",,2023-03-01,2023-03-02,1000,40,55\n", nil},
		{"every over-long cell at its own line", head + "q," + long + ",,2023-03-01,2023-03-02,1000,40,55\nq,B,,2023-03-01,2023-03-02,1000,40,55\nq,C," + long2 + ",2023-03-01,2023-03-02,1000,40,55\n",
			[]string{"f.csv:2: pollster: is 102,400 bytes long", "f.csv:4: sponsor: is 16,386 bytes long"}},
		{"one poll_id, two pollsters", lhead + "s1,First Research,2023-03-01,2023-03-02,1000,q,support,40\ns1,Second Research,2023-03-01,2023-03-02,1000,q,oppose,55\n",
			[]string{`f.csv:3: poll_id: poll_id "s1" is given for two pollsters: "First Research" on line 2 and "Second Research" on line 3`}},
		{"one poll_id, two field periods", lhead + "s1,A,2023-03-01,2023-03-02,1000,q,support,40\ns1,A,2023-03-01,2023-03-02,1000,q,oppose,55\ns1,A,2023-03-05,2023-03-06,1000,q,undecided,5\n",
			[]string{`f.csv:4: poll_id: poll_id "s1" is given for two field periods: 2023-03-01 to 2023-03-02 on line 2 and 2023-03-05 to 2023-03-06 on line 4`}},
		{"one poll_id, two pollsters, wide", "poll_id," + head + "w1,q,A,,2023-03-01,2023-03-02,1000,40,55\nw1,q,B,,2023-03-01,2023-03-02,1000,41,54\n",
			[]string{`f.csv:3: poll_id: poll_id "w1" is given for two pollsters: "A" on line 2 and "B" on line 3`}},
		{"one poll_id, two questions, same poll", lhead + "s1,A,2023-03-01,2023-03-02,1000,q,support,40\ns1,A,2023-03-01,2023-03-02,1000,q,oppose,55\ns1,A,2023-03-01,2023-03-02,1000,r,support,30\ns1,A,2023-03-01,2023-03-02,1000,r,oppose,60\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := read(t, tt.text, pollcsv.Options{})
			if len(probs) != len(tt.want) {
				t.Fatalf("problems %q, want %q", shortList(probs), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(probs[i], w) {
					t.Errorf("problem %q, want %q…", probs[i][:min(len(probs[i]), 300)], w)
				}
			}
		})
	}
}

func shortList(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s[:min(len(s), 200)]
	}
	return out
}
