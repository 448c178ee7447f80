#!/usr/bin/env bash
# Lint the repository the way the pre-commit hooks do (STYLE.md §2), offline:
#   ruff check, ruff format --check, and pylint-odoo with .pylintrc-mandatory
#   (blocking) on the addon, and that the addon's README.md and
#   static/description/index.html match their readme/ fragments (both written
#   by scripts/gen_addon_readme.py). Nothing is modified; run
#   `.venv/bin/ruff check --fix .`, `.venv/bin/ruff format .` and
#   `.venv/bin/python scripts/gen_addon_readme.py` to apply fixes.
# Usage: scripts/lint.sh [--optional]   (--optional also prints .pylintrc's
#                                        non-blocking checks)
set -euo pipefail
TBB_SCRIPT=lint
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPTIONAL=0
for arg in "$@"; do
    case "$arg" in
        --optional) OPTIONAL=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown option: $arg (try --help)" ;;
    esac
done

[[ -x "$VENV/bin/ruff" ]] || die "ruff is missing from .venv: run scripts/setup.sh"
cd "$TBB_ROOT"
status=0

if "$VENV/bin/ruff" check --no-fix --quiet .; then
    say "ruff check: ok"
else
    say "ruff check: FAILED"
    status=1
fi
if "$VENV/bin/ruff" format --check --quiet .; then
    say "ruff format: ok"
else
    say "ruff format: FAILED (files above would be reformatted)"
    status=1
fi

if "$PY" scripts/gen_addon_readme.py --check; then
    say "addon README.md and static/description/index.html: up to date"
else
    status=1
fi

if [[ -x "$VENV/bin/pylint" ]] && "$PY" -c 'import pylint_odoo' 2>/dev/null; then
    addons=()
    for manifest in */__manifest__.py; do
        [[ -f "$manifest" ]] && addons+=("$(dirname "$manifest")")
    done
    if [[ ${#addons[@]} -eq 0 ]]; then
        say "pylint-odoo: no addon found"
    else
        if [[ "$OPTIONAL" == 1 ]]; then
            "$VENV/bin/pylint" --rcfile=.pylintrc --exit-zero --output-format=text "${addons[@]}" || true
        fi
        if "$VENV/bin/pylint" --rcfile=.pylintrc-mandatory --output-format=text "${addons[@]}"; then
            say "pylint-odoo (mandatory): ok"
        else
            say "pylint-odoo (mandatory): FAILED"
            status=1
        fi
    fi
else
    say "pylint-odoo is not installed in .venv; skipped (run scripts/setup.sh)"
fi
exit "$status"
