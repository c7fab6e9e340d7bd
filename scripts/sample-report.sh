#!/bin/sh
# Regenerates reports/sample/, the report README.md shows, from scratch on this machine:
# check (every design x every scenario x sc,tso,weak, with a reduced budget of 3000
# executions per cell: the report's legend and Reproduce section say so), litmus (the LKMM
# corpus under sc,tso,weak), bench --quick (native, and the simulated scale sweep), then
# `fence-lab report --from` those three and the saved necessity runs.
# The raw results go to .cache/sample-report/ (not committed: the check file is ~2 MB);
# reports/sample/ gets what the report writes. Prints how long each step took.
#
#   scripts/sample-report.sh            # about 7 minutes on a 2-core machine
set -eu
cd "$(dirname "$0")/.."
out=reports/sample
inputs=.cache/sample-report
lab="node bin/fence-lab.js"

rm -rf "$out" "$inputs"
mkdir -p "$out" "$inputs"

# run NAME OK_STATUSES COMMAND...: runs COMMAND, accepting the listed exit statuses
run() {
  name=$1 ok=$2
  shift 2
  start=$(date +%s)
  status=0
  "$@" || status=$?
  case " $ok " in
    *" $status "*) ;;
    *) echo "sample-report: $name failed (exit $status)" >&2; exit 1 ;;
  esac
  echo "sample-report: $name: $(($(date +%s) - start)) s (exit $status)" >&2
}

# exit 1 = a verdict differs from its scenario file: the report lists it, so go on
run check "0 1" $lab check --json --quiet --executions 3000 --out "$inputs/check.json" >/dev/null
# exit 1 = a test disagrees with LKMM (weak has one known gap, LB+poonceonces): the report says which
run litmus "0 1" sh -c "$lab litmus ../shared/litmus/lkmm --model sc,tso,weak --json > $inputs/litmus.json"
# exit 1 = a benchmark thread failed: its rows carry the error and the report lists them
run bench "0 1" $lab bench --quick --quiet --json --out "$inputs/bench.json" >/dev/null
# the necessity runs of the two barrier designs (reports/necessity/, fence-lab necessity at
# check's default budgets: tens of minutes each, so saved rather than re-run here)
run report "0" $lab report --quiet --from "$inputs/check.json" --from "$inputs/litmus.json" --from "$inputs/bench.json" \
  --from reports/necessity/barrier-lockless.json --from reports/necessity/barrier-lockless-bit-at-end.json --out "$out" >/dev/null

ls -l "$out" >&2
