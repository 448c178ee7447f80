#!/usr/bin/env bash
# Build a fresh demo database, run the demo pipeline on its sample data, print
# what it did, then serve Odoo on http://localhost:8069 (log in as admin / admin).
#
# Usage: scripts/demo.sh [--no-serve]
#   --no-serve    stop after the summary
# Environment: TBB_DEMO_DB (tbb_demo), TBB_DEMO_PORT (8069),
#   TBB_DEMO_INTERFACE (127.0.0.1; 0.0.0.0 to reach it from other machines).
# The database is dropped and created again on every run.
set -euo pipefail
TBB_SCRIPT=demo
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVE=1
for arg in "$@"; do
    case "$arg" in
        --no-serve) SERVE=0 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown option: $arg (try --help)" ;;
    esac
done
DB="${TBB_DEMO_DB:-tbb_demo}"
PORT="${TBB_DEMO_PORT:-8069}"
INTERFACE="${TBB_DEMO_INTERFACE:-127.0.0.1}"

"$TBB_ROOT/scripts/setup.sh"
mkdir -p "$RUN_DIR"

if [[ "$SERVE" == 1 ]] && ! "$PY" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))' "$INTERFACE" "$PORT" 2>/dev/null; then
    die "port $PORT is busy on $INTERFACE; stop what uses it or set TBB_DEMO_PORT"
fi

log="$RUN_DIR/demo-install.log"
say "creating database $DB with demo data and $TBB_MODULE (1-3 minutes; log: .run/demo-install.log)"
db_drop "$DB"
start=$SECONDS
if ! odoo_bin -d "$DB" -i "$TBB_MODULE" --with-demo --stop-after-init --no-http \
    --max-cron-threads 0 </dev/null >"$log" 2>&1; then
    grep -E ' (ERROR|CRITICAL) ' "$log" | tail -n 20 >&2 || tail -n 30 "$log" >&2
    die "installing $TBB_MODULE into $DB failed (full log: $log)"
fi
if grep -qE ' (ERROR|CRITICAL) ' "$log"; then
    grep -E ' (ERROR|CRITICAL) ' "$log" | tail -n 20 >&2
    die "errors while installing $TBB_MODULE into $DB (full log: $log)"
fi
say "database $DB ready in $((SECONDS - start)) s"

# A fresh database has admin / admin; set it anyway so the hint below holds,
# then run the pipeline script (odoo-bin shell runs stdin with `env` defined).
{
    printf '%s\n' \
        'env.ref("base.user_admin").write({"login": "admin", "password": "admin"})' \
        'env.cr.commit()'
    cat "$TBB_ROOT/scripts/demo_pipeline.py"
} | odoo_cmd shell -d "$DB" --no-http --max-cron-threads 0 --log-level=warn 2> >(grep -v "^Running as user 'root'" >&2)

if [[ "$SERVE" == 0 ]]; then
    say "done; to serve it without rebuilding it:"
    say "  .venv/bin/python $ODOO_SRC/odoo-bin -c .odoo/odoo.conf -d $DB --http-port $PORT"
    exit 0
fi

host="$INTERFACE"
[[ "$host" == 127.0.0.1 || "$host" == 0.0.0.0 ]] && host=localhost
say "serving $DB on http://$host:$PORT (log in as admin / admin; Ctrl-C to stop)"
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DB" --db-filter "^$DB\$" \
    --http-interface "$INTERFACE" --http-port "$PORT"
