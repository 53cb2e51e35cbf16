#!/usr/bin/env bash
# build.sh: builds the slim Apache ECharts bundle pollagg serves,
# web/static/echarts/echarts.min.js, from the npm packages pinned in
# package-lock.json (echarts 5.6.0, esbuild 0.28.2): entry.js picks the parts
# the charts draw, esbuild bundles and minifies them. It minifies pollagg's
# own page scripts too, web/js/*.js into web/static/. The same lock file
# gives the same bytes, so the committed files can be checked:
#
#	make assets                          # npm ci, build, copy LICENSE and NOTICE, write the SHA256SUMS
#	bash scripts/echarts/build.sh --check  # verify the committed files against SHA256SUMS
#
# The bundle, LICENSE and NOTICE (ECharts is Apache-2.0) are committed, so
# building and testing pollagg needs only Go; this needs Node and npm.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="$root/web/static/echarts"

if [ "${1:-}" = "--check" ]; then
	(cd "$dest" && sha256sum --quiet -c SHA256SUMS) && (cd "$root" && sha256sum --quiet -c web/js/SHA256SUMS)
	exit
fi

command -v npm >/dev/null || { echo "echarts build: npm is needed (apt-get install npm)" >&2; exit 1; }
cd "$here"
npm ci --no-audit --no-fund --silent
version="$(node -p 'require("echarts/package.json").version')"
banner="/*! Apache ECharts $version (parts: scripts/echarts/entry.js), Copyright The Apache Software Foundation; Apache License 2.0, see LICENSE and NOTICE beside this file */"
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
	--target=es2017 --log-level=warning "--banner:js=$banner" --outfile="$dest/echarts.min.js"
cp node_modules/echarts/LICENSE node_modules/echarts/NOTICE "$dest/"
cd "$dest"
echo "echarts@$version from npm, bundled by scripts/echarts (entry.js, esbuild@$(node -p 'require("'"$here"'/node_modules/esbuild/package.json").version'))" >VERSION
sha256sum echarts.min.js LICENSE NOTICE >SHA256SUMS
echo "echarts build: echarts@$version → ${dest#$root/}/echarts.min.js ($(wc -c <echarts.min.js) bytes, $(gzip -9 -c echarts.min.js | wc -c) gzipped)"

# pollagg's own page scripts: web/js/NAME.js, minified by the same esbuild
# into web/static/NAME.js, which the pages load. web/js/SHA256SUMS holds
# the sums of both, so that a test can tell when a script was edited and
# not built again.
cd "$here"
for src in "$root"/web/js/*.js; do
	name="$(basename "$src")"
	./node_modules/.bin/esbuild "$src" --minify --target=es2017 --legal-comments=none --log-level=warning \
		"--banner:js=/* pollagg web/js/$name, minified by make assets */" --outfile="$root/web/static/$name"
	echo "page script: web/js/$name ($(gzip -9 -c "$src" | wc -c) B gzipped) → web/static/$name ($(gzip -9 -c "$root/web/static/$name" | wc -c) B)"
done
cd "$root"
sha256sum web/js/*.js $(for src in web/js/*.js; do echo "web/static/$(basename "$src")"; done) >web/js/SHA256SUMS
