# pollagg — see README.md. Every target runs from a fresh clone with Go;
# e2e and loadtest install the Debian packages they need (chromium, wrk, nginx).
GO      ?= go
DB      ?= ./pollagg.db
ADDR    ?= :8080
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run build test bench accuracy backtest e2e loadtest fuzz lint assets clean

## run: build and serve the dashboard on $(ADDR) from $(DB), seeded with the shipped polls on first start
run: build
	./bin/pollagg serve --db $(DB) --addr $(ADDR)

## build: build bin/pollagg
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/pollagg ./cmd/pollagg

## test: vet, then every unit, handler and golden test (the fuzz seed corpora run as ordinary tests)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## bench: every benchmark, with allocations (figures go in BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## accuracy: every averaging method against simulated truth over 200 seeds (the table in METHODOLOGY.md)
accuracy:
	$(GO) run ./poll/sim/cmd/accuracy -seeds 200

## backtest: every method against the real results of 1,414 US races (1998-2016, data/backtest/),
## in a temporary database, learning only from earlier results (the table in METHODOLOGY.md)
backtest: build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	./bin/pollagg import --db "$$tmp/backtest.db" data/backtest/us_races_1998_2016_polls.csv data/backtest/us_races_1998_2016_results.csv >/dev/null && \
	./bin/pollagg backtest --db "$$tmp/backtest.db" $(BACKTEST_FLAGS)

## e2e: browser test in headless Chromium against a server on loopback (installs chromium if missing)
e2e:
	bash scripts/install-e2e-deps.sh
	$(GO) test -tags e2e -count=1 -timeout 15m -v ./e2e/

## loadtest: wrk against the series CSV endpoint beside nginx serving the exported copy (installs wrk and nginx)
loadtest:
	bash scripts/loadtest.sh

## fuzz: fuzz the CSV reader for 60 s, the workbook and results readers and the stored-record decoder for 30 s each (minimising each new input once: the default
## minimisation of large inputs stalls the run for tens of seconds at 0 execs/s)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime 60s -fuzzminimizetime 1x ./pollcsv/
	$(GO) test -run '^$$' -fuzz '^FuzzReadXLSX$$' -fuzztime 30s -fuzzminimizetime 1x ./pollcsv/
	$(GO) test -run '^$$' -fuzz '^FuzzReadResults$$' -fuzztime 30s -fuzzminimizetime 1x ./pollcsv/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRecord$$' -fuzztime 30s -fuzzminimizetime 1x ./store/

## assets: rebuild the slim ECharts bundle (web/static/echarts) from scripts/echarts' lock file with npm and esbuild;
## the same lock file gives the committed bytes (needs Node; nothing else does)
assets:
	bash scripts/echarts/build.sh

## lint: formatting and vet
lint:
	test -z "$$(gofmt -l .)"
	$(GO) vet ./...

clean:
	rm -rf bin test-output
