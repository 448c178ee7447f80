# shellcheck shell=bash
# Shared settings and helpers for the scripts in this folder. Source it:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Environment knobs (all optional):
#   ODOO_SRC             Odoo 19.0 Community checkout (default: $HOME/odoo-19.0)
#   TBB_MODULE           addon under test (default: time_billing_bridge)
#   TBB_EXTRA_ADDONS     extra addons folders appended to addons_path
#                        (comma separated; used to try the harness on another addon)

TBB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-$HOME/odoo-19.0}"
ODOO_SRC="${ODOO_SRC%/}"
VENV="$TBB_ROOT/.venv"
PY="$VENV/bin/python"
CONF="$TBB_ROOT/.odoo/odoo.conf"
DATA_DIR="$TBB_ROOT/.odoo/data"
RUN_DIR="$TBB_ROOT/.run"
TBB_MODULE="${TBB_MODULE:-time_billing_bridge}"
export ODOO_SRC TBB_MODULE

# Print a message on stderr, prefixed with the script name.
say() {
    printf '%s: %s\n' "${TBB_SCRIPT:-$(basename "$0" .sh)}" "$*" >&2
}

# Print the comment block at the top of the running script (its help).
usage() {
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}

# Print a message and stop.
die() {
    say "error: $*"
    exit 1
}

# A TCP port that is free on 127.0.0.1 right now.
free_port() {
    local py="$PY"
    [[ -x "$py" ]] || py=python3
    "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Run odoo-bin from the source tree with the project configuration.
odoo_bin() {
    "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@"
}

# Run odoo-bin with a subcommand (db, shell, module, i18n ...): Odoo wants the
# subcommand before the options.
odoo_cmd() {
    local cmd="$1"
    shift
    "$PY" "$ODOO_SRC/odoo-bin" "$cmd" -c "$CONF" "$@"
}

# True when a PostgreSQL database of that name exists.
db_exists() {
    [[ "$1" =~ ^[A-Za-z0-9_.-]+$ ]] || die "invalid database name: $1"
    [[ "$(psql -X -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" 2>/dev/null)" == 1 ]]
}

# Drop a database (closing its connections) and its Odoo filestore.
db_drop() {
    local db="$1"
    if db_exists "$db"; then
        dropdb --if-exists --force "$db"
    fi
    rm -rf "${DATA_DIR:?}/filestore/$db"
}

# Wait until an URL answers with HTTP 200; $2 is the timeout in seconds.
wait_http() {
    local url="$1" timeout="${2:-120}"
    "$PY" - "$url" "$timeout" <<'EOF'
import sys
import time
import urllib.request

url, timeout = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + timeout
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            if resp.status == 200:
                sys.exit(0)
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(1)
    time.sleep(0.5)
EOF
}

# Kill a process and everything it started (children first).
kill_tree() {
    local pid="$1" sig="${2:-TERM}" child
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        kill_tree "$child" "$sig"
    done
    kill "-$sig" "$pid" 2>/dev/null || true
}
