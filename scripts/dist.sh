#!/usr/bin/env bash
# The release binary: the dist profile (Cargo.toml: fat LTO, one codegen
# unit), then linked again with the functions its common jobs run placed
# together at the start of the code (lld's --symbol-ordering-file, from a
# profile of this very build).
#
# Why: the kernel maps a program's code 64 KiB at a time around each page
# it runs (fault-around), and LLVM scatters the ~1.6 MB a bundle runs over
# the 6.4 MB of code (verify's, mcp's and the unused parts of every crate
# between). A big kit's bundle had 3.5 to 3.9 MiB of code resident; laid
# out, 1.8 (issue 23's <= 10 MiB peak: 10.5 -> 8.9 MiB). Output is
# unchanged: only where the functions lie moves.
#
# The profile: callgrind runs the jobs scripts/bench.sh measures (and a user
# consent kit) on the build as it stands; every function of the binary it
# saw run is listed, by name, sorted. The relink changes no code, so the
# names match (lld warns of any that do not).
#
# Needs: valgrind (Debian: apt-get install valgrind), and lld as the linker:
# Rust's default on x86_64 Linux since 1.90 (mold takes the same flag).
# Usage: scripts/dist.sh      prints the binary's path last. The first run
# builds twice (a fat-LTO build each); a rerun of an unchanged tree, none.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "error: valgrind is needed to profile the build (apt-get install valgrind)" >&2; exit 2; }

target=${CARGO_TARGET_DIR:-$PWD/target}/dist
bin=$target/coupagen
# The order the binary is linked in, named by its content: cargo knows a
# link argument, not what the file it names holds, so a new order is a new
# name, and an unchanged one leaves the last build fresh (a rerun costs one
# profile, no build).
orders=$target/symbol-orders
current=$target/coupagen.symbol-order
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$orders"

build() { # [ORDER]: the dist binary, linked in ORDER's order when given
  if [ -n "${1:-}" ]; then
    cargo rustc --profile dist --locked --quiet --bin coupagen -- -C "link-arg=-Wl,--symbol-ordering-file=$1"
  else
    cargo build --profile dist --locked --quiet --bin coupagen
  fi
}
last=
if [ -s "$current" ]; then
  last=$orders/$(sha256sum "$current" | cut -c1-16)
  [ -s "$last" ] || cp "$current" "$last"
fi
build "$last"

domain=moveworks-usa-coupalink-demo.coupacloud.com
all=$("$bin" scopes --resources | awk 'NR > 1 { print $1 }' | paste -sd, -)
use_cases=$("$bin" use-cases --json | python3 -c 'import json,sys; print(",".join(u["id"] for u in json.load(sys.stdin)["use_cases"]))')
jobs=(
  "curl --domain $domain"
  "postman --domain $domain -o $work/collection.json"
  "bundle --domain $domain --out $work/guide"
  "bundle --domain $domain --grant authorization-code --moveworks-org acme --out $work/consent"
  "bundle --domain $domain --resource $all --use-case $use_cases --out $work/all"
)
for i in "${!jobs[@]}"; do
  # shellcheck disable=SC2086 # each job is its words
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/profile.$i" \
    "$bin" ${jobs[$i]} >/dev/null 2>"$work/valgrind.$i" || {
    echo "error: profiling \`coupagen ${jobs[$i]%% *}\` failed:" >&2
    tail -5 "$work/valgrind.$i" >&2
    exit 1
  }
done

# Callgrind names a function once per file, `fn=(N) name` (or cfn= for a
# callee); the binary's own functions are those nm lists as code.
sed -n 's/^c\{0,1\}fn=([0-9]*) \(.*\)$/\1/p' "$work"/profile.* | LC_ALL=C sort -u >"$work/ran"
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | LC_ALL=C sort -u >"$work/defined"
# With the functions of the last order that this build still has: which
# lock paths run depends on the threads' race, and a function once seen
# stays, so that reruns settle on one order instead of relinking.
LC_ALL=C sort -u "$work/ran" ${last:+"$current"} | LC_ALL=C comm -12 - "$work/defined" >"$work/order"
[ -s "$work/order" ] || { echo "error: the profile named none of the binary's functions" >&2; exit 1; }

order=$orders/$(sha256sum "$work/order" | cut -c1-16)
if [ "$order" != "$last" ]; then
  cp "$work/order" "$order"
  build "$order"
  cp "$order" "$current"
fi
echo "laid out $(wc -l <"$current") functions first ($current)" >&2
echo "$bin"
