#!/usr/bin/env bash
# Whole-process benchmark against issue 15's targets: `coupagen curl`,
# `coupagen postman -o FILE` and `coupagen bundle` (the guide's example, and
# every catalog resource with every built-in use case), with peak memory.
#
# Files are written twice: to RAM (/dev/shm, where a sync costs nothing: the
# tool's own cost) and to disk (this machine's disk, where making, syncing and
# replacing files costs what its filesystem makes it cost; CONTRIBUTING.md
# says what that is here). Peak memory is the median of 9 runs.
#
# When node and the npm packages are there (npm ci), the tools people use
# today on the same jobs run in the same hyperfine run: openapi-to-postmanv2
# (a collection from an equivalent OpenAPI document) and Postman's curl
# generator (the guide's two requests).
#
# Then the same files written by the bundle's own write_bundle with no
# rendering (examples/disk_floor.rs): the floor the filesystem sets under a
# bundle.
#
# Needs: hyperfine, GNU time (/usr/bin/time), python3 (to read hyperfine's
# JSON). Debian: apt-get install hyperfine time. Usage: scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install hyperfine time python3)" >&2; exit 2; }
done

cargo build --release --locked --quiet --bin coupagen --example disk_floor
bin=$PWD/target/release/coupagen
floor=$PWD/target/release/examples/disk_floor
domain=moveworks-usa-coupalink-demo.coupacloud.com
all=$("$bin" scopes --resources | awk 'NR > 1 { print $1 }' | paste -sd, -)
use_cases=$("$bin" use-cases --json | python3 -c 'import json,sys; print(",".join(u["id"] for u in json.load(sys.stdin)["use_cases"]))')
disk=$(mktemp -d)
ram=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then ram=$(mktemp -d -p /dev/shm); fi
trap 'rm -rf "$disk" ${ram:+"$ram"}' EXIT
peers=
if command -v node >/dev/null && [ -d node_modules/openapi-to-postmanv2 ]; then peers=1; fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "coupagen $("$bin" --version | cut -d' ' -f2), $(echo "$all" | tr ',' '\n' | wc -l) catalog resources"
echo

# Each job: a name, its target, and the command with DIR where it writes.
names=() targets=() commands=()
job() { names+=("$1"); targets+=("$2"); commands+=("$3"); }
job "coupagen curl, guide example" "<= 2 ms" "$bin curl --domain $domain"
job "coupagen postman -o FILE, guide" "<= 3 ms" "$bin postman --domain $domain -o DIR/collection.json --force"
job "bundle, guide example" "<= 5 ms" "$bin bundle --domain $domain --out DIR/guide --force"
job "bundle, all + use cases" "<= 25 ms" "$bin bundle --domain $domain --resource $all --use-case $use_cases --out DIR/all --force"

# One hyperfine run: each job to disk, then to RAM, then the peers.
args=()
for i in "${!names[@]}"; do
  args+=(-n "disk $i" "${commands[$i]//DIR/$disk}")
  if [ -n "$ram" ]; then args+=(-n "ram $i" "${commands[$i]//DIR/$ram}"); fi
done
if [ -n "$peers" ]; then
  args+=(-n "peer postman" "node bench/openapi-to-postman.js bench/coupa-openapi.yaml $disk/peer.json")
  args+=(-n "peer curl" "node bench/codegen-curl.js")
fi
hyperfine -N --style basic --warmup 5 --runs 40 --export-json "$disk/runs.json" "${args[@]}" >/dev/null 2>&1

median() { # NAME: the median of that hyperfine command, in ms; "-" if it did not run
  python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["command"] == sys.argv[2]:
        print("%.2f" % (r["median"] * 1000)); break
else:
    print("-")' "$disk/runs.json" "$1"
}
peak_mib() { # COMMAND: the median peak resident memory of 9 runs, in MiB
  # One run's peak moves by a few hundred KiB (where the loader puts the code,
  # how the render threads' work interleaves), so one run is not a figure.
  : >"$disk/rss"
  for _ in 1 2 3 4 5 6 7 8 9; do
    # shellcheck disable=SC2086 # the command is words
    /usr/bin/time -f '%M' -a -o "$disk/rss" $1 >/dev/null 2>&1
  done
  sort -n "$disk/rss" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1024 }'
}

printf '%-34s %10s %10s %10s   %s\n' "medians, whole process" "RAM" "disk" "peak RSS" "target"
for i in "${!names[@]}"; do
  printf '%-34s %7s ms %7s ms %6s MiB   %s\n' "${names[$i]}" \
    "$(median "ram $i")" "$(median "disk $i")" "$(peak_mib "${commands[$i]//DIR/$disk}")" "${targets[$i]}"
done
echo "(peak memory target: <= 10 MiB each)"

# The same files written by the bundle's own write_bundle, with no rendering
# at all: what the filesystem alone costs a bundle (examples/disk_floor.rs;
# median of 40).
floor_ms() { "$floor" "$1" "$2" 40; } # KIT DIR
echo
echo "the write alone, no rendering (examples/disk_floor, median of 40 replacements):"
for kit in guide all; do
  printf '  %-32s %7s ms RAM %7s ms disk\n' "bundle, $kit" \
    "$(if [ -n "$ram" ]; then floor_ms "$disk/$kit" "$ram/floor-$kit"; else echo -; fi)" \
    "$(floor_ms "$disk/$kit" "$disk/floor-$kit")"
done

if [ -z "$peers" ]; then
  echo
  echo "peers skipped: they need node and the npm packages (npm ci)"
  exit 0
fi
ratio() { python3 -c 'import sys; print("%.0fx" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
echo
echo "side by side, the same job, to disk (ratio = peer / coupagen; target >= 100x for the collection):"
printf '  %-34s %9s ms   peak RSS %6s MiB\n' \
  "openapi-to-postmanv2" "$(median "peer postman")" "$(peak_mib "node bench/openapi-to-postman.js bench/coupa-openapi.yaml $disk/peer.json")" \
  "postman-code-generators curl" "$(median "peer curl")" "$(peak_mib "node bench/codegen-curl.js")"
echo "  collection: coupagen is $(ratio "$(median "peer postman")" "$(median "disk 1")") faster than openapi-to-postmanv2"
echo "  curl:       coupagen is $(ratio "$(median "peer curl")" "$(median "disk 0")") faster than postman-code-generators"
