package store

import (
	"encoding/json"
	"errors"
	"fmt"
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
		for _, name := range b.Pollsters() {
			if !req.MayPublish(name) {
				denied = append(denied, fmt.Sprintf("%q", name))
			}
		}
		if len(denied) > 0 {
			return nil, poll.Errorf(poll.EFORBIDDEN, "%s: this token may not publish polls of %s", b.Name, strings.Join(denied, ", "))
		}
	}
	now := db.Now().UTC()
	today := poll.Today(now)
	up := &poll.Upload{
		Account: req.Account, Time: now, FileName: req.FileName, SHA256: req.SHA256,
		Size: req.Size, Format: string(b.Format), DryRun: req.DryRun,
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
					return &poll.Problems{List: []poll.Problem{{File: b.Name, Line: 1, Message: poll.ErrorMessage(err)}}}
				}
				created = append(created, q)
			} else if err != nil {
				return err
			}
			questions[qid] = q
			up.Questions = append(up.Questions, qid)
		}
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
		w := newWriteSet()
		for i := range b.Rows {
			p := b.Rows[i].Poll
			if len(p.AnswerLabels) == 0 {
				// keep the file's own column labels where they differ from the option id
				for id, l := range b.Labels[p.QuestionID] {
					if l != id {
						if p.AnswerLabels == nil {
							p.AnswerLabels = map[string]string{}
						}
						p.AnswerLabels[id] = l
					}
				}
			}
			rec, loc, err := findRecord(tx, p.ID)
			if poll.ErrorCode(err) == poll.ENOTFOUND {
				if id := tx.Bucket(bucketIdentity).Get(identityKey(&p)); id != nil {
					rec, loc, err = findRecord(tx, string(id))
				}
			}
			switch {
			case poll.ErrorCode(err) == poll.ENOTFOUND:
				rec = &poll.Record{Revisions: []poll.Revision{{Number: 1, Poll: p, UploadID: up.ID, Recorded: now}}}
				up.Counts.Added++
			case err != nil:
				return err
			default:
				p.ID = rec.Current().ID // a poll keeps the id it was first stored under
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
		if err := w.flush(tx); err != nil {
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
