#!/usr/bin/env bash
# Run every test of the project; CI runs exactly this (through .ci/run).
#
# Phases:
#   lint               ruff check (a failure fails the run)
#   odoo (tbb_test)    fresh database, install the addon, run its tests with
#                      Odoo's runner (at_install during -i, then post_install)
#   system             tests/ with pytest against an Odoo server serving tbb_test
#   odoo (tbb_test_sale)  the same with sale_timesheet installed alongside
# The output ends with: total: N passed, M failed, K skipped
#
# Usage: scripts/test.sh [options] [TEST_TAGS]
#   TEST_TAGS     narrow the addon tests, e.g. /time_billing_bridge:TestFoo
#                 (also from the TEST_TAGS environment variable;
#                 default /time_billing_bridge)
#   --fast        skip the sale_timesheet database
#   --no-system   skip the system tests
#   --keep        keep the test databases afterwards
#   --with-browser  install Chromium if missing so browser tours run
# Environment: TBB_TEST_DB (tbb_test), TBB_TEST_DB_SALE (tbb_test_sale),
#   TBB_PHASE_TIMEOUT (seconds per Odoo phase, 1200), TBB_FAIL_ON_WARNINGS=1
#   (count logged warnings as failures), TBB_REQUIRE_BROWSER=1 (count browser
#   tests skipped for want of Chromium as failures; .ci/run always sets it,
#   installing Chromium first), TBB_REQUIRE_PDF=1 (the invoice PDF test fails
#   instead of skipping without wkhtmltopdf; .ci/run sets it when installed),
#   TBB_MODULE, ODOO_SRC.
set -euo pipefail
TBB_SCRIPT=test
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FAST=0
KEEP=0
SYSTEM=1
SETUP_ARGS=()
TAGS="${TEST_TAGS:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --fast) FAST=1 ;;
        --keep) KEEP=1 ;;
        --no-system) SYSTEM=0 ;;
        --with-browser) SETUP_ARGS+=(--with-browser) ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*) die "unknown option: $1 (try --help)" ;;
        *) TAGS="$1" ;;
    esac
    shift
done
TAGS="${TAGS:-/$TBB_MODULE}"
DB_A="${TBB_TEST_DB:-tbb_test}"
DB_B="${TBB_TEST_DB_SALE:-tbb_test_sale}"
PHASE_TIMEOUT="${TBB_PHASE_TIMEOUT:-1200}"
SUMMARY_ARGS=()
[[ "${TBB_FAIL_ON_WARNINGS:-0}" == 1 ]] && SUMMARY_ARGS+=(--fail-on-warnings)

"$TBB_ROOT/scripts/setup.sh" "${SETUP_ARGS[@]}"

mkdir -p "$RUN_DIR"
# Database names are shared by every checkout on this machine.
exec 9>"${TMPDIR:-/tmp}/tbb-test-$DB_A.lock"
flock -n 9 || die "another scripts/test.sh is using database $DB_A right now"
cd "$TBB_ROOT"

# --- bookkeeping -------------------------------------------------------------

PHASE_LINES=()
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
ODOO_PID=""
FILTER_PID=""
SERVER_PIDFILE="$RUN_DIR/system-server.pid"
CREATED_DBS=()

record_phase() { # label passed failed skipped seconds
    local line="$1: $2 passed, $3 failed, $4 skipped ($5 s)"
    PHASE_LINES+=("$line")
    TOTAL_PASSED=$((TOTAL_PASSED + $2))
    TOTAL_FAILED=$((TOTAL_FAILED + $3))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + $4))
    say "$line"
}

cleanup() {
    trap - EXIT INT TERM
    if [[ -n "$ODOO_PID" ]]; then
        kill_tree "$ODOO_PID"
    fi
    if [[ -n "$FILTER_PID" ]]; then
        kill_tree "$FILTER_PID"
    fi
    if [[ -f "$SERVER_PIDFILE" ]]; then
        local pid
        pid="$(cat "$SERVER_PIDFILE")"
        # The system-test server runs in its own process group.
        [[ -n "$pid" ]] && kill -TERM -- "-$pid" 2>/dev/null || true
        rm -f "$SERVER_PIDFILE"
    fi
    drop_test_dbs 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

drop_test_dbs() {
    [[ "$KEEP" == 1 ]] && return
    local db
    for db in "${CREATED_DBS[@]}"; do
        db_drop "$db" || say "warning: could not drop database $db"
    done
    CREATED_DBS=()
}

# --- phases ------------------------------------------------------------------

run_lint() {
    local start=$SECONDS
    if "$VENV/bin/ruff" check --no-fix --quiet .; then
        PHASE_LINES+=("lint: ruff check passed ($((SECONDS - start)) s)")
    else
        PHASE_LINES+=("lint: ruff check FAILED, see above (scripts/lint.sh)")
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
    fi
    say "${PHASE_LINES[-1]}"
}

run_odoo_phase() { # db modules
    local db="$1" modules="$2" label="odoo ($1)"
    local log="$RUN_DIR/test-$db.log" port start rc=0 result passed failed skipped tests warnings
    local browser_skipped
    start=$SECONDS
    db_drop "$db"
    CREATED_DBS+=("$db")
    port="$(free_port)"
    say "$label: installing $modules, tests $TAGS (full log: .run/test-$db.log)"
    : >"$log"
    # --test-tags implies --test-enable and --stop-after-init; at_install tests
    # run while the module installs, post_install ones once the registry is ready.
    timeout -k 30 "$PHASE_TIMEOUT" \
        "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$db" -i "$modules" \
        --without-demo --test-tags "$TAGS" --log-level=test --stop-after-init \
        --http-interface 127.0.0.1 --http-port "$port" \
        --workers 0 --max-cron-threads 0 </dev/null >"$log" 2>&1 &
    ODOO_PID=$!
    tail -n +1 -F --pid="$ODOO_PID" "$log" 2>/dev/null |
        "$PY" "$TBB_ROOT/scripts/odoo_log.py" filter &
    FILTER_PID=$!
    wait "$ODOO_PID" || rc=$?
    ODOO_PID=""
    wait "$FILTER_PID" || true
    FILTER_PID=""
    [[ "$rc" == 124 ]] && say "$label: stopped after $PHASE_TIMEOUT s (TBB_PHASE_TIMEOUT)"

    result="$("$PY" "$TBB_ROOT/scripts/odoo_log.py" summary "$log" --rc "$rc" "${SUMMARY_ARGS[@]}")"
    passed="$(sed -n '1s/.*passed=\([0-9]*\).*/\1/p' <<<"$result")"
    failed="$(sed -n '1s/.*failed=\([0-9]*\).*/\1/p' <<<"$result")"
    skipped="$(sed -n '1s/.*skipped=\([0-9]*\).*/\1/p' <<<"$result")"
    tests="$(sed -n '1s/.*tests=\([0-9]*\).*/\1/p' <<<"$result")"
    warnings="$(sed -n '1s/.*warnings=\([0-9]*\).*/\1/p' <<<"$result")"
    browser_skipped="$(sed -n '1s/.*browser_skipped=\([0-9]*\).*/\1/p' <<<"$result")"
    sed -n '2,$s/^note: /  /p' <<<"$result" | while IFS= read -r note; do
        say "$label:$note"
    done
    if [[ "$tests" == 0 && "$failed" == 0 ]]; then
        say "$label: no test ran (tags $TAGS); that is a failure"
        failed=$((failed + 1))
    fi
    if [[ "$browser_skipped" != 0 ]]; then
        if [[ "${TBB_REQUIRE_BROWSER:-0}" == 1 ]]; then
            say "$label: $browser_skipped browser test(s) skipped while TBB_REQUIRE_BROWSER=1; counted as failed"
            failed=$((failed + browser_skipped))
            skipped=$((skipped - browser_skipped))
        else
            say "$label: $browser_skipped browser test(s) skipped: install chromium (scripts/setup.sh --with-browser)"
        fi
    fi
    [[ "$warnings" == 0 ]] ||
        say "$label: $warnings warning(s) logged, listed above (house style: fix them)"
    record_phase "$label" "$passed" "$failed" "$skipped" "$((SECONDS - start))"
}

run_system_phase() {
    local label="system" start=$SECONDS rc=0 xml="$RUN_DIR/system-junit.xml"
    local server_log="$RUN_DIR/system-server.log" counts passed failed skipped errors
    say "$label: pytest tests/ against an Odoo serving $DB_A (server log: .run/system-server.log)"
    rm -f "$xml"
    TBB_TEST_DB="$DB_A" TBB_SERVER_LOG="$server_log" TBB_SERVER_PIDFILE="$SERVER_PIDFILE" \
        timeout -k 30 "$PHASE_TIMEOUT" \
        "$PY" -m pytest "$TBB_ROOT/tests" -q -p no:cacheprovider \
        --junitxml="$xml" </dev/null &
    ODOO_PID=$!
    wait "$ODOO_PID" || rc=$?
    ODOO_PID=""
    counts="$("$PY" - "$xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("0 0 0 0")
    sys.exit()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
totals = [0, 0, 0, 0]
for suite in suites:
    for i, key in enumerate(("tests", "failures", "errors", "skipped")):
        totals[i] += int(suite.get(key, 0))
print(*totals)
EOF
)"
    read -r tests failed errors skipped <<<"$counts"
    failed=$((failed + errors))
    passed=$((tests - failed - skipped))
    if [[ "$rc" == 5 || "$tests" == 0 ]]; then
        say "$label: no test ran; that is a failure"
        failed=$((failed + 1))
    elif [[ "$rc" != 0 && "$failed" == 0 ]]; then
        say "$label: pytest exited with code $rc"
        failed=$((failed + 1))
    fi
    if [[ -s "$server_log" ]]; then
        local problems
        problems="$("$PY" "$TBB_ROOT/scripts/odoo_log.py" errors "$server_log")"
        if [[ -n "$problems" ]]; then
            printf '%s\n' "$problems" | while IFS= read -r note; do
                say "$label: server $note"
            done
            failed=$((failed + $(grep -c . <<<"$problems")))
        fi
    fi
    record_phase "$label" "$passed" "$failed" "$skipped" "$((SECONDS - start))"
}

run_lint
run_odoo_phase "$DB_A" "$TBB_MODULE"
if [[ "$SYSTEM" == 1 ]]; then
    run_system_phase
fi
if [[ "$FAST" == 0 ]]; then
    run_odoo_phase "$DB_B" "$TBB_MODULE,sale_timesheet"
fi
drop_test_dbs

echo
printf '%s\n' "${PHASE_LINES[@]}"
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
[[ "$TOTAL_FAILED" == 0 ]]
