package web

import (
	"fmt"
	"sync"

	"github.com/pollagg/pollagg/calibrate"
	"github.com/pollagg/pollagg/store"
)

// calibrator keeps the stored calibration current after writes, one
// refresh at a time and off the request that caused it: an upload of polls
// answers as soon as they are stored, and the refresh (which reads every
// question with a result and writes one key) runs in the background.
// Requests that arrive while one runs are merged into the next. Readers
// are never blocked (bbolt readers see the last committed state), and
// since refreshes never overlap, an older one can never store its
// calibration after a newer one. Every error is logged.
type calibrator struct {
	db  *store.DB
	log func(msg string, args ...any)

	mu      sync.Mutex
	running bool
	pending []string // questions touched since the last refresh began
	full    bool     // a full refresh was asked for (results changed)
	waiters []chan error
	idle    sync.WaitGroup
}

func newCalibrator(db *store.DB, logErr func(msg string, args ...any)) *calibrator {
	return &calibrator{db: db, log: logErr}
}

// afterImport asks for a refresh because an import touched questions; it
// does work only when one of them has a result (calibrate.AfterImport).
// The returned channel receives the refresh's error (nil on success).
func (k *calibrator) afterImport(questions []string) <-chan error {
	return k.schedule(questions, false)
}

// refresh asks for a full refresh (results changed).
func (k *calibrator) refresh() <-chan error { return k.schedule(nil, true) }

func (k *calibrator) schedule(questions []string, full bool) <-chan error {
	done := make(chan error, 1)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pending = append(k.pending, questions...)
	k.full = k.full || full
	k.waiters = append(k.waiters, done)
	if !k.running {
		k.running = true
		k.idle.Add(1)
		go k.loop()
	}
	return done
}

func (k *calibrator) loop() {
	defer k.idle.Done()
	for {
		k.mu.Lock()
		if len(k.waiters) == 0 {
			k.running = false
			k.mu.Unlock()
			return
		}
		qs, full, waiters := k.pending, k.full, k.waiters
		k.pending, k.full, k.waiters = nil, false, nil
		k.mu.Unlock()
		err := k.run(qs, full)
		if err != nil {
			k.log("calibration refresh failed", "questions", len(qs), "full", full, "err", err)
		}
		for _, w := range waiters {
			w <- err
		}
	}
}

// run does one refresh, turning a panic into an error so that the
// background goroutine never takes the server down.
func (k *calibrator) run(qs []string, full bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("web: calibration refresh panicked: %v", p)
		}
	}()
	if full {
		_, err = calibrate.Refresh(k.db)
	} else {
		_, err = calibrate.AfterImport(k.db, qs)
	}
	return err
}

// wait blocks until no refresh is running or pending.
func (k *calibrator) wait() { k.idle.Wait() }

// WaitCalibration blocks until the background calibration refreshes that
// uploads started have finished (for tests, and before closing the
// database).
func (s *Server) WaitCalibration() { s.calib.wait() }
