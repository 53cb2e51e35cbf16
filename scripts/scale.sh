#!/usr/bin/env bash
# scale.sh: a question of N polls (default 100,000) served by a real
# pollagg process: every view's page (four methods, two languages, the
# poll table's first and last page and a sort) and its downloads, once
# each; then the page sizes and the server's memory (VmRSS, and VmHWM, its
# peak), at once and after ten idle seconds (the runtime hands freed memory
# back to the system gradually). The figures are in BENCHMARKS.md ("Pages at scale").
#
#	bash scripts/scale.sh          # 100,000 polls
#	bash scripts/scale.sh 10000
#	SERVE_FLAGS='--memory-limit 256' bash scripts/scale.sh   # flags for pollagg serve
set -euo pipefail
n="${1:-100000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/pollagg" ./cmd/pollagg
python3 - "$tmp/big.csv" "$n" <<'PY'
import csv, datetime, random, sys
random.seed(7); base = datetime.date(2015, 1, 1); n = int(sys.argv[2])
w = csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n")
w.writerow(["poll_id", "pollster", "sponsor", "start_date", "end_date", "sample_size", "population", "methodology", "question_id", "answer", "pct"])
modes = ["Online", "phone-live", "phone-ARS", "mixed"]
for i in range(n):
    d = base + datetime.timedelta(days=random.randrange(1825)); s = 40 + 5 * random.random()
    for a, p in (("support", s), ("oppose", 92 - s)):
        w.writerow(["b%d" % i, "Pollster %d" % (i % 40), "Paper %d" % (i % 7) if i % 3 == 0 else "", d.isoformat(),
                    (d + datetime.timedelta(days=2)).isoformat(), 500 + i, "a", modes[i % 4], "big-q", a, "%.1f" % p])
PY
"$tmp/pollagg" import --db "$tmp/p.db" "$tmp/big.csv" >/dev/null
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$tmp/pollagg" serve --db "$tmp/p.db" --addr "127.0.0.1:$port" ${SERVE_FLAGS:-} >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
a="http://127.0.0.1:$port"
rss() { awk '/^(VmRSS|VmHWM|RssAnon|RssFile)/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$pid/status"; echo; }
echo "pollagg with $n polls; after start: $(rss)"
last=$(( (n + 49) / 50 ))
printf '%-58s %10s %10s %8s\n' view bytes gzipped seconds
for lang in en ko; do
	for m in kalman loess weighted latest; do
		for extra in "" "&page=$last" "&sort=n"; do
			u="/questions/big-q?lang=$lang&method=$m$extra"
			out=$(curl -fsS -H 'Accept-Encoding: gzip' -o "$tmp/page.gz" -w '%{size_download} %{time_total}' "$a$u")
			raw=$(gunzip -c "$tmp/page.gz" | wc -c)
			printf '%-58s %10d %10d %8s\n' "$u" "$raw" "${out% *}" "${out#* }"
		done
	done
done
for f in "series?format=csv" "series" "polls?format=csv" "polls"; do
	out=$(curl -fsS -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download} %{time_total}' "$a/api/v1/questions/big-q/$f")
	printf '%-58s %10s %10d %8s\n' "/api/v1/questions/big-q/$f" - "${out% *}" "${out#* }"
done
echo "after every view once: $(rss)"
sleep 10
echo "10 s later, idle: $(rss)"
grep -h 'memory limit' "$tmp/serve.log" || echo "the memory limit stayed at its budget"
