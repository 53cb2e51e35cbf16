// Package poll is pollagg's domain: questions, polls, their validation, and
// the weighting and averaging engine that turns a question's polls into a
// daily average with an honest uncertainty band.
//
// The package is pure Go: it performs no I/O and imports nothing outside the
// standard library. Storage (package store), CSV formats (package pollcsv)
// and the web server (package web) depend on it, never the reverse.
package poll
