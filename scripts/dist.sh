#!/usr/bin/env bash
# The release binary: the dist profile (Cargo.toml: fat LTO, one codegen
# unit), then linked again with the functions its common jobs run placed
# together at the start of the code (lld's --symbol-ordering-file, from a
# profile of this very build).
#
# Why: the kernel maps a program's code 64 KiB at a time around each page
# it runs (fault-around), and LLVM scatters the ~1.6 MB a bundle runs over
# the 6.4 MB of code (verify's, mcp's and the unused parts of every crate
# between): laid out, a big kit's bundle holds half the code pages it did
# (CONTRIBUTING.md, Performance, round 40). Output is unchanged: only where
# the functions lie moves.
#
# The profile: callgrind runs jobs like those scripts/bench.sh measures, on
# the same kits (scripts/kits.sh), and a user consent kit, on the build as
# it stands, on one CPU, so that one render thread runs; every function of
# the binary it saw run is listed, by name, sorted, and only names nm lists
# are kept (the relink changes no code, so the names stay the binary's own).
# The list can still differ by a lock's contended path (2 of 950 functions
# seen: the main thread waits on the render thread), and then a rerun
# links again, to the same effect.
#
# Needs: valgrind (Debian: apt-get install valgrind), python3, nm
# (binutils) and taskset, and lld as the linker: Rust's default
# on x86_64 Linux since 1.90 (mold takes the same flag).
# Usage: scripts/dist.sh      prints the binary's path last. The first run,
# and a run after a source change, build twice (a fat-LTO build each); a
# rerun of an unchanged tree profiles again and builds nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in valgrind python3 nm taskset; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed to profile the build (apt-get install valgrind python3 binutils util-linux)" >&2; exit 2; }
done

target=${CARGO_TARGET_DIR:-$PWD/target}/dist
bin=$target/coupagen
# The order the binary was last linked in. Cargo does not rebuild for a
# changed `cargo rustc` argument alone (seen: Fresh), nor for what a file
# it names holds, so a new order marks the binary's source changed (touch)
# to be linked again; an unchanged order leaves the last build fresh.
order=$target/coupagen.symbol-order
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() { # the dist binary, in the last order when there is one
  if [ -s "$order" ]; then
    cargo rustc --profile dist --locked --quiet --bin coupagen -- -C "link-arg=-Wl,--symbol-ordering-file=$order"
  else
    cargo build --profile dist --locked --quiet --bin coupagen
  fi
}
build

# shellcheck source=scripts/kits.sh
. scripts/kits.sh
all=$(resources "$bin")
use_cases=$(use_case_ids "$bin" | paste -sd, -)
# Each job's words; what a job writes goes to the work folder (relative
# paths, so no path of the machine is split into words).
jobs=(
  "curl --domain $domain"
  "postman --domain $domain -o collection.json"
  "bundle --domain $domain --out guide"
  "bundle --domain $domain --grant authorization-code --moveworks-org acme --out consent"
  "bundle --domain $domain --resource $all --use-case $use_cases --out all"
)
for i in "${!jobs[@]}"; do
  # shellcheck disable=SC2086 # each job is its words
  (cd "$work" && taskset -c 0 valgrind --tool=callgrind --demangle=no --callgrind-out-file="profile.$i" \
    "$bin" ${jobs[$i]} >/dev/null 2>"valgrind.$i") || {
    echo "error: profiling \`coupagen ${jobs[$i]%% *}\` failed:" >&2
    tail -5 "$work/valgrind.$i" >&2
    exit 1
  }
done

# Callgrind names a function once per file, `fn=(N) name` (or cfn= for a
# callee); the binary's own functions are those nm lists as code.
sed -n 's/^c\{0,1\}fn=([0-9]*) \(.*\)$/\1/p' "$work"/profile.* | LC_ALL=C sort -u >"$work/ran"
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | LC_ALL=C sort -u >"$work/defined"
LC_ALL=C comm -12 "$work/ran" "$work/defined" >"$work/order"
[ -s "$work/order" ] || { echo "error: the profile named none of the binary's functions" >&2; exit 1; }

if ! cmp -s "$work/order" "$order"; then
  cp "$work/order" "$order"
  touch src/main.rs
  build
fi
echo "laid out $(wc -l <"$order") functions first ($order)" >&2
echo "$bin"
