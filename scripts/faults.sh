#!/usr/bin/env bash
# The fault tests at a size CI cannot afford: hundreds of SIGKILLs of a
# bundle mid-run and a hundred two-run races into one folder, each printing
# its counts. Usage: scripts/faults.sh [KILLS] [RACES]
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-300} RACES=${2:-100} cargo test --locked --test integration -- \
  faults::a_killed_bundle_leaves_no_torn_file_and_the_next_run_cleans_up \
  faults::two_bundles_into_one_folder_never_mix --nocapture
