package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/pollcsv"
	"github.com/pollagg/pollagg/store"
)

// Group is a titled set of demo questions, shown together on the home page
// in the order of Questions.
type Group struct {
	ID        string   `json:"id"`
	TitleKo   string   `json:"title_ko"`
	TitleEn   string   `json:"title_en"`
	LedeKo    string   `json:"lede_ko"` // what the group's questions tell, in a sentence or two
	LedeEn    string   `json:"lede_en"`
	Questions []string `json:"questions"`
}

// Title returns the group's title in lang ("ko" or "en").
func (g Group) Title(lang string) string { return inLang(lang, g.TitleKo, g.TitleEn) }

// Lede returns the group's introduction in lang ("ko" or "en").
func (g Group) Lede(lang string) string { return inLang(lang, g.LedeKo, g.LedeEn) }

func inLang(lang, ko, en string) string {
	if lang == "ko" && ko != "" {
		return ko
	}
	return en
}

type groupsFile struct {
	Groups  []Group           `json:"groups"`
	Renamed map[string]string `json:"renamed"`
}

func readGroups() (*groupsFile, error) {
	b, err := files.ReadFile("groups.json")
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var g groupsFile
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("data: groups.json: %w", err)
	}
	return &g, nil
}

// Groups returns the demo's question groups, in home-page order.
func Groups() ([]Group, error) {
	g, err := readGroups()
	if err != nil {
		return nil, err
	}
	return g.Groups, nil
}

// Renamed maps the old id of a demo question to its current id (for
// example kr-yoon-approval-gallup → kr-yoon-approval), so that old links
// can be redirected.
func Renamed() (map[string]string, error) {
	g, err := readGroups()
	if err != nil {
		return nil, err
	}
	return g.Renamed, nil
}

// UpdateReport counts what Update did (or, from Stale, would do).
type UpdateReport struct {
	QuestionsAdded   int // demo questions the database did not hold
	QuestionsChanged int // demo questions whose titles, notes, options, events or related questions changed
	Added            int // polls added
	Changed          int // polls stored with a new revision
	Unchanged        int // polls already stored as shipped
}

// String reports the counts as "N added, M changed, K unchanged" plus the
// questions, e.g. "182 added, 4 changed, 6 unchanged (questions: 9 added, 3 updated)".
func (r UpdateReport) String() string {
	return fmt.Sprintf("%d added, %d changed, %d unchanged (questions: %d added, %d updated)",
		r.Added, r.Changed, r.Unchanged, r.QuestionsAdded, r.QuestionsChanged)
}

// Current reports whether the database already holds the shipped demo.
func (r UpdateReport) Current() bool {
	return r.QuestionsAdded+r.QuestionsChanged+r.Added+r.Changed == 0
}

// Update imports the shipped demo into a database that may hold an older
// demo or other data, as an ordinary import by the account "seed": new
// demo questions are created, demo questions whose metadata changed are
// rewritten, polls not stored are added and changed ones get a new
// revision. Nothing is removed, and a second run changes nothing (files
// with nothing to add or change are not imported, so no empty uploads are
// recorded).
func Update(db *store.DB) (UpdateReport, error) { return update(db, false) }

// Stale reports what Update would do, writing nothing.
func Stale(db *store.DB) (UpdateReport, error) { return update(db, true) }

func update(db *store.DB, dry bool) (UpdateReport, error) {
	var rep UpdateReport
	qs, err := Questions()
	if err != nil {
		return rep, err
	}
	for i := range qs {
		q := &qs[i]
		put := true
		old, err := db.Question(q.ID)
		switch {
		case poll.ErrorCode(err) == poll.ENOTFOUND:
			rep.QuestionsAdded++
		case err != nil:
			return rep, fmt.Errorf("data: update question %s: %w", q.ID, err)
		case !sameQuestion(old, q):
			rep.QuestionsChanged++
		default:
			put = false
		}
		if put && !dry {
			if err := db.PutQuestion(q); err != nil {
				return rep, fmt.Errorf("data: update question %s: %w", q.ID, err)
			}
		}
		req, err := seedRequest(q.ID)
		if err != nil {
			return rep, err
		}
		req.DryRun = true
		up, err := db.Import(req)
		if err != nil {
			return rep, fmt.Errorf("data: update %s: %w", req.FileName, err)
		}
		rep.Added += up.Counts.Added
		rep.Changed += up.Counts.Changed
		rep.Unchanged += up.Counts.Unchanged
		if dry || up.Counts.Added+up.Counts.Changed == 0 {
			continue
		}
		req.DryRun = false
		if _, err := db.Import(req); err != nil {
			return rep, fmt.Errorf("data: update %s: %w", req.FileName, err)
		}
	}
	return rep, nil
}

// seedRequest reads a question's seed file into an import by "seed".
func seedRequest(qid string) (store.ImportRequest, error) {
	name := path.Join("seed", qid+".csv")
	b, err := files.ReadFile(name)
	if err != nil {
		return store.ImportRequest{}, fmt.Errorf("data: seed %s: %w", qid, err)
	}
	batch, err := pollcsv.Read(name, bytes.NewReader(b), pollcsv.Options{})
	if err != nil {
		return store.ImportRequest{}, fmt.Errorf("data: seed %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	return store.ImportRequest{Batch: batch, Account: "seed", FileName: name,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))}, nil
}

// sameQuestion reports whether a stored question already carries the
// shipped question's titles, notes, options, events and related ids.
func sameQuestion(stored, shipped *poll.Question) bool {
	return stored.TitleKo == shipped.TitleKo && stored.TitleEn == shipped.TitleEn &&
		stored.Notes == shipped.Notes && stored.NotesKo == shipped.NotesKo &&
		slices.Equal(stored.Options, shipped.Options) && slices.Equal(stored.Events, shipped.Events) &&
		slices.Equal(stored.Related, shipped.Related)
}
