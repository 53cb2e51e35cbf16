// Package calibrate keeps a database's calibration current: after results
// or the polls of questions with results change, it learns the shared
// error of each method and the pollster ratings from every question with a
// result (poll.Calibrate) and stores them, so that no request ever
// recomputes them.
package calibrate

import (
	"fmt"

	"github.com/pollagg/pollagg/poll"
	"github.com/pollagg/pollagg/store"
)

// Refresh recomputes the calibration from the database's questions with
// results and stores it; with no such question it removes any stored
// calibration. It returns what it stored (nil for none).
func Refresh(db *store.DB) (*poll.Calibration, error) {
	cases, err := db.ResultCases()
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	var c *poll.Calibration
	if len(cases) > 0 {
		c = poll.Calibrate(cases)
	}
	if err := db.PutCalibration(c); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return c, nil
}

// AfterImport refreshes the calibration when any of the questions an
// import touched has a result, and reports whether it did.
func AfterImport(db *store.DB, questions []string) (bool, error) {
	has, err := db.HasResults(questions...)
	if err != nil || !has {
		return false, err
	}
	_, err = Refresh(db)
	return err == nil, err
}
