package poll_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pollagg/pollagg/poll"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"2023-03-08", "2023-03-08", ""},
		{"2023.03.08", "2023-03-08", ""},
		{"2023-3-8", "2023-03-08", ""},
		{"2023. 3. 8.", "2023-03-08", ""},
		{"2023/03/08", "2023-03-08", ""},
		{"2023년 3월 8일", "2023-03-08", ""},
		{" 20230308 ", "2023-03-08", ""},
		{"1936-10-02", "1936-10-02", ""},
		{"1969-12-31", "1969-12-31", ""},
		{"2024-02-29", "2024-02-29", ""},
		{"2023-02-29", "", "day 29 out of range for 2023-02"},
		{"2023-13-01", "", "month 13 out of range 1-12"},
		{"23-03-08", "", "year 23 must have four digits"},
		{"March 8", "", "is not a date"},
		{"", "", "empty date"},
	}
	for _, tt := range tests {
		d, err := poll.ParseDate(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDate(%q) = %v, %v; want error containing %q", tt.in, d, err, tt.err)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, d, err, tt.want)
		}
	}
	if d := poll.NewDate(1969, 12, 31); d != -1 {
		t.Errorf("1969-12-31 = %d, want -1", d)
	}
	if got := poll.Today(time.Date(2023, 3, 8, 16, 0, 0, 0, time.UTC)); got.String() != "2023-03-09" {
		t.Errorf("Today at 16:00 UTC = %s, want the KST day 2023-03-09", got)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want poll.Mode
		ok   bool
	}{
		{"ARS (100% wireless)", poll.ModeARS, true},
		{"telephone interview (CATI), wireless 95% / wired 5%", poll.ModeLive, true},
		{"Live Phone", poll.ModeLive, true},
		{"Online", poll.ModeOnline, true},
		{"IVR/Online", poll.ModeMixed, true},
		{"전화면접", poll.ModeLive, true},
		{"무선 ARS", poll.ModeARS, true},
		{"phone-ARS", poll.ModeARS, true},
		{"", poll.ModeUnknown, true},
		{"carrier pigeon", poll.ModeUnknown, false},
	}
	for _, tt := range tests {
		if m, ok := poll.ParseMode(tt.in); m != tt.want || ok != tt.ok {
			t.Errorf("ParseMode(%q) = %q, %v; want %q, %v", tt.in, m, ok, tt.want, tt.ok)
		}
	}
}

func TestValidate(t *testing.T) {
	q := &poll.Question{ID: "q", Options: []poll.Option{{ID: "support"}, {ID: "oppose"}, {ID: "undecided", Undecided: true}}}
	today := poll.NewDate(2026, 11, 28)
	base := func() poll.Poll {
		return poll.Poll{QuestionID: "q", Pollster: "A", Start: poll.NewDate(2023, 3, 1), End: poll.NewDate(2023, 3, 2),
			SampleSize: 1000, Results: poll.SharesOf(map[string]float64{"support": 40, "oppose": 55, "undecided": 5})}
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name  string
		edit  func(p *poll.Poll)
		field string
		msg   string
	}{
		{"valid", func(p *poll.Poll) {}, "", ""},
		{"rounding tolerated", func(p *poll.Poll) { p.Results.Set("undecided", 6) }, "", ""},
		{"zero and hundred", func(p *poll.Poll) { p.Results = poll.SharesOf(map[string]float64{"support": 0, "oppose": 100}) }, "", ""},
		{"end before start", func(p *poll.Poll) { p.End = poll.NewDate(2023, 2, 28) }, "end_date", "field period ends (2023-02-28) before it starts (2023-03-01)"},
		{"future", func(p *poll.Poll) { p.End = poll.NewDate(2026, 11, 29) }, "end_date", "2026-11-29 is in the future (today is 2026-11-28)"},
		{"negative sample", func(p *poll.Poll) { p.SampleSize = -1 }, "sample_size", "must be a positive number of respondents (got -1)"},
		{"over 100", func(p *poll.Poll) { p.Results.Set("support", 100.5) }, "support", "percentage 100.5 is outside 0-100"},
		{"negative pct", func(p *poll.Poll) { p.Results.Set("support", -1) }, "support", "percentage -1 is outside 0-100"},
		{"sum past 100", func(p *poll.Poll) { p.Results.Set("support", 45) }, "results", "answers sum to 105%, more than 100 beyond rounding"},
		{"unknown answer", func(p *poll.Poll) { p.Results.Set("maybe", 1) }, "maybe", `unknown answer "maybe": question "q" has options support, oppose, undecided`},
		{"no pollster", func(p *poll.Poll) { p.Pollster = " " }, "pollster", "is empty"},
		{"no results", func(p *poll.Poll) { p.Results = nil }, "results", "no answer percentages"},
		{"response rate", func(p *poll.Poll) { p.ResponseRate = f(0) }, "response_rate", "must be a percentage above 0"},
		{"margin", func(p *poll.Poll) { p.MarginOfError = f(60) }, "margin_of_error", "below 50 (got 60)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.edit(&p)
			errs := p.Validate(q, today)
			if tt.field == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.msg) {
				t.Fatalf("errors = %v; want one on %s containing %q", errs, tt.field, tt.msg)
			}
		})
	}
}

func TestIdentityAndContent(t *testing.T) {
	a := poll.Poll{QuestionID: "q", Pollster: "Gallup Korea", Start: 10, End: 11, SampleSize: 1000, Results: poll.SharesOf(map[string]float64{"support": 35})}
	b := a
	b.Pollster = " gallup korea "
	if poll.PollID(&a) != poll.PollID(&b) {
		t.Error("the same poll with the pollster in other case and spacing has another id")
	}
	b.ExternalID = "w10"
	if poll.PollID(&a) == poll.PollID(&b) {
		t.Error("a poll_id does not change the id")
	}
	c := a
	c.Results = poll.SharesOf(map[string]float64{"support": 36})
	if poll.SameContent(&a, &c) {
		t.Error("different numbers compare as the same content")
	}
	d := a
	d.ID = "other"
	d.AnswerLabels = map[string]string{}
	if !poll.SameContent(&a, &d) {
		t.Error("id and empty labels make the content differ")
	}
}

func TestCanonicalOption(t *testing.T) {
	for in, want := range map[string]string{"찬성": "support", "Oppose": "oppose", "모름·무응답": "undecided", "DK": "undecided",
		"잘하고 있다": "approve", "Somewhat agree": "somewhat-agree"} {
		if o, ok := poll.CanonicalOption(in); !ok || o.ID != want {
			t.Errorf("CanonicalOption(%q) = %q, %v; want %q", in, o.ID, ok, want)
		}
	}
	if _, ok := poll.CanonicalOption("!!!"); ok {
		t.Error(`CanonicalOption("!!!") made an option`)
	}
}
