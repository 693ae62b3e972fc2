#!/usr/bin/env bash
# Fetches the pinned plotly.js that interactive charts (Chart.Interactive()) read, into notebooks/.plotly/ (ignored by
# git): npm's plotly.js-dist-min, checked by npm against the registry's integrity hash. Nothing is fetched when a
# chart is viewed; the notebook output carries the script itself.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.1.2
target=notebooks/.plotly
if [ -f "$target/plotly.min.js" ] && grep -q "v$version" "$target/VERSION" 2>/dev/null; then
  echo "plotly.js $version is already in $target"; exit 0
fi
command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-dist-min@$version" >/dev/null)
tar -xzf "$work"/plotly.js-dist-min-$version.tgz -C "$work"
mkdir -p "$target"
cp "$work/package/plotly.min.js" "$target/plotly.min.js"
echo "v$version" > "$target/VERSION"
echo "plotly.js $version → $target/plotly.min.js ($(wc -c < "$target/plotly.min.js") bytes)"
