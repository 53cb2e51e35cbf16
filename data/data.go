// Package data carries pollagg's demo: real, published South Korean and
// Japanese polls on the March 2023 forced-labour compensation plan (to May
// 2024) and the Yoon–Kishida summits, South Korean polls on Japan's
// Fukushima water release and on Japan, and seven pollsters' weekly approval
// of President Yoon, each with its source. The files are embedded, so the binary seeds an empty
// database by itself.
//
// sources/ holds the transcriptions as they were made (with their README);
// seed/ holds the same polls in pollagg's wide template, written from
// sources/ by sources/convert.py; questions.json gives each question its
// titles, options, events and related questions, and groups.json orders
// them for the home page.
package data

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

//go:embed questions.json groups.json seed/*.csv sources/*.csv sources/README.md template.csv
var files embed.FS

// Files returns the embedded files: questions.json, groups.json, seed/*.csv,
// sources/*.csv, sources/README.md and template.csv.
func Files() embed.FS { return files }

// Questions returns the demo questions with titles, options and events.
func Questions() ([]poll.Question, error) {
	b, err := files.ReadFile("questions.json")
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var qs []poll.Question
	if err := json.Unmarshal(b, &qs); err != nil {
		return nil, fmt.Errorf("data: questions.json: %w", err)
	}
	return qs, nil
}

// Template returns the wide-format template file.
func Template() []byte {
	b, _ := files.ReadFile("template.csv")
	return b
}

// Seed fills a database that holds no questions with the demo questions
// and polls, and reports whether it did. A database with any question is
// left alone, so Seed is safe on every start.
func Seed(db *store.DB) (bool, error) {
	have, err := db.Questions()
	if err != nil {
		return false, err
	}
	if len(have) > 0 {
		return false, nil
	}
	qs, err := Questions()
	if err != nil {
		return false, err
	}
	for i := range qs {
		if err := db.PutQuestion(&qs[i]); err != nil {
			return false, fmt.Errorf("data: seed question %s: %w", qs[i].ID, err)
		}
		req, err := seedRequest(qs[i].ID)
		if err != nil {
			return false, err
		}
		if _, err := db.Import(req); err != nil {
			return false, fmt.Errorf("data: seed %s: %w", req.FileName, err)
		}
	}
	return true, nil
}
