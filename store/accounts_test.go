package store_test

import (
	"bytes"
	"crypto/sha256"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// accountsTestDB opens a fresh database in a temporary directory with a
// fixed clock.
func accountsTestDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := MustOpenDB(tb)
	now := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	return db
}

func fileSum(tb testing.TB, path string) [32]byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return sha256.Sum256(b)
}

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestAddPollster(t *testing.T) {
	db := accountsTestDB(t)
	if _, _, err := db.AddPollster("  Gallup Korea ", []string{"한국갤럽", "gallup korea", " "}); err == nil {
		t.Fatal("blank alias accepted")
	}
	a, tok, err := db.AddPollster("  Gallup Korea ", []string{"한국갤럽", "gallup korea"})
	if err != nil {
		t.Fatal(err)
	}
	if !tokenRE.MatchString(tok) {
		t.Fatalf("token %q is not 43 base64url characters", tok)
	}
	if got, want := a.Name, "Gallup Korea"; got != want {
		t.Errorf("Name=%q, want %q", got, want)
	}
	if got, want := strings.Join(a.Aliases, ","), "한국갤럽"; got != want {
		t.Errorf("Aliases=%q, want %q (the duplicate of the name dropped)", got, want)
	}
	for _, name := range []string{"Gallup Korea", "GALLUP  KOREA", " gallup korea\t", "한국갤럽"} {
		if !a.MayPublish(name) {
			t.Errorf("MayPublish(%q)=false, want true", name)
		}
	}
	for _, name := range []string{"Gallup", "Realmeter", "", "Gallup Korea Inc"} {
		if a.MayPublish(name) {
			t.Errorf("MayPublish(%q)=true, want false", name)
		}
	}

	got, err := db.Authenticate(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Gallup Korea" || got.Operator {
		t.Errorf("Authenticate=%+v", got)
	}

	// only the hash is stored
	if raw, err := os.ReadFile(db.Path()); err != nil {
		t.Fatal(err)
	} else if bytes.Contains(raw, []byte(tok)) {
		t.Error("the database file holds the token itself")
	}
}

func TestAddPollster_Errors(t *testing.T) {
	db := accountsTestDB(t)
	if _, _, err := db.AddPollster("Realmeter", []string{"리얼미터"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pollstr string
		aliases []string
		code    string
	}{
		{"Empty", "  ", nil, poll.EINVALID},
		{"Reserved", "Operator", nil, poll.EINVALID},
		{"ReservedAlias", "Alpha", []string{"cli"}, poll.EINVALID},
		{"Control", "Al\x00pha", nil, poll.EINVALID},
		{"TooLong", strings.Repeat("a", store.MaxNameLen+1), nil, poll.EINVALID},
		{"SameName", "realmeter", nil, poll.ECONFLICT},
		{"NameIsAlias", "리얼미터", nil, poll.ECONFLICT},
		{"AliasIsName", "Other", []string{"REALMETER"}, poll.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.AddPollster(tt.pollstr, tt.aliases)
			if got := poll.ErrorCode(err); got != tt.code {
				t.Fatalf("code=%q (%v), want %q", got, err, tt.code)
			}
		})
	}
	accts, err := db.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 {
		t.Fatalf("%d accounts after failed adds, want 1", len(accts))
	}
}

func TestAuthenticate_Rejects(t *testing.T) {
	db := accountsTestDB(t)
	_, tok, err := db.AddPollster("Alpha", nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := store.NewToken()
	flipped := []byte(tok)
	flipped[10] ^= 1
	for name, s := range map[string]string{
		"Empty": "", "Short": tok[:20], "Long": tok + "A", "Unknown": other,
		"Flipped": string(flipped), "BadAlphabet": strings.Repeat("+", 43),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := db.Authenticate(s)
			if got, want := poll.ErrorCode(err), poll.EUNAUTHORIZED; got != want {
				t.Fatalf("code=%q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestRotateAndRevoke(t *testing.T) {
	db := accountsTestDB(t)
	_, old, err := db.AddPollster("Alpha Research", []string{"알파리서치"})
	if err != nil {
		t.Fatal(err)
	}
	_, fresh, err := db.RotateToken("알파리서치") // by alias
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("rotate returned the old token")
	}
	if _, err := db.Authenticate(old); poll.ErrorCode(err) != poll.EUNAUTHORIZED {
		t.Errorf("old token after rotate: %v, want unauthorized", err)
	}
	if _, err := db.Authenticate(fresh); err != nil {
		t.Errorf("new token: %v", err)
	}

	a, err := db.RevokeToken("alpha research")
	if err != nil {
		t.Fatal(err)
	}
	if a.Revoked == nil || a.Active() {
		t.Errorf("after revoke: %+v", a)
	}
	if _, err := db.Authenticate(fresh); poll.ErrorCode(err) != poll.EUNAUTHORIZED {
		t.Errorf("revoked token: %v, want unauthorized", err)
	}
	if _, err := db.RevokeToken("Alpha Research"); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	// a revoked account gets a token again by rotation
	_, again, err := db.RotateToken("Alpha Research")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := db.Authenticate(again); err != nil || a.Revoked != nil {
		t.Errorf("token after re-issue: %+v, %v", a, err)
	}
	if _, _, err := db.RotateToken("Nobody"); poll.ErrorCode(err) != poll.ENOTFOUND {
		t.Errorf("rotate unknown: %v, want not found", err)
	}
	if _, err := db.RevokeToken("Nobody"); poll.ErrorCode(err) != poll.ENOTFOUND {
		t.Errorf("revoke unknown: %v, want not found", err)
	}
}

func TestOperatorToken(t *testing.T) {
	db := accountsTestDB(t)
	a, tok, err := db.OperatorToken()
	if err != nil {
		t.Fatal(err)
	}
	if !a.Operator || a.Name != store.OperatorName {
		t.Fatalf("operator account = %+v", a)
	}
	got, err := db.Authenticate(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Operator || !got.MayPublish("Anyone at all") {
		t.Errorf("operator may not publish for every pollster: %+v", got)
	}
	_, tok2, err := db.OperatorToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(tok); poll.ErrorCode(err) != poll.EUNAUTHORIZED {
		t.Errorf("old operator token still works: %v", err)
	}
	if _, err := db.Authenticate(tok2); err != nil {
		t.Error(err)
	}
	if _, err := db.RevokeToken("operator"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(tok2); poll.ErrorCode(err) != poll.EUNAUTHORIZED {
		t.Errorf("revoked operator token still works: %v", err)
	}
	accts, _ := db.Accounts()
	if len(accts) != 1 {
		t.Errorf("%d accounts, want 1", len(accts))
	}
}

// TestAuthenticate_ReadOnly checks that signing in with a token, right or
// wrong, leaves the file byte-for-byte unchanged, as do account
// operations that fail.
func TestAuthenticate_ReadOnly(t *testing.T) {
	db := accountsTestDB(t)
	_, tok, err := db.AddPollster("Alpha", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, db.Path())
	for i := 0; i < 20; i++ {
		db.Authenticate(tok)
		db.Authenticate("x" + tok[1:])
	}
	db.AddPollster("alpha", nil)
	db.RotateToken("nobody")
	db.Account("Alpha")
	db.Accounts()
	if fileSum(t, db.Path()) != before {
		t.Fatal("reads or failed writes changed the database file")
	}
}

// TestImport_MayPublish checks the account's rule as the importer applies
// it: a pollster's token cannot write a row of another pollster, and
// nothing of the file is stored.
func TestImport_MayPublish(t *testing.T) {
	db := accountsTestDB(t)
	a, _, err := db.AddPollster("Alpha Research", []string{"알파리서치"})
	if err != nil {
		t.Fatal(err)
	}
	csv := "poll_id,pollster,start_date,end_date,sample_size,question_id,support,oppose\n" +
		"a1,알파리서치,2024-03-01,2024-03-02,1000,q-one,40,50\n" +
		"b1,Beta Polling,2024-03-03,2024-03-04,1000,q-one,41,49\n"
	batch, err := pollcsv.Read("mixed.csv", strings.NewReader(csv), pollcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, db.Path())
	_, err = db.Import(store.ImportRequest{Batch: batch, Account: a.Name, MayPublish: a.MayPublish})
	if got, want := poll.ErrorCode(err), poll.EFORBIDDEN; got != want {
		t.Fatalf("code=%q (%v), want %q", got, err, want)
	}
	if !strings.Contains(err.Error(), `mixed.csv:3: "Beta Polling"`) {
		t.Errorf("message %q does not name the pollster at its line", err)
	}
	if fileSum(t, db.Path()) != before {
		t.Fatal("a refused import changed the database file")
	}
	// its own rows alone are accepted
	own := strings.Join(strings.Split(csv, "\n")[:2], "\n") + "\n"
	batch, err = pollcsv.Read("own.csv", strings.NewReader(own), pollcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	up, err := db.Import(store.ImportRequest{Batch: batch, Account: a.Name, MayPublish: a.MayPublish})
	if err != nil {
		t.Fatal(err)
	}
	if up.Counts.Added != 1 || up.Account != "Alpha Research" {
		t.Errorf("upload = %+v", up)
	}
}
