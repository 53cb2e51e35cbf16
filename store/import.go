package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
)

// ImportRequest describes one file to store.
type ImportRequest struct {
	Batch    *pollcsv.Batch
	Account  string // who imports: a pollster account, "operator" or "cli"
	FileName string
	SHA256   string // hex digest of the file's bytes
	Size     int64
	// DryRun validates and counts as a real import would, then rolls back:
	// nothing is written (but the upload itself is not recorded either).
	DryRun bool
	// MayPublish reports whether the importer may publish polls of a
	// pollster; nil allows every pollster (the command line, operators).
	MayPublish func(pollster string) bool
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import stores a whole file in one transaction, or nothing. It validates
// every row against its question (creating questions the database does not
// know yet from the file's options), and for each poll:
//
//   - a poll not stored yet is added as revision 1;
//   - a poll stored with the same content is unchanged;
//   - a poll stored with different content gets a new revision; the old
//     ones are kept.
//
// A poll is the same poll when its id matches (pollster and poll_id, or
// the identity below) or when question, pollster, field dates and sample
// size match. On any problem it returns *poll.Problems with every problem
// and writes nothing; a row naming a pollster the importer may not publish
// for is EFORBIDDEN. The upload is recorded with its counts.
func (db *DB) Import(req ImportRequest) (*poll.Upload, error) {
	b := req.Batch
	if req.MayPublish != nil {
		var denied []string
		seen := map[string]bool{}
		for i := range b.Rows {
			name := b.Rows[i].Poll.Pollster
			if !seen[name] && !req.MayPublish(name) {
				denied = append(denied, fmt.Sprintf("%s:%d: %q", b.Name, b.Rows[i].Line, name))
			}
			seen[name] = true
		}
		if len(denied) > 0 {
			return nil, poll.Errorf(poll.EFORBIDDEN, "this token may not publish polls of %s (first row of each named)", strings.Join(denied, ", "))
		}
	}
	now := db.Now().UTC()
	today := poll.Today(now)
	up := &poll.Upload{
		Account: req.Account, Time: now, FileName: req.FileName, SHA256: req.SHA256,
		Size: req.Size, Format: string(b.Format), Encoding: b.Encoding, Sheet: b.Sheet, DryRun: req.DryRun,
	}
	err := db.update(func(tx *bolt.Tx, changed *bool) error {
		// questions: the stored ones, and new ones from the file's options
		questions := map[string]*poll.Question{}
		var created []*poll.Question
		for qid, opts := range b.Options {
			q, err := getQuestion(tx, qid)
			if poll.ErrorCode(err) == poll.ENOTFOUND {
				q = &poll.Question{ID: qid, Options: opts, Created: now, Updated: now}
				if err := q.Validate(); err != nil {
					// with the file's own problems, which may be why (a row
					// that could not be read brought no option)
					list := []poll.Problem{{File: b.Name, Sheet: b.Sheet, Line: 1, Message: poll.ErrorMessage(err)}}
					return &poll.Problems{List: append(list, b.Problems...)}
				}
				created = append(created, q)
			} else if err != nil {
				return err
			}
			questions[qid] = q
			up.Questions = append(up.Questions, qid)
		}
		sort.Strings(up.Questions)
		if probs := b.Validate(questions, today); len(probs) > 0 {
			return &poll.Problems{List: probs}
		}
		seq, err := tx.Bucket(bucketUploads).NextSequence()
		if err != nil {
			return err
		}
		up.ID = fmt.Sprintf("u%06d", seq)
		for _, q := range created {
			if err := putQuestion(tx, q); err != nil {
				return err
			}
		}
		// Labels the file's columns give, per question, where they differ
		// from the option id: copied into polls that carry no labels.
		fileLabels := map[string][][2]string{}
		for qid, labels := range b.Labels {
			for id, l := range labels {
				if l != id {
					fileLabels[qid] = append(fileLabels[qid], [2]string{id, l})
				}
			}
		}
		// A question created by this import has no stored polls: every
		// poll id and identity key is derived from the question id, so no
		// lookup can find one (questions are never deleted, and only
		// Import stores polls, under an existing question).
		isNew := make(map[string]bool, len(created))
		for _, q := range created {
			isNew[q.ID] = true
		}
		names, err := newPollsterNames(tx)
		if err != nil {
			return err
		}
		var dupProbs []poll.Problem
		seenID := make(map[string]int, len(b.Rows))
		w := newWriteSet(len(b.Rows))
		var fresh poll.Record // a new poll's record, encoded at once and reused
		fresh.Revisions = make([]poll.Revision, 1)
		for i := range b.Rows {
			p := b.Rows[i].Poll
			if len(p.AnswerLabels) == 0 {
				// keep the file's own column labels where they differ from the option id
				for _, l := range fileLabels[p.QuestionID] {
					if p.AnswerLabels == nil {
						p.AnswerLabels = map[string]string{}
					}
					p.AnswerLabels[l[0]] = l[1]
				}
			}
			if c := names.canonical(p.Pollster); c != p.Pollster {
				p.Pollster = c
				p.ID = poll.PollID(&p)
			}
			if j, dup := seenID[p.ID]; dup {
				dupProbs = append(dupProbs, poll.Problem{File: b.Name, Line: b.Rows[i].Line, Message: fmt.Sprintf(
					"duplicate row: the same poll as line %d (%q and %q are one pollster)", b.Rows[j].Line, b.Rows[j].Poll.Pollster, b.Rows[i].Poll.Pollster)})
				continue
			}
			seenID[p.ID] = i
			var rec *poll.Record
			var loc []byte
			if !isNew[p.QuestionID] {
				var err error
				if rec, loc, err = lookupRecord(tx, &p); err != nil {
					return err
				}
			}
			if rec == nil {
				fresh.Revisions[0] = poll.Revision{Number: 1, Poll: p, UploadID: up.ID, Recorded: now}
				rec = &fresh
				up.Counts.Added++
			} else {
				p.ID = rec.Current().ID // a poll keeps the id it was first stored under
				if rec.Retracted != nil {
					up.Counts.Retracted++
				}
				if poll.SameContent(rec.Current(), &p) {
					up.Counts.Unchanged++
					continue
				}
				rec.Revisions = append(rec.Revisions, poll.Revision{
					Number: len(rec.Revisions) + 1, Poll: p, UploadID: up.ID, Recorded: now})
				up.Counts.Changed++
			}
			if err := w.putRecord(tx, rec, loc); err != nil {
				return err
			}
		}
		if len(dupProbs) > 0 {
			return &poll.Problems{List: dupProbs}
		}
		if err := w.flush(tx); err != nil {
			return err
		}
		if err := names.flush(tx); err != nil {
			return err
		}
		if req.DryRun {
			return errDryRun
		}
		v, err := json.Marshal(up)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketUploads).Put([]byte(up.ID), v); err != nil {
			return err
		}
		*changed = up.Counts.Added+up.Counts.Changed > 0 || len(created) > 0
		return nil
	})
	if errors.Is(err, errDryRun) {
		up.ID = ""
		return up, nil
	}
	if err != nil {
		return nil, err
	}
	return up, nil
}

// lookupRecord finds the stored poll that p is: by its id, or else by its
// identity. It returns a nil record when there is none.
func lookupRecord(tx *bolt.Tx, p *poll.Poll) (*poll.Record, []byte, error) {
	id := p.ID
	if tx.Bucket(bucketIndex).Get([]byte(id)) == nil {
		ih := identityHash(p)
		v := tx.Bucket(bucketIdentity).Get(ih[:])
		if v == nil {
			return nil, nil, nil
		}
		id = string(v)
	}
	rec, loc, err := findRecord(tx, id)
	if poll.ErrorCode(err) == poll.ENOTFOUND {
		return nil, nil, nil
	}
	return rec, loc, err
}

// pollsterNames gives each pollster one spelling. A pollster's account
// name stands for its name and every alias (so "한국갤럽" rows of the
// "Gallup Korea" account are stored as "Gallup Korea"); any other name is
// stored as it was first spelled, matched ignoring case and repeated
// spaces. Without this, "gallup  KOREA" would be a pollster of its own,
// with its own house effect, and its corrections would not find the poll.
type pollsterNames struct {
	tx      *bolt.Tx
	known   map[string]string // NormalizeName → spelling
	pending map[string]string // first spellings to store
}

func newPollsterNames(tx *bolt.Tx) (*pollsterNames, error) {
	n := &pollsterNames{tx: tx, known: map[string]string{}, pending: map[string]string{}}
	err := tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
		var a Account
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("store: decode account %q: %w", k, err)
		}
		if !a.Operator {
			for _, name := range a.Names() {
				n.known[NormalizeName(name)] = a.Name
			}
		}
		return nil
	})
	return n, err
}

// canonical returns the spelling to store for name.
func (n *pollsterNames) canonical(name string) string {
	key := NormalizeName(name)
	if c, ok := n.known[key]; ok {
		return c
	}
	c := strings.Join(strings.Fields(name), " ")
	if v := n.tx.Bucket(bucketPollsters).Get([]byte(key)); v != nil {
		c = string(v)
	} else {
		n.pending[key] = c
	}
	n.known[key] = c
	return c
}

// flush stores the first spellings seen in this import.
func (n *pollsterNames) flush(tx *bolt.Tx) error {
	b := tx.Bucket(bucketPollsters)
	for k, v := range n.pending {
		if err := b.Put([]byte(k), []byte(v)); err != nil {
			return fmt.Errorf("store: put pollster %q: %w", v, err)
		}
	}
	return nil
}
