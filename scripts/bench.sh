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
# Invoicing throughput: on a fresh database with sale_timesheet too, one invoice
# run drafts the invoices of 100 contracts x 50 approved lines, against
# sale_timesheet's _create_invoices() of 100 sales orders x 50 timesheet lines,
# and the posting of both.
#
# File import: on a fresh database, generated clean exports (a CSV of 20,000
# rows, then a CSV and an XLSX of --rows rows) through the upload wizard:
# rows per second and the peak resident memory of each import.
#
# Usage: scripts/bench.sh [--only import|invoice|files] [--entries N]
#                         [--contracts N] [--lines N] [--rows N] [--repeat N]
#                         [--keep]
#   --only X      run one benchmark (default: all three)
#   --entries N   entries to import (default 10000; 50000 for the full protocol)
#   --rows N      rows of the big files of the file benchmark (default 100000)
#   --contracts N contracts and sales orders to invoice (default 100)
#   --lines N     approved lines per contract (default 50)
#   --repeat N    run each measurement N times and keep the best (default 1)
#   --keep        keep the benchmark databases afterwards
# Environment: TBB_BENCH_DB (tbb_bench), TBB_BENCH_ODOO_DB (tbb_bench_odoo),
#   TBB_BENCH_SALE_DB (tbb_bench_sale), TBB_BENCH_FILES_DB (tbb_bench_files),
#   ODOO_SRC.
# Results: bench-results/import.json, bench-results/invoice.json,
#   bench-results/files.json
set -euo pipefail
TBB_SCRIPT=bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENTRIES=10000
CONTRACTS=100
LINES=50
ROWS=100000
REPEAT=1
KEEP=0
ONLY=""
positive() { # option value
    [[ "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die "$1 needs a positive number"
}
while [[ $# -gt 0 ]]; do
    case "$1" in
        --only)
            [[ $# -ge 2 && "$2" =~ ^(import|invoice|files)$ ]] \
                || die "--only takes import, invoice or files"
            ONLY="$2"
            shift
            ;;
        --contracts)
            positive "$1" "${2:-}"
            CONTRACTS="$2"
            shift
            ;;
        --lines)
            positive "$1" "${2:-}"
            LINES="$2"
            shift
            ;;
        --rows)
            positive "$1" "${2:-}"
            ROWS="$2"
            shift
            ;;
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
SALE_DB="${TBB_BENCH_SALE_DB:-tbb_bench_sale}"
FILES_DB="${TBB_BENCH_FILES_DB:-tbb_bench_files}"

"$TBB_ROOT/scripts/setup.sh"
cd "$TBB_ROOT"

cleanup() {
    if [[ "$KEEP" == 0 ]]; then
        db_drop "$DB"
        db_drop "$ODOO_DB"
        db_drop "$SALE_DB"
        db_drop "$FILES_DB"
    fi
}
trap cleanup EXIT

mkdir -p "$TBB_ROOT/bench-results"
rc=0
if [[ -z "$ONLY" || "$ONLY" == import ]]; then
    say "creating a fresh database $DB with $TBB_MODULE (about 2 minutes)"
    db_drop "$DB"
    odoo_bin -d "$DB" -i "$TBB_MODULE" --stop-after-init --no-http --log-level=warn \
        || die "could not install $TBB_MODULE in $DB"
    say "creating a fresh database $ODOO_DB with hr_timesheet only (about a minute)"
    db_drop "$ODOO_DB"
    odoo_bin -d "$ODOO_DB" -i hr_timesheet --stop-after-init --no-http --log-level=warn \
        || die "could not install hr_timesheet in $ODOO_DB"
    "$PY" "$TBB_ROOT/scripts/bench_import.py" --config "$CONF" --db "$DB" \
        --odoo-db "$ODOO_DB" --entries "$ENTRIES" --repeat "$REPEAT" \
        --out "$TBB_ROOT/bench-results/import.json" || rc=$?
fi
if [[ -z "$ONLY" || "$ONLY" == files ]]; then
    say "creating a fresh database $FILES_DB with $TBB_MODULE (about 2 minutes)"
    db_drop "$FILES_DB"
    odoo_bin -d "$FILES_DB" -i "$TBB_MODULE" --stop-after-init --no-http --log-level=warn \
        || die "could not install $TBB_MODULE in $FILES_DB"
    "$PY" "$TBB_ROOT/scripts/bench_files.py" --config "$CONF" --db "$FILES_DB" \
        --rows "$ROWS" --out "$TBB_ROOT/bench-results/files.json" || rc=$?
fi
if [[ -z "$ONLY" || "$ONLY" == invoice ]]; then
    say "creating a fresh database $SALE_DB with $TBB_MODULE and sale_timesheet (about 3 minutes)"
    db_drop "$SALE_DB"
    odoo_bin -d "$SALE_DB" -i "$TBB_MODULE,sale_timesheet" --stop-after-init --no-http \
        --log-level=warn || die "could not install $TBB_MODULE and sale_timesheet in $SALE_DB"
    "$PY" "$TBB_ROOT/scripts/bench_invoice.py" --config "$CONF" --db "$SALE_DB" \
        --contracts "$CONTRACTS" --lines "$LINES" --repeat "$REPEAT" \
        --out "$TBB_ROOT/bench-results/invoice.json" || rc=$?
fi
exit "$rc"
