package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"runtime/debug"

	"github.com/pollagg/pollagg/data"
	"github.com/pollagg/pollagg/memlimit"
	"github.com/pollagg/pollagg/store"
	"github.com/pollagg/pollagg/web"
)

func init() {
	register(&command{
		name:    "serve",
		usage:   "[--db FILE] [--addr :8080] [--no-seed] [--max-upload BYTES] [--upload-rate N] [--memory-limit MIB] [--gc-percent N] [--quiet]",
		summary: "serve the dashboard, the read API and the upload API (seeds a new database with the demo polls)",
		run:     cmdServe,
	})
}

func cmdServe(ctx context.Context, e *env) error {
	var dbPath, addr string
	var noSeed, quiet bool
	var maxUpload int64
	var uploadRate float64
	fs := newFlags(e, "serve", &dbPath)
	fs.StringVar(&addr, "addr", ":8080", "listen `ADDRESS` (host:port)")
	fs.BoolVar(&noSeed, "no-seed", false, "leave a new database empty instead of seeding the demo polls")
	fs.Int64Var(&maxUpload, "max-upload", 10<<20, "largest upload body in `BYTES`")
	fs.Float64Var(&uploadRate, "upload-rate", 1, "upload requests per second one client may make (bursts of 5)")
	fs.BoolVar(&quiet, "quiet", false, "do not log a line per request (errors are still logged)")
	memLimit := fs.Int64("memory-limit", 96, "memory budget in `MIB`: the soft limit the garbage collector keeps the process under, raised to 1.25 times the live heap while the data need more; the page and data cache takes at most three quarters of it (0: none, and a 256 MB cache; GOMEMLIMIT, when set, wins as a fixed limit)")
	gcPercent := fs.Int("gc-percent", 400, "heap growth in `PERCENT` before a garbage collection, applied only under a memory limit (--memory-limit or GOMEMLIMIT): the server's live heap is small, so Go's default of 100 collects many times a second under load, while the limit still bounds the heap (GOGC, when set, wins)")
	if err := parse(fs, e); err != nil {
		return err
	}
	cacheBytes := 0 // web's default
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		budget := *memLimit << 20
		cacheBytes = int(float64(budget) * cacheShare)
		tuner := memlimit.Start(budget, memHeadroom, func(limit, live int64) {
			fmt.Fprintf(e.stderr, "pollagg: the live data hold %d MiB, past the %d MiB budget (--memory-limit): the memory limit follows them, now %d MiB\n", live>>20, *memLimit, limit>>20)
		})
		defer tuner.Stop()
	}
	// Without a limit a higher percentage would let the heap grow unbounded
	// with the live data: only under one.
	if *gcPercent > 0 && os.Getenv("GOGC") == "" && debug.SetMemoryLimit(-1) != math.MaxInt64 {
		debug.SetGCPercent(*gcPercent)
	}
	db, err := store.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if !noSeed {
		seeded, err := data.Seed(db)
		if err != nil {
			return err
		}
		if seeded {
			fmt.Fprintf(e.stderr, "pollagg: %s was empty; seeded it with the demo polls\n", dbPath)
		} else if msg, err := staleDemoNotice(db, dbPath); err != nil {
			return err
		} else {
			fmt.Fprint(e.stderr, msg)
		}
	}
	cfg := web.Config{MaxUploadBytes: maxUpload, UploadRate: uploadRate, Log: e.stderr, Quiet: quiet, CacheBytes: cacheBytes}
	srv, err := web.NewServer(db, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	fmt.Fprintf(e.stderr, "pollagg: serving %s on http://%s (Ctrl-C to stop)\n", dbPath, displayAddr(ln.Addr()))
	err = srv.Serve(ctx, ln)
	fmt.Fprintln(e.stderr, "pollagg: stopped")
	return err
}

// memHeadroom is the heap growth past the live data that the memory limit
// allows once the data outgrow the budget: the collector runs when the
// heap has grown a quarter, rather than not at all (a limit below the live
// heap) or at a doubling (GOGC=100).
const memHeadroom = 0.25

// cacheShare is the part of the memory budget the server's cache may hold
// (by its estimates): a 100,000-poll question with every view served
// once caches 61 MB by them, within three quarters of the 96 MiB default;
// the rest is room for the pages being built.
const cacheShare = 3.0 / 4

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
