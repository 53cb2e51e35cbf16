#!/usr/bin/env bash
# loadtest.sh (make loadtest): how fast pollagg serves a download compared
# with nginx serving the same file from the static export.
#
# It installs wrk and nginx from Debian's packages when missing, builds
# pollagg, seeds a temporary database, exports the site, starts
# `pollagg serve` and nginx (its own minimal config, no daemon, no access
# log) on free 127.0.0.1 ports, checks that both serve the same bytes for
# the series CSV, runs `wrk -t2 -c64 -d10s --latency` against each, one
# after the other, and prints requests/s, p50 and p99 latency and errors
# side by side with the ratio. A third row, for reference, is the smallest
# net/http server that serves the same bytes: Go's HTTP stack alone, the
# ceiling for any Go handler. Everything lives in a temporary folder that
# is removed at exit; both servers are stopped then too.
#
# Settings (environment): DURATION (10s), THREADS (2), CONNECTIONS (64),
# ROUNDS (2: the servers take turns and each keeps its best round),
# QUESTION (kr-forced-labor-plan-2023, else the first question), SERVE_FLAGS
# (more flags for pollagg serve, e.g. "--gc-percent 100").
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
QUESTION=${QUESTION:-kr-forced-labor-plan-2023}
ROUNDS=${ROUNDS:-2}

say() { echo "loadtest: $*" >&2; }

# --- tools ---
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || { say "need root (or sudo) to install: ${need[*]}"; exit 1; }
		SUDO="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	say "installing ${need[*]}"
	if ! $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
		$SUDO apt-get update -qq >/dev/null
		$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- scratch space and cleanup ---
WORK=$(mktemp -d)
chmod 755 "$WORK" # nginx's worker may run as nobody
GO_PID=""
NGINX_PID=""
stop() { # stop PID: SIGTERM, then SIGKILL after 10 s
	local pid=$1
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	stop "${REF_PID:-}"
	stop "$GO_PID"
	stop "$NGINX_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

wait_http() { # wait_http URL PID: until URL answers 200 (30 s), or the process exits
	for _ in $(seq 1 300); do
		curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --- pollagg: build, seed, export, serve ---
say "building pollagg"
timeout 300 go build -o "$WORK/pollagg" ./cmd/pollagg
DB=$WORK/pollagg.db
GO_PORT=$(free_port)
start_pollagg() {
	"$WORK/pollagg" serve --db "$DB" --addr "127.0.0.1:$GO_PORT" --quiet ${SERVE_FLAGS:-} >"$WORK/serve.log" 2>&1 &
	GO_PID=$!
	wait_http "http://127.0.0.1:$GO_PORT/healthz" "$GO_PID" || { say "pollagg did not start:"; cat "$WORK/serve.log" >&2; exit 1; }
}
start_pollagg # seeds the new database with the demo polls
if ! curl -fsS "http://127.0.0.1:$GO_PORT/api/v1/questions/$QUESTION" -o /dev/null 2>/dev/null; then
	QUESTION=$(curl -fsS "http://127.0.0.1:$GO_PORT/api/v1/questions.csv" | grep -v '^#' | sed -n 2p | cut -d, -f1)
fi
stop "$GO_PID"; GO_PID="" # the export needs the database file
timeout 300 "$WORK/pollagg" export --db "$DB" --out "$WORK/site" >/dev/null
start_pollagg

# --- nginx on the export ---
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    types { text/csv csv; }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/site;
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
GO_URL="http://127.0.0.1:$GO_PORT/api/v1/questions/$QUESTION/series?format=csv"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/api/v1/questions/$QUESTION/series.csv"
wait_http "$NGINX_URL" "$NGINX_PID" || { say "nginx did not start:"; cat "$WORK/nginx/error.log" "$WORK/nginx/stdout.log" >&2; exit 1; }

# --- reference: the smallest net/http server serving the same bytes ---
# (what Go's HTTP stack costs by itself, with no router or middleware)
REF_PORT=$(free_port)
mkdir -p "$WORK/ref"
cat >"$WORK/ref/main.go" <<'GO'
package main

import (
	"net/http"
	"os"
	"strconv"
)

func main() {
	body, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	n := strconv.Itoa(len(body))
	panic(http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Length", n)
		w.Write(body)
	})))
}
GO
printf 'module ref\n\ngo 1.22\n' >"$WORK/ref/go.mod"
(cd "$WORK/ref" && timeout 300 go build -o ref .)
REF_PID=""

# the same bytes from both, or the comparison means nothing
curl -fsS "$GO_URL" -o "$WORK/go.csv"
curl -fsS "$NGINX_URL" -o "$WORK/nginx.csv"
cmp -s "$WORK/go.csv" "$WORK/nginx.csv" || { say "pollagg and nginx serve different bytes"; exit 1; }
say "both serve the same $(wc -c <"$WORK/go.csv") bytes of $QUESTION's series CSV"
"$WORK/ref/ref" "127.0.0.1:$REF_PORT" "$WORK/go.csv" >"$WORK/ref/log" 2>&1 &
REF_PID=$!
REF_URL="http://127.0.0.1:$REF_PORT/"
wait_http "$REF_URL" "$REF_PID" || { say "the reference server did not start:"; cat "$WORK/ref/log" >&2; exit 1; }

# --- wrk ---
bench() { # bench NAME URL: runs wrk, prints "name rps p50 p99 errors"
	local out=$WORK/wrk-$1.txt
	timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" >"$out"
	awk -v name="$1" '
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/Non-2xx or 3xx responses:/ { errs += $NF }
		/Socket errors:/ { gsub(",", ""); errs += $4 + $6 + $8 + $10 }
		END { printf "%s %s %s %s %d\n", name, rps, p50, p99, errs }' "$out"
}
best() { # best LINE LINE: the line with more requests/s
	if [ -z "$1" ] || awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(y[2] > x[2]) }'; then
		echo "$2"
	else
		echo "$1"
	fi
}
# The machine may be shared: the servers take turns, ROUNDS times, and
# each keeps its best round, so that a burst of someone else's work
# does not decide the comparison.
GO_LINE="" REF_LINE="" NGINX_LINE="" GO_ERR=0 NGINX_ERR=0
for round in $(seq 1 "$ROUNDS"); do
	say "round $round/$ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on pollagg, the net/http reference, nginx"
	line=$(bench pollagg "$GO_URL"); GO_ERR=$((GO_ERR + $(echo "$line" | cut -d' ' -f5))); GO_LINE=$(best "$GO_LINE" "$line")
	line=$(bench reference "$REF_URL"); REF_LINE=$(best "$REF_LINE" "$line")
	line=$(bench nginx "$NGINX_URL"); NGINX_ERR=$((NGINX_ERR + $(echo "$line" | cut -d' ' -f5))); NGINX_LINE=$(best "$NGINX_LINE" "$line")
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, series CSV of $QUESTION ($(wc -c <"$WORK/go.csv") bytes), $(nproc) CPUs, best of $ROUNDS rounds"
printf '%-26s %12s %10s %10s %8s\n' server requests/s p50 p99 errors
printf '%-26s %12s %10s %10s %8s\n' $(echo "$GO_LINE" | sed 's/^pollagg/pollagg_serve/')
printf '%-26s %12s %10s %10s %8s\n' $(echo "$REF_LINE" | sed 's/^reference/minimal_net_http_(ref.)/')
printf '%-26s %12s %10s %10s %8s\n' $(echo "$NGINX_LINE" | sed 's/^nginx/nginx_static_export/')
GO_RPS=$(echo "$GO_LINE" | cut -d' ' -f2)
NGINX_RPS=$(echo "$NGINX_LINE" | cut -d' ' -f2)
REF_RPS=$(echo "$REF_LINE" | cut -d' ' -f2)
awk -v g="$GO_RPS" -v n="$NGINX_RPS" -v r="$REF_RPS" -v gp="$(echo "$GO_LINE" | cut -d' ' -f4)" -v rp="$(echo "$REF_LINE" | cut -d' ' -f4)" '
	function ms(t) { # wrk writes 950.00us, 8.72ms, 1.02s
		if (t ~ /us$/) return t / 1000
		if (t ~ /ms$/) return t + 0
		return t * 1000
	}
	BEGIN {
	printf "pollagg / nginx throughput: %.2f\n", g / n
	printf "pollagg / minimal net/http: %.2f   (minimal net/http / nginx: %.2f)\n", g / r, r / n
	# the p99 Go'"'"'s HTTP stack itself reaches here (BENCHMARKS.md, "Where the p99 comes from")
	printf "pollagg p99 / minimal net/http p99: %.2f\n", ms(gp) / ms(rp) }'
echo "errors over all rounds: pollagg $GO_ERR, nginx $NGINX_ERR"
[ "$GO_ERR" -eq 0 ] && [ "$NGINX_ERR" -eq 0 ] || { say "errors during the run"; exit 1; }
