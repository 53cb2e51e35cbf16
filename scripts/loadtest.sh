#!/usr/bin/env bash
# loadtest.sh (make loadtest): how fast pollagg serves a download compared
# with nginx serving the same file from the static export.
#
# It installs wrk and nginx from Debian's packages when missing, builds
# pollagg, seeds a temporary database, exports the site, starts
# `pollagg serve` and nginx (its own minimal config, no daemon, no access
# log) on free 127.0.0.1 ports, checks that both serve the same bytes for
# the series CSV, runs `wrk -t2 -c32 -d10s --latency` against each, one
# after the other, and prints requests/s, p50 and p99 latency and errors
# side by side with the ratio. Everything lives in a temporary folder that
# is removed at exit; both servers are stopped then too.
#
# Settings (environment): DURATION (10s), THREADS (2), CONNECTIONS (32),
# QUESTION (kr-forced-labor-plan-2023, else the first question).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
QUESTION=${QUESTION:-kr-forced-labor-plan-2023}

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
	"$WORK/pollagg" serve --db "$DB" --addr "127.0.0.1:$GO_PORT" --quiet >"$WORK/serve.log" 2>&1 &
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

# the same bytes from both, or the comparison means nothing
curl -fsS "$GO_URL" -o "$WORK/go.csv"
curl -fsS "$NGINX_URL" -o "$WORK/nginx.csv"
cmp -s "$WORK/go.csv" "$WORK/nginx.csv" || { say "pollagg and nginx serve different bytes"; exit 1; }
say "both serve the same $(wc -c <"$WORK/go.csv") bytes of $QUESTION's series CSV"

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
say "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, pollagg then nginx"
GO_LINE=$(bench pollagg "$GO_URL")
NGINX_LINE=$(bench nginx "$NGINX_URL")

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, series CSV of $QUESTION ($(wc -c <"$WORK/go.csv") bytes), $(nproc) CPUs"
printf '%-26s %12s %10s %10s %8s\n' server requests/s p50 p99 errors
printf '%-26s %12s %10s %10s %8s\n' $(echo "$GO_LINE" | sed 's/^pollagg/pollagg_serve/')
printf '%-26s %12s %10s %10s %8s\n' $(echo "$NGINX_LINE" | sed 's/^nginx/nginx_static_export/')
GO_RPS=$(echo "$GO_LINE" | cut -d' ' -f2)
NGINX_RPS=$(echo "$NGINX_LINE" | cut -d' ' -f2)
awk -v g="$GO_RPS" -v n="$NGINX_RPS" 'BEGIN { printf "pollagg / nginx throughput: %.2f\n", g / n }'
GO_ERR=$(echo "$GO_LINE" | cut -d' ' -f5)
NGINX_ERR=$(echo "$NGINX_LINE" | cut -d' ' -f5)
[ "$GO_ERR" -eq 0 ] && [ "$NGINX_ERR" -eq 0 ] || { say "errors during the run"; exit 1; }
