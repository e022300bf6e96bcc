#!/usr/bin/env bash
# Whole-process benchmark against issue 23's targets, stated as ratios to a
# Rust hello-world's whole process (examples/hello_world.rs) measured in the
# same interleaved run, so that the machine's drift cancels:
# `coupagen curl` (<= 2x), `coupagen postman -o FILE` (<= 3x), `bundle` of the
# guide's example (<= 5x) and of every catalog resource with every built-in
# use case (<= 25x, <= 10 MiB peak memory).
#
# Targets are read with the kit written to RAM (/dev/shm, where a sync costs
# nothing: the tool's own cost). The bundles are also written to disk, beside
# the same files written by the bundle's own write_bundle with no rendering
# (examples/disk_floor.rs): the time above that floor is coupagen's.
#
# Interleaved: hyperfine runs all of one command's runs before the next
# command's, so a slow minute would land on one command alone. Instead there
# are ROUNDS rounds (40), and each round runs every command once, after one
# warm-up, in an order rotated by one each round; a median is over the
# rounds. With BASELINE (another build's coupagen binary), each job also runs
# with it in every round: before and after, interleaved.
#
# When node and the npm packages are there (npm ci), the tools people use
# today on the same jobs run too: openapi-to-postmanv2 (a collection from an
# equivalent OpenAPI document; target: coupagen >= 100x faster) and Postman's
# curl generator (the guide's two requests).
#
# Needs: hyperfine, GNU time (/usr/bin/time), python3 (to read hyperfine's
# JSON), valgrind (scripts/dist.sh). Debian: apt-get install hyperfine time
# valgrind.
# Usage: scripts/bench.sh [BASELINE]
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in hyperfine /usr/bin/time python3 valgrind; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install hyperfine time python3 valgrind)" >&2; exit 2; }
done

baseline=${1:-}
if [ -n "$baseline" ]; then
  [ -x "$baseline" ] || { echo "error: BASELINE $baseline is not an executable coupagen" >&2; exit 2; }
  baseline=$(cd "$(dirname "$baseline")" && pwd)/$(basename "$baseline")
fi

# The release binary (scripts/dist.sh: the dist profile, laid out by its
# profile); the examples in the same profile.
bin=$(scripts/dist.sh)
cargo build --profile dist --locked --quiet --example disk_floor --example hello_world
target=${CARGO_TARGET_DIR:-$PWD/target}/dist
hello=$target/examples/hello_world
floor=$target/examples/disk_floor
# shellcheck source=scripts/kits.sh
. scripts/kits.sh
all=$(resources "$bin")
# With a baseline, the use cases both builds know: the same work for each.
if [ -n "$baseline" ]; then
  use_cases=$(comm -12 <(use_case_ids "$bin" | sort) <(use_case_ids "$baseline" | sort) | paste -sd, -)
else
  use_cases=$(use_case_ids "$bin" | paste -sd, -)
fi
disk=$(mktemp -d)
ram=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then ram=$(mktemp -d -p /dev/shm); fi
trap 'rm -rf "$disk" ${ram:+"$ram"}' EXIT
peers=
if command -v node >/dev/null && [ -d node_modules/openapi-to-postmanv2 ]; then peers=1; fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "coupagen $("$bin" --version | cut -d' ' -f2), $(echo "$all" | tr ',' '\n' | wc -l) catalog resources${baseline:+; baseline $baseline}"
echo

# Each job: a name, its target (times hello-world, in RAM), and the command,
# with BIN for the binary and DIR where it writes.
names=() targets=() commands=()
job() { names+=("$1"); targets+=("$2"); commands+=("$3"); }
job "coupagen curl, guide example" 2 "BIN curl --domain $domain"
job "coupagen postman -o FILE, guide" 3 "BIN postman --domain $domain -o DIR/collection.json --force"
job "bundle, guide example" 5 "BIN bundle --domain $domain --out DIR/guide --force"
job "bundle, all + use cases" 25 "BIN bundle --domain $domain --resource $all --use-case $use_cases --out DIR/all --force"
run_of() { # INDEX BIN DIR: that job's command line
  local c=${commands[$1]//BIN/$2}
  echo "${c//DIR/$3}"
}

# Every command, as hyperfine's `-n NAME COMMAND`: hello-world, each job to
# RAM (and with the baseline), the bundles to disk, the peers.
args=(-n hello "$hello")
for i in "${!names[@]}"; do
  if [ -n "$ram" ]; then
    args+=(-n "ram $i" "$(run_of "$i" "$bin" "$ram")")
    if [ -n "$baseline" ]; then args+=(-n "base ram $i" "$(run_of "$i" "$baseline" "$ram/base")"); fi
  fi
  if [ "$i" -ge 2 ]; then
    args+=(-n "disk $i" "$(run_of "$i" "$bin" "$disk")")
    if [ -n "$baseline" ]; then args+=(-n "base disk $i" "$(run_of "$i" "$baseline" "$disk/base")"); fi
  fi
done
if [ -n "$peers" ]; then
  args+=(-n "peer postman" "node bench/openapi-to-postman.js bench/coupa-openapi.yaml $disk/peer.json")
  args+=(-n "peer curl" "node bench/codegen-curl.js")
fi
mkdir -p "$disk/base" "$disk/rounds" ${ram:+"$ram/base"}
rounds=${ROUNDS:-40}
count=$((${#args[@]} / 3))
for ((r = 0; r < rounds; r++)); do
  order=()
  for ((k = 0; k < count; k++)); do
    j=$(((k + r) % count))
    order+=("${args[@]:$((j * 3)):3}")
  done
  hyperfine -N --style none --warmup 1 --runs 1 --export-json "$disk/rounds/$r.json" "${order[@]}" >>"$disk/hyperfine.log" 2>&1 || {
    echo "error: hyperfine failed in round $r (a command exits non-zero?):" >&2
    tail -5 "$disk/hyperfine.log" >&2
    exit 1
  }
done

median() { # NAME: that command's median over the rounds, in ms; "-" if it did not run
  python3 -c '
import glob, json, statistics, sys
times = [r["times"][0] for f in glob.glob(sys.argv[1] + "/*.json")
         for r in json.load(open(f))["results"] if r["command"] == sys.argv[2]]
print("%.2f" % (statistics.median(times) * 1000) if times else "-")' "$disk/rounds" "$1"
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

ratio() { # A B: A / B, two places; "-" when either is missing
  python3 -c 'import sys
a, b = sys.argv[1:]
print("-" if "-" in (a, b) else "%.2f" % (float(a) / float(b)))' "$1" "$2"
}
h=$(median hello)
ram_dir=${ram:-$disk}
echo "hello-world: $h ms (the unit below); RAM is /dev/shm"
printf '%-34s %9s %8s %6s %10s' "medians, whole process" "RAM" "x hello" "target" "peak RSS"
if [ -n "$baseline" ]; then printf ' %9s %8s' "baseline" "x hello"; fi
echo
for i in "${!names[@]}"; do
  r=$(median "ram $i")
  x=$(ratio "$r" "$h")
  met=$(python3 -c 'import sys; print("met" if sys.argv[1] != "-" and float(sys.argv[1]) <= float(sys.argv[2]) else "NOT met")' "$x" "${targets[$i]}")
  printf '%-34s %6s ms %7sx %5sx %6s MiB %s' "${names[$i]}" "$r" "$x" "${targets[$i]}" \
    "$(peak_mib "$(run_of "$i" "$bin" "$ram_dir")")" "$met"
  if [ -n "$baseline" ]; then
    br=$(median "base ram $i")
    printf '   %6s ms %7sx (peak %s MiB)' "$br" "$(ratio "$br" "$h")" "$(peak_mib "$(run_of "$i" "$baseline" "$ram_dir/base")")"
  fi
  echo
done
echo "(peak memory target: <= 10 MiB, the last row)"

# The same files written by the bundle's own write_bundle, with no rendering
# at all: what the filesystem alone costs a bundle (examples/disk_floor.rs;
# median of 40).
floor_ms() { "$floor" "$1" "$2" 40; } # KIT DIR
echo
echo "on disk, beside the same files written with no rendering (examples/disk_floor, median of 40):"
printf '  %-26s %9s %9s %14s' "" "bundle" "floor" "above floor"
if [ -n "$baseline" ]; then printf ' %14s' "baseline"; fi
echo
for i in 2 3; do
  kit=$([ "$i" = 2 ] && echo guide || echo all)
  d=$(median "disk $i")
  f=$(floor_ms "$disk/$kit" "$disk/floor-$kit")
  printf '  %-26s %6s ms %6s ms %11s ms' "bundle, $kit" "$d" "$f" \
    "$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$d" "$f")"
  if [ -n "$baseline" ]; then printf ' %11s ms' "$(median "base disk $i")"; fi
  echo
done

if [ -z "$peers" ]; then
  echo
  echo "peers skipped: they need node and the npm packages (npm ci)"
  exit 0
fi
echo
echo "side by side, the same job (ratio = peer / coupagen, in RAM; target >= 100x for the collection):"
printf '  %-34s %9s ms   peak RSS %6s MiB\n' \
  "openapi-to-postmanv2" "$(median "peer postman")" "$(peak_mib "node bench/openapi-to-postman.js bench/coupa-openapi.yaml $disk/peer.json")" \
  "postman-code-generators curl" "$(median "peer curl")" "$(peak_mib "node bench/codegen-curl.js")"
echo "  collection: coupagen is $(ratio "$(median "peer postman")" "$(median "ram 1")")x faster than openapi-to-postmanv2"
echo "  curl:       coupagen is $(ratio "$(median "peer curl")" "$(median "ram 0")")x faster than postman-code-generators"
