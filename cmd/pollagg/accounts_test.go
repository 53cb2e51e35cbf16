package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// acctRun runs one pollagg command line in-process.
func acctRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// tokenGrep is the pattern scripts use to pick the token out of the output.
var tokenGrep = regexp.MustCompile(`[A-Za-z0-9_-]{22,}`)

// lastToken does what `grep -oE '[A-Za-z0-9_-]{22,}' | tail -1` does.
func lastToken(out string) string {
	m := tokenGrep.FindAllString(out, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

func authenticate(t *testing.T, dbPath, token string) (*store.Account, error) {
	t.Helper()
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Authenticate(token)
}

func TestPollsterAdd(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	code, out, errs := acctRun(t, "pollster", "add", "--db", dbPath, "Gallup Korea", "--alias", "한국갤럽")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 1 || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(lines[0]) {
		t.Fatalf("stdout = %q, want the token alone on one line", out)
	}
	tok := lines[0]
	if got := lastToken(errs + out); got != tok {
		t.Errorf("grep | tail -1 on the combined output picks %q, want the token", got)
	}
	if !strings.Contains(errs, "shown only this once") || !strings.Contains(errs, `"한국갤럽"`) {
		t.Errorf("stderr = %q", errs)
	}
	a, err := authenticate(t, dbPath, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !a.MayPublish("한국갤럽") || !a.MayPublish("gallup korea") || a.MayPublish("Realmeter") {
		t.Errorf("account %+v", a)
	}
}

func TestPollsterAdd_Errors(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	if code, _, errs := acctRun(t, "pollster", "add", "--db", dbPath, "Alpha"); code != 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"NoName", []string{"pollster", "add", "--db", dbPath}, 2, "name exactly one pollster"},
		{"TwoNames", []string{"pollster", "add", "--db", dbPath, "A", "B"}, 2, "name exactly one pollster"},
		{"Duplicate", []string{"pollster", "add", "--db", dbPath, " ALPHA "}, 1, "already has an account"},
		{"Reserved", []string{"pollster", "add", "--db", dbPath, "operator"}, 1, "reserved"},
		{"BadFlag", []string{"pollster", "add", "--db", dbPath, "--nope", "X"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := acctRun(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (%s)", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.msg) {
				t.Errorf("stderr %q does not say %q", errs, tt.msg)
			}
			if lastToken(out) != "" {
				t.Errorf("a failed add printed a token: %q", out)
			}
		})
	}
}

// TestPollsterAdd_DatabaseInUse checks the one-process rule: while a
// server holds the file, account commands fail with advice, not a hang.
func TestPollsterAdd_DatabaseInUse(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	code, out, errs := acctRun(t, "pollster", "add", "--db", dbPath, "Alpha")
	if code != 1 || !strings.Contains(errs, "stop it to manage accounts") || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestTokenRotateRevokeList(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	_, out, _ := acctRun(t, "pollster", "add", "--db", dbPath, "--alias", "알파", "Alpha Research")
	first := lastToken(out)
	if first == "" {
		t.Fatal("no token")
	}

	code, out, errs := acctRun(t, "token", "rotate", "알파", "--db", dbPath)
	if code != 0 {
		t.Fatalf("rotate: exit %d: %s", code, errs)
	}
	second := strings.TrimSpace(out)
	if second == first || lastToken(out) != second {
		t.Fatalf("rotate printed %q", out)
	}
	if _, err := authenticate(t, dbPath, first); poll.ErrorCode(err) != poll.EUNAUTHORIZED {
		t.Errorf("old token after rotate: %v", err)
	}
	if _, err := authenticate(t, dbPath, second); err != nil {
		t.Errorf("new token: %v", err)
	}

	code, out, errs = acctRun(t, "token", "revoke", "--db", dbPath, "alpha research")
	if code != 0 || !strings.Contains(out, `Revoked the token of "Alpha Research"`) {
		t.Fatalf("revoke: exit %d, %q %q", code, out, errs)
	}
	if _, err := authenticate(t, dbPath, second); poll.ErrorCode(err) != poll.EUNAUTHORIZED {
		t.Errorf("revoked token: %v", err)
	}

	code, out, errs = acctRun(t, "admin", "token", "--db", dbPath)
	if code != 0 {
		t.Fatalf("admin token: exit %d: %s", code, errs)
	}
	op := strings.TrimSpace(out)
	if a, err := authenticate(t, dbPath, op); err != nil || !a.Operator {
		t.Errorf("operator token: %+v %v", a, err)
	}

	code, out, _ = acctRun(t, "pollster", "list", "--db", dbPath)
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	for _, want := range []string{"NAME", "Alpha Research", "알파", "revoked 20", "operator", "active since 20"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, op) {
		t.Error("list prints a token")
	}

	for _, args := range [][]string{
		{"token", "rotate", "--db", dbPath, "Nobody"},
		{"token", "revoke", "--db", dbPath, "Nobody"},
	} {
		if code, _, errs := acctRun(t, args...); code != 1 || !strings.Contains(errs, "no account named") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if code, _, _ := acctRun(t, "token", "rotate", "--db", dbPath); code != 2 {
		t.Errorf("rotate without a name: exit %d, want 2", code)
	}
}

func TestPollsterList_Empty(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	code, out, _ := acctRun(t, "pollster", "list", "--db", dbPath)
	if code != 0 || !strings.Contains(out, "no accounts yet") {
		t.Fatalf("exit %d: %q", code, out)
	}
}

func TestParseMixed_DoubleDash(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	code, out, errs := acctRun(t, "pollster", "add", "--db", dbPath, "--", "--weird name")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, `"--weird name"`) || lastToken(out) == "" {
		t.Errorf("stdout %q stderr %q", out, errs)
	}
}

// A mistyped --db is an error for the commands that read or change what
// is stored, never a new empty database.
func TestMissingDatabaseNotCreated(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"token", "rotate", "Alpha"},
		{"token", "revoke", "Alpha"},
		{"question", "list"},
	} {
		dbPath := filepath.Join(dir, "typo.db")
		code, _, errs := acctRun(t, append(args, "--db", dbPath)...)
		if code == 0 || !strings.Contains(errs, "no database at "+dbPath) {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
		if _, err := os.Stat(dbPath); err == nil {
			t.Errorf("%v created %s", args, dbPath)
		}
	}
}
