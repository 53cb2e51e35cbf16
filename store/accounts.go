package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"github.com/pollagg/pollagg/poll"
)

// Accounts and tokens
//
//	accounts   account key → Account (JSON); the key is the account's
//	           normalised name (see NormalizeName), "operator" for the
//	           operator account
//	tokens     sha-256 of a token (32 bytes) → account key
//
// A token is 32 random bytes in unpadded base64url (43 characters). Only
// its SHA-256 is stored, in both buckets: the tokens bucket finds the
// account, and the account's own copy is compared in constant time before
// the token is accepted. Revoking a token deletes its hash; rotating
// replaces it. Nothing here is written while serving a request: an
// authenticated request only reads.

// OperatorName is the account name of the operator, who may act for every
// pollster. Uploads by the operator are recorded under this name.
const OperatorName = "operator"

// TokenBytes is how many random bytes a token carries (256 bits).
const TokenBytes = 32

// tokenLen is the length of a token in unpadded base64url.
var tokenLen = base64.RawURLEncoding.EncodedLen(TokenBytes)

// reservedNames cannot be pollster accounts: uploads are recorded under
// these account names by the operator, the command line and the seed.
var reservedNames = map[string]bool{OperatorName: true, "cli": true, "seed": true}

// MaxNameLen is the longest pollster name or alias, in bytes.
const MaxNameLen = 200

// Account is a pollster's account, or the operator's.
type Account struct {
	// Name is the pollster's name as the account was created with it.
	Name string `json:"name"`
	// Aliases are the other names the pollster publishes under (e.g. the
	// Korean name of "Gallup Korea", 한국갤럽).
	Aliases []string `json:"aliases,omitempty"`
	// Operator accounts may publish and retract polls of every pollster.
	Operator bool      `json:"operator"`
	Created  time.Time `json:"created"`
	// TokenCreated is when the current token was issued (zero when revoked).
	TokenCreated time.Time `json:"token_created"`
	// Revoked is when the last token was revoked; nil while a token is valid.
	Revoked *time.Time `json:"revoked,omitempty"`
	// TokenHash is the hex SHA-256 of the current token; "" when revoked.
	TokenHash string `json:"token_hash,omitempty"`
}

// Names returns the account's name followed by its aliases.
func (a *Account) Names() []string { return append([]string{a.Name}, a.Aliases...) }

// MayPublish reports whether the account may publish (and retract) polls
// whose pollster is named pollster: an operator always may; a pollster
// when the name matches its name or an alias, ignoring case and
// surrounding or repeated spaces.
func (a *Account) MayPublish(pollster string) bool {
	if a.Operator {
		return true
	}
	n := NormalizeName(pollster)
	if n == "" {
		return false
	}
	for _, name := range a.Names() {
		if NormalizeName(name) == n {
			return true
		}
	}
	return false
}

// Active reports whether the account has a valid token.
func (a *Account) Active() bool { return a.TokenHash != "" && a.Revoked == nil }

// NormalizeName returns the form in which pollster names are compared:
// trimmed, inner runs of white space as one space, lower case.
func NormalizeName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// checkName validates a pollster name or alias.
func checkName(kind, s string) error {
	switch {
	case NormalizeName(s) == "":
		return poll.Errorf(poll.EINVALID, "%s is empty", kind)
	case len(s) > MaxNameLen:
		return poll.Errorf(poll.EINVALID, "%s is longer than %d bytes", kind, MaxNameLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return poll.Errorf(poll.EINVALID, "%s %q contains control characters", kind, s)
	case reservedNames[NormalizeName(s)]:
		return poll.Errorf(poll.EINVALID, "%q is reserved (uploads by the operator, the command line and the seed are recorded under it); choose another %s", s, kind)
	}
	return nil
}

// NewToken returns a fresh random token: TokenBytes from crypto/rand in
// unpadded base64url.
func NewToken() (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// tokenHash returns the SHA-256 of a token.
func tokenHash(token string) []byte {
	s := sha256.Sum256([]byte(token))
	return s[:]
}

// wellFormed reports whether s looks like a token: the right length and
// alphabet. Anything else is rejected before a hash is computed.
func wellFormed(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func getAccount(tx *bolt.Tx, key string) (*Account, error) {
	v := tx.Bucket(bucketAccounts).Get([]byte(key))
	if v == nil {
		return nil, poll.Errorf(poll.ENOTFOUND, "no account %q", key)
	}
	var a Account
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("store: decode account %q: %w", key, err)
	}
	return &a, nil
}

func putAccount(tx *bolt.Tx, key string, a *Account) error {
	v, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("store: encode account %q: %w", key, err)
	}
	return tx.Bucket(bucketAccounts).Put([]byte(key), v)
}

// issueToken gives a a new token, replacing (and invalidating) its old one.
func (db *DB) issueToken(tx *bolt.Tx, key string, a *Account) (string, error) {
	tb := tx.Bucket(bucketTokens)
	if a.TokenHash != "" {
		if old, err := hex.DecodeString(a.TokenHash); err == nil {
			if err := tb.Delete(old); err != nil {
				return "", err
			}
		}
	}
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	h := tokenHash(tok)
	if tb.Get(h) != nil { // 2^-256; refuse rather than alias two accounts
		return "", fmt.Errorf("store: token collision")
	}
	if err := tb.Put(h, []byte(key)); err != nil {
		return "", err
	}
	a.TokenHash = hex.EncodeToString(h)
	a.TokenCreated = db.Now().UTC()
	a.Revoked = nil
	return tok, putAccount(tx, key, a)
}

// AddPollster creates the account of a pollster that publishes under name
// and aliases, and returns it with its token. The token is returned only
// here; the database keeps its hash. It returns EINVALID for an empty,
// over-long or reserved name, and ECONFLICT when the name or an alias is
// already another account's name or alias (one pollster name belongs to
// one account).
func (db *DB) AddPollster(name string, aliases []string) (*Account, string, error) {
	name = strings.TrimSpace(name)
	if err := checkName("pollster name", name); err != nil {
		return nil, "", err
	}
	a := &Account{Name: name}
	seen := map[string]bool{NormalizeName(name): true}
	for _, al := range aliases {
		al = strings.TrimSpace(al)
		if err := checkName("alias", al); err != nil {
			return nil, "", err
		}
		if seen[NormalizeName(al)] {
			continue
		}
		seen[NormalizeName(al)] = true
		a.Aliases = append(a.Aliases, al)
	}
	var tok string
	err := db.update(func(tx *bolt.Tx, _ *bool) error {
		err := tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			var o Account
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("store: decode account %q: %w", k, err)
			}
			for _, n := range o.Names() {
				if seen[NormalizeName(n)] {
					if NormalizeName(o.Name) == NormalizeName(name) {
						return poll.Errorf(poll.ECONFLICT, "pollster %q already has an account; use `pollagg token rotate %q` for a new token", o.Name, o.Name)
					}
					return poll.Errorf(poll.ECONFLICT, "the name %q already belongs to the account of %q", n, o.Name)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		a.Created = db.Now().UTC()
		tok, err = db.issueToken(tx, NormalizeName(name), a)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return a, tok, nil
}

// OperatorToken issues a new operator token, creating the operator
// account on first use. Any earlier operator token stops working.
func (db *DB) OperatorToken() (*Account, string, error) {
	var a *Account
	var tok string
	err := db.update(func(tx *bolt.Tx, _ *bool) error {
		var err error
		a, err = getAccount(tx, OperatorName)
		if poll.ErrorCode(err) == poll.ENOTFOUND {
			a = &Account{Name: OperatorName, Operator: true, Created: db.Now().UTC()}
		} else if err != nil {
			return err
		}
		tok, err = db.issueToken(tx, OperatorName, a)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return a, tok, nil
}

// RotateToken issues a new token for the account named name (a pollster's
// name or alias, or "operator"); the old token stops working at once. It
// also gives a revoked account a token again. Returns ENOTFOUND for an
// unknown name.
func (db *DB) RotateToken(name string) (*Account, string, error) {
	var a *Account
	var tok string
	err := db.update(func(tx *bolt.Tx, _ *bool) error {
		key, acc, err := findAccount(tx, name)
		if err != nil {
			return err
		}
		a = acc
		tok, err = db.issueToken(tx, key, a)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return a, tok, nil
}

// RevokeToken makes the token of the account named name stop working;
// the account and its uploads stay. Revoking a revoked account is a
// no-op. Returns ENOTFOUND for an unknown name.
func (db *DB) RevokeToken(name string) (*Account, error) {
	var a *Account
	err := db.update(func(tx *bolt.Tx, _ *bool) error {
		key, acc, err := findAccount(tx, name)
		if err != nil {
			return err
		}
		a = acc
		if !a.Active() {
			return nil
		}
		if h, err := hex.DecodeString(a.TokenHash); err == nil {
			if err := tx.Bucket(bucketTokens).Delete(h); err != nil {
				return err
			}
		}
		now := db.Now().UTC()
		a.TokenHash, a.TokenCreated, a.Revoked = "", time.Time{}, &now
		return putAccount(tx, key, a)
	})
	return a, err
}

// findAccount finds an account by its name or one of its aliases.
func findAccount(tx *bolt.Tx, name string) (string, *Account, error) {
	n := NormalizeName(name)
	if n == "" {
		return "", nil, poll.Errorf(poll.EINVALID, "no account name given")
	}
	if a, err := getAccount(tx, n); err == nil {
		return n, a, nil
	} else if poll.ErrorCode(err) != poll.ENOTFOUND {
		return "", nil, err
	}
	var key string
	var found *Account
	err := tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
		var a Account
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("store: decode account %q: %w", k, err)
		}
		if found == nil && !a.Operator && a.MayPublish(name) {
			key, found = string(k), &a
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	if found == nil {
		return "", nil, poll.Errorf(poll.ENOTFOUND, "no account named %q (see `pollagg pollster list`)", strings.TrimSpace(name))
	}
	return key, found, nil
}

// Account returns the account named name (a pollster name, an alias, or
// "operator"), or ENOTFOUND.
func (db *DB) Account(name string) (*Account, error) {
	var a *Account
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		_, a, err = findAccount(tx, name)
		return err
	})
	return a, err
}

// Accounts returns every account, the operator's included, by name.
func (db *DB) Accounts() ([]Account, error) {
	var out []Account
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			var a Account
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("store: decode account %q: %w", k, err)
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// Authenticate returns the account whose current token is token. It only
// reads the database. A token that is malformed, unknown, replaced or
// revoked is EUNAUTHORIZED, with the same message for each so that the
// answer tells a guesser nothing.
func (db *DB) Authenticate(token string) (*Account, error) {
	unauthorized := poll.Errorf(poll.EUNAUTHORIZED, "invalid or revoked token")
	if !wellFormed(token) {
		return nil, unauthorized
	}
	h := tokenHash(token)
	var a *Account
	err := db.bolt.View(func(tx *bolt.Tx) error {
		key := tx.Bucket(bucketTokens).Get(h)
		if key == nil {
			return unauthorized
		}
		acc, err := getAccount(tx, string(key))
		if poll.ErrorCode(err) == poll.ENOTFOUND {
			return unauthorized
		} else if err != nil {
			return err
		}
		stored, err := hex.DecodeString(acc.TokenHash)
		if err != nil || subtle.ConstantTimeCompare(stored, h) != 1 || !acc.Active() {
			return unauthorized
		}
		a = acc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
