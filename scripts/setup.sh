#!/usr/bin/env bash
# Prepare everything the demo and the tests need, idempotently:
#   - an Odoo 19.0 Community source tree at $ODOO_SRC (default $HOME/odoo-19.0),
#   - the virtualenv .venv with Odoo's requirements and the project's,
#   - a running local PostgreSQL with a superuser role for the current OS user,
#   - optionally Chromium for Odoo's browser tours (--with-browser or TBB_BROWSER=1),
#   - the Odoo configuration .odoo/odoo.conf.
# Safe to run many times; a second run only checks and prints one line.
#
# Usage: scripts/setup.sh [--with-browser]
# Environment: ODOO_SRC, ODOO_GIT_URL (where to clone Odoo from when ODOO_SRC is
#   missing; default https://github.com/odoo/odoo), TBB_BROWSER=1, TBB_EXTRA_ADDONS.
set -euo pipefail
TBB_SCRIPT=setup
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo}" # or a mirror of it
WITH_BROWSER="${TBB_BROWSER:-0}"
for arg in "$@"; do
    case "$arg" in
        --with-browser) WITH_BROWSER=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown option: $arg (try --help)" ;;
    esac
done

# --- Odoo source -----------------------------------------------------------

odoo_src_ok() {
    [[ -f "$1/odoo-bin" && -f "$1/odoo/release.py" ]] &&
        grep -Eq '^version_info = \(19, 0,' "$1/odoo/release.py"
}

odoo_src_help() {
    cat >&2 <<EOF
setup: Odoo 19.0 Community source not found at $ODOO_SRC
setup: either point ODOO_SRC to an existing checkout:
           export ODOO_SRC=/path/to/odoo-19.0    # must contain odoo-bin and odoo/release.py
setup: or clone it there (about 1 GB, needs access to github.com):
           git clone --depth 1 --branch 19.0 $ODOO_GIT_URL "$ODOO_SRC"
EOF
}

ensure_odoo_src() {
    if odoo_src_ok "$ODOO_SRC"; then
        return
    fi
    local existed=0
    if [[ -d "$ODOO_SRC" && -z "$(ls -A "$ODOO_SRC")" ]]; then
        existed=1 # an empty folder: clone into it
    elif [[ -e "$ODOO_SRC" ]]; then
        if [[ -f "$ODOO_SRC/odoo/release.py" ]]; then
            die "$ODOO_SRC is not Odoo 19.0 ($(grep -E '^version_info' "$ODOO_SRC/odoo/release.py")); set ODOO_SRC to an Odoo 19.0 Community checkout"
        fi
        odoo_src_help
        die "$ODOO_SRC exists but is not an Odoo source tree (no odoo-bin / odoo/release.py)"
    fi
    if command -v git >/dev/null &&
        GIT_TERMINAL_PROMPT=0 timeout 20 git ls-remote --exit-code --heads "$ODOO_GIT_URL" 19.0 >/dev/null 2>&1; then
        say "cloning Odoo 19.0 into $ODOO_SRC (shallow, a few minutes)"
        mkdir -p "$(dirname "$ODOO_SRC")"
        if GIT_TERMINAL_PROMPT=0 timeout 1800 git clone -q --depth 1 --branch 19.0 "$ODOO_GIT_URL" "$ODOO_SRC" &&
            odoo_src_ok "$ODOO_SRC"; then
            return
        fi
        if [[ "$existed" == 1 ]]; then
            find "$ODOO_SRC" -mindepth 1 -delete
        else
            rm -rf "$ODOO_SRC"
        fi
        odoo_src_help
        die "cloning $ODOO_GIT_URL failed"
    fi
    odoo_src_help
    die "no Odoo source, and $ODOO_GIT_URL is not reachable from here"
}

# --- virtualenv ------------------------------------------------------------

requirements_digest() {
    {
        python3 -c 'import sys; print(sys.version)'
        cat "$ODOO_SRC/requirements.txt" "$TBB_ROOT/requirements.txt" "$TBB_ROOT/requirements-dev.txt"
    } | sha256sum | cut -d' ' -f1
}

ensure_venv() {
    command -v python3 >/dev/null || die "python3 not found: apt-get install -y python3 python3-venv python3-dev"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
        die "Odoo 19.0 needs Python >= 3.10 (python3 is $(python3 -V 2>&1))"
    if [[ ! -x "$PY" ]]; then
        say "creating virtualenv .venv"
        python3 -m venv "$VENV" ||
            die "python3 -m venv failed: apt-get install -y python3-venv"
    fi
    local stamp="$VENV/.tbb-requirements" digest
    digest="$(requirements_digest)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$digest" ]]; then
        return
    fi
    mkdir -p "$RUN_DIR"
    local odoo_reqs="$RUN_DIR/odoo-requirements.txt" log="$RUN_DIR/pip.log"
    # python-ldap only serves auth_ldap and needs libldap2-dev to build.
    grep -v -i '^python-ldap' "$ODOO_SRC/requirements.txt" >"$odoo_reqs"
    say "installing Python requirements into .venv (about a minute; log in .run/pip.log)"
    if ! "$PY" -m pip install -q -r "$odoo_reqs" \
        -r "$TBB_ROOT/requirements.txt" -r "$TBB_ROOT/requirements-dev.txt" >"$log" 2>&1; then
        grep -v 'is ignored: it is neither' "$log" | tail -n 25 >&2
        say "hint: psycopg2 and a few others build from source and need:"
        say "      apt-get install -y build-essential python3-dev libpq-dev"
        die "pip install failed (full log: $log)"
    fi
    echo "$digest" >"$stamp"
}

# --- PostgreSQL ------------------------------------------------------------

PG_STATUS=""

pg_down_clusters() {
    command -v pg_lsclusters >/dev/null || return 0
    pg_lsclusters --no-header 2>/dev/null | awk '$4 != "online" {print $1, $2}'
}

as_postgres() {
    # Run a command as the postgres OS user; fails when we cannot.
    if [[ "$(id -u)" == 0 ]]; then
        su postgres -s /bin/sh -c "$*"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo -n -u postgres sh -c "$*"
    else
        return 1
    fi
}

ensure_postgres() {
    if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
        die "PostgreSQL is not installed: apt-get install -y postgresql"
    fi
    if ! pg_isready -q; then
        local ver name started=0
        while read -r ver name; do
            [[ -n "$ver" ]] || continue
            say "starting PostgreSQL cluster $ver/$name"
            if [[ "$(id -u)" == 0 ]]; then
                pg_ctlcluster "$ver" "$name" start && started=1
            elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
                sudo -n pg_ctlcluster "$ver" "$name" start && started=1
            else
                die "PostgreSQL cluster $ver/$name is down; start it with: sudo pg_ctlcluster $ver $name start"
            fi
        done < <(pg_down_clusters)
        if [[ "$started" == 0 ]] && ! pg_isready -q; then
            if ! command -v pg_lsclusters >/dev/null || [[ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]]; then
                die "no local PostgreSQL server found: apt-get install -y postgresql"
            fi
            die "PostgreSQL does not answer on its socket (pg_isready failed); check pg_lsclusters"
        fi
        local i
        for i in $(seq 30); do
            pg_isready -q && break
            sleep 1
        done
        pg_isready -q || die "PostgreSQL did not come up within 30 s (see /var/log/postgresql/)"
    fi
    local role
    role="$(id -un)"
    [[ "$role" != postgres ]] ||
        die "Odoo refuses to connect as the 'postgres' role: run this as another OS user"
    if ! psql -X -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
        say "creating PostgreSQL superuser role '$role'"
        as_postgres "createuser -s '$role'" ||
            die "cannot create the role; run: sudo -u postgres createuser -s $role"
        psql -X -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 ||
            die "role '$role' still cannot connect to PostgreSQL over the local socket"
    fi
    if [[ "$(psql -X -d postgres -tAc 'SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user')" != t ]]; then
        die "role '$role' cannot create databases; run: sudo -u postgres psql -c 'ALTER ROLE \"$role\" CREATEDB'"
    fi
    PG_STATUS="PostgreSQL $(psql -X -d postgres -tAc 'SHOW server_version' | cut -d' ' -f1 | cut -d. -f1) running"
}

# --- Chromium for tours ----------------------------------------------------

BROWSER_STATUS=""

find_browser() {
    local b
    for b in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$b" >/dev/null; then
            command -v "$b"
            return 0
        fi
    done
    return 1
}

ensure_browser() {
    if find_browser >/dev/null; then
        BROWSER_STATUS=", browser $(find_browser)"
        return
    fi
    if [[ "$WITH_BROWSER" != 1 ]]; then
        return
    fi
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing chromium for Odoo's browser tours"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q chromium >"$RUN_DIR/apt-chromium.log" 2>&1; then
            apt-get update -q >>"$RUN_DIR/apt-chromium.log" 2>&1 || true
            apt-get install -y -q chromium >>"$RUN_DIR/apt-chromium.log" 2>&1 || true
        fi
    fi
    if find_browser >/dev/null; then
        BROWSER_STATUS=", browser $(find_browser)"
    else
        say "warning: chromium is missing (apt-get install -y chromium); browser tours will be skipped"
        BROWSER_STATUS=", no browser"
    fi
}

# --- Odoo configuration ----------------------------------------------------

write_config() {
    mkdir -p "$(dirname "$CONF")" "$DATA_DIR" "$RUN_DIR"
    local addons="$ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$TBB_ROOT" extra
    if [[ -n "${TBB_EXTRA_ADDONS:-}" ]]; then
        IFS=',' read -ra extra <<<"$TBB_EXTRA_ADDONS"
        local d
        for d in "${extra[@]}"; do
            [[ -n "$d" ]] && addons="$addons,$(cd "$d" && pwd)"
        done
    fi
    local admin_passwd=""
    if [[ -f "$CONF" ]]; then
        admin_passwd="$(sed -n 's/^admin_passwd *= *//p' "$CONF" | head -n1)"
    fi
    if [[ -z "$admin_passwd" ]]; then
        admin_passwd="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
    fi
    local tmp="$CONF.tmp"
    # db_host stays unset: Odoo then connects over the local socket as the OS user.
    cat >"$tmp" <<EOF
; Written by scripts/setup.sh; rewritten on every run (local edits are lost).
[options]
addons_path = $addons
data_dir = $DATA_DIR
admin_passwd = $admin_passwd
http_interface = 127.0.0.1
http_port = 8069
without_demo = True
log_level = info
limit_time_cpu = 3600
limit_time_real = 3600
limit_time_real_cron = 0
max_cron_threads = 1
EOF
    if [[ -f "$CONF" ]] && cmp -s "$tmp" "$CONF"; then
        rm -f "$tmp"
    else
        mv "$tmp" "$CONF"
        chmod 600 "$CONF"
    fi
}

ensure_odoo_src
ensure_venv
ensure_postgres
ensure_browser
write_config
say "ready (Odoo 19.0 at $ODOO_SRC, venv .venv, $PG_STATUS$BROWSER_STATUS)"
