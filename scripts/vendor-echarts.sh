#!/usr/bin/env bash
# vendor-echarts.sh: copies Apache ECharts from its npm package into
# web/static/echarts/, where go:embed picks it up, so that pollagg serves
# the chart library itself and no page asks another host for anything.
#
# It runs `npm pack echarts@VERSION` in a temporary directory, extracts
# dist/echarts.min.js, LICENSE and NOTICE (ECharts is Apache-2.0: the
# licence and notice travel with the file), and writes SHA256SUMS. The
# files are committed; run this only to change the version:
#
#	bash scripts/vendor-echarts.sh          # 5.6.0
#	bash scripts/vendor-echarts.sh 5.6.0
#	bash scripts/vendor-echarts.sh --check  # verify the committed files against SHA256SUMS
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/web/static/echarts"

if [ "${1:-}" = "--check" ]; then
	cd "$dest" && sha256sum --quiet -c SHA256SUMS
	exit
fi

version="${1:-5.6.0}"
command -v npm >/dev/null || { echo "vendor-echarts: npm is needed (apt-get install npm)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
tarball="$(npm pack --silent "echarts@$version")"
tar -xzf "$tarball" package/dist/echarts.min.js package/LICENSE package/NOTICE

mkdir -p "$dest"
cp package/dist/echarts.min.js package/LICENSE package/NOTICE "$dest/"
cd "$dest"
{
	echo "# echarts@$version from npm ($tarball, sha256 $(sha256sum "$tmp/$tarball" | cut -d' ' -f1))"
	sha256sum echarts.min.js LICENSE NOTICE
} >SHA256SUMS.tmp
# sha256sum -c ignores neither comments nor blank lines on every system:
# keep the provenance line in a separate file.
head -n1 SHA256SUMS.tmp | sed 's/^# //' >VERSION
tail -n +2 SHA256SUMS.tmp >SHA256SUMS
rm SHA256SUMS.tmp
echo "vendor-echarts: echarts@$version → ${dest#$root/} ($(wc -c <echarts.min.js) bytes)"
