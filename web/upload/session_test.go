package upload

import (
	"testing"
	"time"

	"github.com/pollagg/pollagg/store"
)

// clock is a settable time for sessions.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testAccount(name string) *store.Account {
	return &store.Account{Name: name, TokenCreated: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)}
}

func TestSessions_StartGetEnd(t *testing.T) {
	ck := &clock{t: time.Date(2023, 3, 2, 9, 0, 0, 0, time.UTC)}
	ss := newSessions(ck.now)
	a := testAccount("Alpha Research")
	id, err := ss.start(a)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := ss.get(id)
	if !ok {
		t.Fatal("get: no session right after start")
	}
	if got, want := s.account, a.Name; got != want {
		t.Errorf("account=%q, want %q", got, want)
	}
	if !s.tokenCreated.Equal(a.TokenCreated) {
		t.Errorf("tokenCreated=%v, want %v", s.tokenCreated, a.TokenCreated)
	}
	if _, ok := ss.get(""); ok {
		t.Error("get(\"\") found a session")
	}
	if _, ok := ss.get(id + "x"); ok {
		t.Error("get of another id found the session")
	}
	ss.end(id)
	if _, ok := ss.get(id); ok {
		t.Error("get after end found the session")
	}
}

func TestSessions_Expiry(t *testing.T) {
	t.Run("Idle", func(t *testing.T) {
		ck := &clock{t: time.Date(2023, 3, 2, 9, 0, 0, 0, time.UTC)}
		ss := newSessions(ck.now)
		id, _ := ss.start(testAccount("Alpha Research"))
		ck.t = ck.t.Add(sessionIdle - time.Minute)
		if _, ok := ss.get(id); !ok {
			t.Fatal("a session used within the idle time ended")
		}
		ck.t = ck.t.Add(sessionIdle + time.Minute)
		if _, ok := ss.get(id); ok {
			t.Fatal("an idle session lived on")
		}
	})
	t.Run("MaxAge", func(t *testing.T) {
		ck := &clock{t: time.Date(2023, 3, 2, 9, 0, 0, 0, time.UTC)}
		ss := newSessions(ck.now)
		id, _ := ss.start(testAccount("Alpha Research"))
		for ck.t.Before(time.Date(2023, 3, 2, 9, 0, 0, 0, time.UTC).Add(sessionMaxAge)) {
			ck.t = ck.t.Add(30 * time.Minute)
			ss.get(id) // keeps it from going idle
		}
		ck.t = ck.t.Add(time.Minute)
		if _, ok := ss.get(id); ok {
			t.Fatalf("a session lived past %v", sessionMaxAge)
		}
	})
}

func TestSessions_PerAccountCap(t *testing.T) {
	ck := &clock{t: time.Date(2023, 3, 2, 9, 0, 0, 0, time.UTC)}
	ss := newSessions(ck.now)
	a := testAccount("Alpha Research")
	var ids []string
	for i := 0; i < sessionsPerAccount+2; i++ {
		ck.t = ck.t.Add(time.Second)
		id, err := ss.start(a)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, ok := ss.get(ids[0]); ok {
		t.Error("the oldest session outlived the cap")
	}
	if _, ok := ss.get(ids[1]); ok {
		t.Error("the second oldest session outlived the cap")
	}
	if _, ok := ss.get(ids[len(ids)-1]); !ok {
		t.Error("the newest session was dropped")
	}
	other, _ := ss.start(testAccount("Beta Polling"))
	if _, ok := ss.get(other); !ok {
		t.Error("another account's session was dropped")
	}
	if got, want := len(ss.m), sessionsPerAccount+1; got != want {
		t.Errorf("sessions=%d, want %d", got, want)
	}
}

func TestSessions_Pending(t *testing.T) {
	ck := &clock{t: time.Date(2023, 3, 2, 9, 0, 0, 0, time.UTC)}
	ss := newSessions(ck.now)
	ss.pendingLimit = 10
	id1, _ := ss.start(testAccount("Alpha Research"))
	id2, _ := ss.start(testAccount("Beta Polling"))
	s1, _ := ss.get(id1)
	s2, _ := ss.get(id2)

	if !ss.setPending(s1, &pendingUpload{id: "p1", data: []byte("123456")}) {
		t.Fatal("setPending refused 6 of 10 bytes")
	}
	if ss.setPending(s2, &pendingUpload{id: "p2", data: []byte("12345")}) {
		t.Fatal("setPending took 11 bytes over a limit of 10")
	}
	if s2.pending != nil {
		t.Fatal("a refused file was kept")
	}
	// replacing a session's own file counts only the new one
	if !ss.setPending(s1, &pendingUpload{id: "p3", data: []byte("1234567890")}) {
		t.Fatal("setPending refused to replace the session's own file")
	}
	if p := ss.takePending(s1, "p1"); p != nil {
		t.Fatal("takePending returned a replaced file")
	}
	if p := ss.takePending(s1, ""); p != nil {
		t.Fatal("takePending with no id returned the file")
	}
	if p := ss.takePending(s1, "p3"); p == nil || p.id != "p3" {
		t.Fatalf("takePending=%v, want p3", p)
	}
	if p := ss.takePending(s1, "p3"); p != nil {
		t.Fatal("a file was taken twice")
	}
}

func TestRandomID(t *testing.T) {
	a, err := randomID()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := randomID()
	if got, want := len(a), 43; got != want { // 32 bytes, unpadded base64url
		t.Errorf("len=%d, want %d", got, want)
	}
	if a == b {
		t.Error("two ids are the same")
	}
}
