# shellcheck shell=bash
# The benchmark's kits: the example instance, every catalog resource and
# every built-in use case, as scripts/bench.sh times them and
# scripts/dist.sh profiles them. Sourced, not run.
# shellcheck disable=SC2034 # read by the scripts that source this
domain=moveworks-usa-coupalink-demo.coupacloud.com
resources() { # BIN: every catalog resource BIN knows, comma-separated
  "$1" scopes --resources | awk 'NR > 1 { print $1 }' | paste -sd, -
}
use_case_ids() { # BIN: every use case id BIN knows, a line each
  "$1" use-cases --json | python3 -c 'import json,sys; print("\n".join(u["id"] for u in json.load(sys.stdin)["use_cases"]))'
}
