package upload

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// Upload page sessions
//
// Signing in at /upload with a token starts a session: a random id in an
// HttpOnly, SameSite=Strict cookie, and on the server the account's name
// and when its token was issued. Sessions live in memory only, never in
// the database: signing in, previewing or cancelling writes nothing to
// disk, and a restart signs everyone out. Each request checks the account
// again, so revoking or rotating the token ends its sessions at once.

const (
	sessionCookie = "pollagg_session"
	// sessionMaxAge is how long a session lasts after sign-in.
	sessionMaxAge = 8 * time.Hour
	// sessionIdle ends a session that has not been used for this long.
	sessionIdle = time.Hour
	// sessionsPerAccount caps one account's sessions; the oldest goes first.
	sessionsPerAccount = 8
	// maxSessions caps all sessions, so that memory stays bounded.
	maxSessions = 2000
)

// session is one signed-in browser.
type session struct {
	account      string    // the account's name
	tokenCreated time.Time // the token it signed in with was issued then
	created      time.Time
	lastSeen     time.Time
	pending      *pendingUpload // a previewed file waiting for confirmation
}

// pendingUpload is a file that passed its preview and waits for the
// pollster to confirm it. The bytes are kept so that what is stored is
// exactly what was previewed.
type pendingUpload struct {
	id       string // random; the confirm form must name it
	name     string
	question string
	sheet    string // the workbook sheet, for an .xlsx
	data     []byte
}

// sessions holds the upload page's sessions, keyed by the SHA-256 of the
// cookie's value.
type sessions struct {
	mu  sync.Mutex
	m   map[[32]byte]*session
	now func() time.Time
	// pendingLimit caps the bytes of previewed files held across all
	// sessions (DefaultMaxPreviewBytes unless Config sets another).
	pendingLimit int64
}

// DefaultMaxPreviewBytes is the usual Config.MaxPreviewBytes: it caps the
// previewed files all sessions hold together, so that memory stays
// bounded by bytes and not only by the session count.
const DefaultMaxPreviewBytes = 128 << 20

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[[32]byte]*session{}, now: now, pendingLimit: DefaultMaxPreviewBytes}
}

// randomID returns 32 random bytes in unpadded base64url.
func randomID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// start creates a session for a and returns the cookie's value.
func (ss *sessions) start(a *store.Account) (string, error) {
	id, err := randomID()
	if err != nil {
		return "", err
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	var mine []([32]byte)
	for k, s := range ss.m {
		if s.account == a.Name {
			mine = append(mine, k)
		}
	}
	if len(mine) >= sessionsPerAccount {
		sort.Slice(mine, func(i, j int) bool { return ss.m[mine[i]].created.Before(ss.m[mine[j]].created) })
		for _, k := range mine[:len(mine)-sessionsPerAccount+1] {
			delete(ss.m, k)
		}
	}
	if len(ss.m) >= maxSessions {
		ss.evictOldest()
	}
	ss.m[sha256.Sum256([]byte(id))] = &session{account: a.Name, tokenCreated: a.TokenCreated, created: now, lastSeen: now}
	return id, nil
}

// sweep drops expired sessions. The caller holds mu.
func (ss *sessions) sweep(now time.Time) {
	for k, s := range ss.m {
		if ss.expired(s, now) {
			delete(ss.m, k)
		}
	}
}

func (ss *sessions) evictOldest() {
	var oldest [32]byte
	var t time.Time
	for k, s := range ss.m {
		if t.IsZero() || s.lastSeen.Before(t) {
			oldest, t = k, s.lastSeen
		}
	}
	delete(ss.m, oldest)
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.created) > sessionMaxAge || now.Sub(s.lastSeen) > sessionIdle
}

// get returns the live session with cookie value id, touching it.
func (ss *sessions) get(id string) (*session, bool) {
	if id == "" {
		return nil, false
	}
	k := sha256.Sum256([]byte(id))
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[k]
	if !ok {
		return nil, false
	}
	if ss.expired(s, now) {
		delete(ss.m, k)
		return nil, false
	}
	s.lastSeen = now
	return s, true
}

// end drops the session with cookie value id.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, sha256.Sum256([]byte(id)))
}

// setPending keeps a previewed file in the session, replacing any other.
// It refuses (false, keeping nothing) when the previews of all sessions
// would then hold more than pendingLimit bytes.
func (ss *sessions) setPending(s *session, p *pendingUpload) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(ss.now())
	s.pending = nil
	total := int64(len(p.data))
	for _, o := range ss.m {
		if o.pending != nil {
			total += int64(len(o.pending.data))
		}
	}
	if total > ss.pendingLimit {
		return false
	}
	s.pending = p
	return true
}

// takePending removes and returns the session's pending file when its id
// is id.
func (ss *sessions) takePending(s *session, id string) *pendingUpload {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	p := s.pending
	if p == nil || id == "" || p.id != id {
		return nil
	}
	s.pending = nil
	return p
}

// signedIn returns the request's session and its account when the cookie
// names a live session whose account still holds the token it signed in
// with. A session whose token was revoked or rotated is ended.
func (u *Handler) signedIn(c echo.Context) (*session, *store.Account) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	sess, ok := u.sessions.get(ck.Value)
	if !ok {
		return nil, nil
	}
	a, err := u.cfg.DB.Account(sess.account)
	if err != nil || !a.Active() || !a.TokenCreated.Equal(sess.tokenCreated) {
		if err != nil && poll.ErrorCode(err) == poll.EINTERNAL {
			u.cfg.Log.Error("session account", "err", err)
		}
		u.sessions.end(ck.Value)
		return nil, nil
	}
	return sess, a
}

// setSessionCookie sets (or, with an empty value, clears) the session cookie.
func setSessionCookie(c echo.Context, value string) {
	ck := &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		Secure:   c.Scheme() == "https",
	}
	if value == "" {
		ck.MaxAge = -1
	}
	c.SetCookie(ck)
}
