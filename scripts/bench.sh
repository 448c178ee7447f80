#!/usr/bin/env bash
# Benchmark of the addon (PRODUCT.md, "Performance - benchmark protocol").
# A benchmark, never a test: it prints a table and writes JSON, and fails only
# when a measurement is invalid (e.g. the import did not create every line).
#
# Import throughput: on a fresh database, N entries from a local fake Harvest
# API (pages of 2,000) through action_sync(), against Odoo's own importer
# (account.analytic.line.load) and a plain ORM batch create() of the same
# lines, then the re-sync of the same unchanged entries. The same load() and
# create() run again in a second fresh database with hr_timesheet only (what
# Odoo alone costs, no billing), and the first import's time is broken down by
# billing stage (validation, periods, rating, routing).
#
# Usage: scripts/bench.sh [--entries N] [--repeat N] [--keep]
#   --entries N   entries to import (default 10000; 50000 for the full protocol)
#   --repeat N    run each measurement N times and keep the best (default 1)
#   --keep        keep the benchmark databases afterwards
# Environment: TBB_BENCH_DB (tbb_bench), TBB_BENCH_ODOO_DB (tbb_bench_odoo),
#   ODOO_SRC.
# Results: bench-results/import.json
set -euo pipefail
TBB_SCRIPT=bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENTRIES=10000
REPEAT=1
KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --entries)
            [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "--entries needs a positive number"
            ENTRIES="$2"
            shift
            ;;
        --entries=*)
            ENTRIES="${1#--entries=}"
            [[ "$ENTRIES" =~ ^[0-9]+$ && "$ENTRIES" -gt 0 ]] || die "--entries needs a positive number"
            ;;
        --repeat)
            [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "--repeat needs a positive number"
            REPEAT="$2"
            shift
            ;;
        --keep) KEEP=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown argument: $1 (try --help)" ;;
    esac
    shift
done
DB="${TBB_BENCH_DB:-tbb_bench}"
ODOO_DB="${TBB_BENCH_ODOO_DB:-tbb_bench_odoo}"

"$TBB_ROOT/scripts/setup.sh"
cd "$TBB_ROOT"

cleanup() {
    if [[ "$KEEP" == 0 ]]; then
        db_drop "$DB"
        db_drop "$ODOO_DB"
    fi
}
trap cleanup EXIT

say "creating a fresh database $DB with $TBB_MODULE (about 2 minutes)"
db_drop "$DB"
odoo_bin -d "$DB" -i "$TBB_MODULE" --stop-after-init --no-http --log-level=warn \
    || die "could not install $TBB_MODULE in $DB"
say "creating a fresh database $ODOO_DB with hr_timesheet only (about a minute)"
db_drop "$ODOO_DB"
odoo_bin -d "$ODOO_DB" -i hr_timesheet --stop-after-init --no-http --log-level=warn \
    || die "could not install hr_timesheet in $ODOO_DB"

mkdir -p "$TBB_ROOT/bench-results"
"$PY" "$TBB_ROOT/scripts/bench_import.py" --config "$CONF" --db "$DB" --odoo-db "$ODOO_DB" \
    --entries "$ENTRIES" --repeat "$REPEAT" --out "$TBB_ROOT/bench-results/import.json"
