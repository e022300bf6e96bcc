#!/usr/bin/env bash
# Whole-process benchmark: `coupagen bundle` for the guide's example and for
# every catalog resource and every built-in use case, with peak memory; and, when node and the npm
# packages are there (npm ci), the tools people use today on the same jobs,
# in the same run: openapi-to-postmanv2 (a collection from an equivalent
# OpenAPI document) and Postman's curl generator (the guide's two requests).
#
# Needs: hyperfine, GNU time (/usr/bin/time), python3 (to read hyperfine's
# JSON). Debian: apt-get install hyperfine time. Usage: scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install hyperfine time python3)" >&2; exit 2; }
done

cargo build --release --locked --quiet
bin=$PWD/target/release/coupagen
domain=moveworks-usa-coupalink-demo.coupacloud.com
all=$("$bin" scopes --resources | awk 'NR > 1 { print $1 }' | paste -sd, -)
use_cases=$("$bin" use-cases --json | python3 -c 'import json,sys; print(",".join(u["id"] for u in json.load(sys.stdin)["use_cases"]))')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median_ms() { # FILE INDEX: the median of hyperfine's run INDEX, in ms
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.2f" % (r["median"]*1000))' "$1" "$2"
}
peak_mib() { # COMMAND...: the peak resident memory of one run, in MiB
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>&1
  awk '{ printf "%.1f", $1 / 1024 }' "$tmp/rss"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "coupagen $("$bin" --version | cut -d' ' -f2), $(echo "$all" | tr ',' '\n' | wc -l) catalog resources"
echo

guide=("$bin" bundle --domain "$domain" --out "$tmp/guide" --force)
every=("$bin" bundle --domain "$domain" --resource "$all" --use-case "$use_cases" --out "$tmp/all" --force)
hyperfine -N --style basic --warmup 20 --runs 300 --export-json "$tmp/bundle.json" \
  -n "bundle, guide example" "${guide[*]}" \
  -n "bundle, every resource and use case" "${every[*]}" >/dev/null 2>&1
printf '%-28s median %6s ms   peak RSS %5s MiB\n' \
  "bundle, guide example" "$(median_ms "$tmp/bundle.json" 0)" "$(peak_mib "${guide[@]}")" \
  "bundle, all + use cases" "$(median_ms "$tmp/bundle.json" 1)" "$(peak_mib "${every[@]}")"

if ! command -v node >/dev/null || [ ! -d node_modules/openapi-to-postmanv2 ]; then
  echo
  echo "peers skipped: they need node and the npm packages (npm ci)"
  exit 0
fi

echo
echo "side by side, the same job (medians; ratio = peer / coupagen):"
ours_collection=("$bin" postman --domain "$domain" --scope core.expense.read -o "$tmp/ours.json" --force)
ours_curl=("$bin" curl --domain "$domain" --scope core.expense.read)
peer_collection=(node bench/openapi-to-postman.js bench/coupa-openapi.yaml "$tmp/peer.json")
peer_curl=(node bench/codegen-curl.js)
hyperfine -N --style basic --warmup 3 --runs 30 --export-json "$tmp/peers.json" \
  -n "coupagen postman" "${ours_collection[*]}" \
  -n "openapi-to-postmanv2" "${peer_collection[*]}" \
  -n "coupagen curl" "${ours_curl[*]}" \
  -n "postman-code-generators curl" "${peer_curl[*]}" >/dev/null 2>&1
row() { # NAME INDEX COMMAND...
  local name=$1 index=$2
  shift 2
  printf '  %-30s %9s ms   peak RSS %6s MiB\n' "$name" "$(median_ms "$tmp/peers.json" "$index")" "$(peak_mib "$@")"
}
ratio() { python3 -c 'import sys; print("%.0fx" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
row "coupagen postman" 0 "${ours_collection[@]}"
row "openapi-to-postmanv2" 1 "${peer_collection[@]}"
row "coupagen curl" 2 "${ours_curl[@]}"
row "postman-code-generators curl" 3 "${peer_curl[@]}"
echo "  collection: coupagen is $(ratio "$(median_ms "$tmp/peers.json" 1)" "$(median_ms "$tmp/peers.json" 0)") faster than openapi-to-postmanv2"
echo "  curl:       coupagen is $(ratio "$(median_ms "$tmp/peers.json" 3)" "$(median_ms "$tmp/peers.json" 2)") faster than postman-code-generators"
