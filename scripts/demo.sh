#!/usr/bin/env bash
# The main job on a machine with no Cloudsmith account: start a sandbox on a free loopback
# port, publish every fixture to it with pubsmith, print the results, stop the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VENV:-.venv}/bin
data=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT

"$bin/pubsmith" sandbox --port 0 --data "$data/sandbox" --repo demo/fixtures > "$data/url" &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$data/url" ] && break; sleep 0.1; done
url=$(head -n 1 "$data/url")
[ -n "$url" ] || { echo "demo: the sandbox did not start" >&2; exit 1; }
echo "sandbox listening at $url" >&2

export CLOUDSMITH_API_HOST=$url CLOUDSMITH_API_KEY=demo-key
# Every fixture in one call: those no format recognises by content come as FORMAT:PATH.
mapfile -t args < <("$bin/python" fixtures/catalog.py)
echo "publishing every fixture in one call..." >&2
"$bin/pubsmith" publish "${args[@]}" --repo demo/fixtures
