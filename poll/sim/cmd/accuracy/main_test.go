package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr bool
	}{
		{"TwoSeeds", []string{"-seeds", "2"}, []string{"seeds 1-2", "| oracle |", "| kalman (default) |", "| latest (RCP baseline) |"}, false},
		{"NoSeeds", []string{"-seeds", "0"}, nil, true},
		{"BadFlag", []string{"-bogus"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tt.args, &out)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err=%v, wantErr %v", err, tt.wantErr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Fatalf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
