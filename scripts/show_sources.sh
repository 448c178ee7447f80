#!/usr/bin/env bash
# Show what a user sees when time comes from each supported source: builds a
# scratch database with the addon installed, then runs scripts/show_sources.py
# in it through odoo-bin shell, against the local fake provider servers of the
# addon's tests (no network). A demonstration, not a test.
#
# Usage: scripts/show_sources.sh [DATABASE]
#   DATABASE      scratch database (default: tbb_show), dropped and created
#                 again on every run
# Exits non-zero when a step fails unexpectedly.
set -euo pipefail
TBB_SCRIPT=show_sources
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    -*) die "unknown option: $1 (try --help)" ;;
esac
[[ $# -le 1 ]] || die "one database name at most (try --help)"
DB="${1:-tbb_show}"

"$TBB_ROOT/scripts/setup.sh" >&2
mkdir -p "$RUN_DIR"

log="$RUN_DIR/show-sources-install.log"
say "creating database $DB with $TBB_MODULE (1-3 minutes; log: .run/show-sources-install.log)"
db_drop "$DB"
if ! odoo_bin -d "$DB" -i "$TBB_MODULE" --stop-after-init --no-http \
    --max-cron-threads 0 </dev/null >"$log" 2>&1; then
    grep -E ' (ERROR|CRITICAL) ' "$log" | tail -n 20 >&2 || tail -n 30 "$log" >&2
    die "installing $TBB_MODULE into $DB failed (full log: $log)"
fi

# odoo-bin shell runs stdin with `env` defined.
odoo_cmd shell -d "$DB" --no-http --max-cron-threads 0 --log-level=warn \
    <"$TBB_ROOT/scripts/show_sources.py" 2> >(grep -v "^Running as user 'root'" >&2)
