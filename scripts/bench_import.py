#!/usr/bin/env python3
# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import throughput benchmark (PRODUCT.md, "Performance - benchmark protocol").

Run by ``scripts/bench.sh`` on two fresh databases: one where
time_billing_bridge is installed, one with ``hr_timesheet`` only (Odoo alone,
no billing at all). Measures, in one run on the same machine and data:

- ``load``: Odoo's own importer, ``account.analytic.line.load(fields, rows)``,
  which is what a user does with a CSV of the same lines (the fastest form of
  it: related records given by database id), in the addon's database, where
  the lines go through the billing pipeline;
- ``create``: a plain ORM batch ``create()`` of the same lines, in chunks of
  the page size, there too;
- ``load_odoo`` and ``create_odoo``: the same two in the database with
  ``hr_timesheet`` only: what Odoo alone costs;
- ``sync``: ``time.billing.backend.action_sync()`` against a local fake
  Harvest API serving the same entries in pages of 2,000: HTTP, mapping,
  staging entries, timesheet lines and the billing pipeline, with the time
  of each billing stage (``bench_stages.py``);
- ``resync``: the same ``action_sync()`` over the same, unchanged entries.

``load`` and ``create`` run in a transaction that is rolled back, and the
tables are vacuumed before each measurement, so every measurement starts
from the same empty state; ``sync`` and ``resync`` keep
their data (the second needs the first). In the addon's database the
timesheet lines of every measurement go through the same ``create()`` (and
so the same billing pipeline). Each clock stops after a flush. The fake API
runs in its own process, so that serving JSON does not compete with Odoo for
the GIL.

With ``--repeat N`` every measurement runs N times (interleaved) and the
best is kept, which filters out the noise of a busy machine.

Usage: bench_import.py --config CONF --db DB --odoo-db DB [--entries N]
                       [--repeat N] [--out FILE]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone

from bench_stages import StageClock
from bench_world import (
    ROOT,
    WORLD,
    fake_harvest,
    serve_fake,
    setup_billing,
    setup_people_and_projects,
    timesheet_rows,
)

PAGE_SIZE = 2000
TARGET_SYNC_VS_LOAD = 1.3
# Tables the measurements write to, vacuumed before each measurement.
VACUUMED_TABLES = (
    "account_analytic_line",
    "time_billing_entry",
    "time_billing_sync_run",
    "time_billing_period",
    "mail_activity",
)
ODOO_TABLES = ("account_analytic_line", "mail_activity")


# -- Odoo ----------------------------------------------------------------------


def open_registries(config_file, *dbs):
    odoo_src = os.environ.get("ODOO_SRC") or os.path.expanduser("~/odoo-19.0")
    sys.path.insert(0, odoo_src)
    import odoo.init  # noqa: F401, PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        ["-c", config_file, "-d", dbs[0], "--log-level=warn", "--no-http"],
        setup_logging=True,
    )
    return [Registry(db) for db in dbs]


def queries():
    from odoo import sql_db  # noqa: PLC0415

    return sql_db.sql_counter


class Measure:
    """Wall time and queries of a block; the caller flushes before leaving."""

    def __init__(self, name, label, entries):
        self.name, self.label, self.entries = name, label, entries
        self.seconds = self.queries = 0
        self.run = None  # counts of the sync run, for the synchronisations
        self.stages = None  # ms per 1,000 lines by stage, for the synchronisations

    def __enter__(self):
        self._queries = queries()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        self.queries = queries() - self._queries

    @property
    def rate(self):
        return self.entries / self.seconds if self.seconds else 0.0

    def as_dict(self):
        result = {
            "label": self.label,
            "entries": self.entries,
            "seconds": round(self.seconds, 3),
            "entries_per_second": round(self.rate, 1),
            "queries": self.queries,
        }
        if self.run:
            result["run"] = self.run
        if self.stages:
            result["ms_per_1000_by_stage"] = {
                name: round(ms, 1) for name, ms in self.stages
            }
        return result


def bench_load(env, rows, name="load", label="load() - Odoo importer"):
    fields = [
        "name",
        "date",
        "unit_amount",
        "employee_id/.id",
        "project_id/.id",
        "task_id/.id",
        "partner_id/.id",
    ]
    data = [
        [
            row["name"],
            row["date"],
            str(row["unit_amount"]),
            str(row["employee_id"]),
            str(row["project_id"]),
            str(row["task_id"]),
            str(row["partner_id"]),
        ]
        for row in rows
    ]
    Line = env["account.analytic.line"]
    with Measure(name, label, len(rows)) as measure:
        result = Line.load(fields, data)
        env.flush_all()
    errors = [m for m in result["messages"] if m.get("type") == "error"]
    created = len([i for i in result["ids"] or [] if i])
    return measure, created, errors


def bench_create(env, rows, name="create", label="create() - ORM batch"):
    Line = env["account.analytic.line"]
    created = 0
    with Measure(name, label, len(rows)) as measure:
        for start in range(0, len(rows), PAGE_SIZE):
            created += len(Line.create(rows[start : start + PAGE_SIZE]))
        env.flush_all()
    return measure, created, []


def bench_sync(env, backend, label, name, entries):
    with StageClock(env) as stages, Measure(name, label, entries) as measure:
        run = backend.action_sync()
        env.flush_all()
    measure.stages = stages.breakdown(measure.seconds, entries)
    measure.run = {
        "state": run.state,
        "pages": run.page_count,
        **{
            key: run[f"{key}_count"]
            for key in ("created", "updated", "unchanged", "deleted", "error")
        },
    }
    return measure, run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", default=os.path.join(ROOT, ".odoo", "odoo.conf"))
    parser.add_argument("--db", default="tbb_bench")
    parser.add_argument(
        "--odoo-db",
        default="tbb_bench_odoo",
        help="a fresh database with hr_timesheet only, for Odoo alone",
    )
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument(
        "--out", default=os.path.join(ROOT, "bench-results", "import.json")
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every measurement this many times and keep the best",
    )
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.entries)
        return 0

    print(f"Generating {args.entries} entries in a fake Harvest API...", flush=True)
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-fake", "--entries", str(args.entries)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        fake_api = json.loads(child.stdout.readline())
        # The same deterministic data, to build the peers' rows.
        fake = fake_harvest(args.entries)
        return run_benchmark(args, fake, fake_api)
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def keep_best(results, measure):
    """Best of the repeated measurements: the one least disturbed."""
    best = results.get(measure.name)
    if best is None or measure.seconds < best.seconds:
        results[measure.name] = measure


def vacuum(db, tables=VACUUMED_TABLES):
    """Clean up the rows a rolled-back measurement left behind.

    A rollback leaves its inserted rows dead in the tables and their indexes
    until vacuumed: the next measurement would pay for them. VACUUM cannot
    run in a transaction, hence its own connection.
    """
    import psycopg2  # noqa: PLC0415

    from odoo.sql_db import connection_info_for  # noqa: PLC0415

    _name, params = connection_info_for(db)
    connection = psycopg2.connect(**params)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
    finally:
        connection.close()


def reset_sync(env, backend):
    """Forget what the synchronisation imported (not measured)."""
    entries = env["time.billing.entry"].search([("backend_id", "=", backend.id)])
    lines = entries.timesheet_id
    entries.unlink()
    lines.unlink()
    env["time.billing.sync.run"].search([("backend_id", "=", backend.id)]).unlink()
    backend.last_sync_date = False
    env.cr.commit()


def _environment(registry, api, cr):
    from odoo import SUPERUSER_ID  # noqa: PLC0415

    env = api.Environment(cr, SUPERUSER_ID, {})
    return env(context=dict(env["res.users"].context_get(), tracking_disable=True))


# The peers of the synchronisation: (database, bench, name, label).
PEERS = [
    ("addon", "load", "load", "load() - Odoo importer"),
    ("addon", "create", "create", "create() - ORM batch"),
    ("odoo", "load", "load_odoo", "load() - Odoo alone (hr_timesheet)"),
    ("odoo", "create", "create_odoo", "create() - Odoo alone (hr_timesheet)"),
]


def run_benchmark(args, fake, fake_api):
    registry, odoo_registry = open_registries(args.config, args.db, args.odoo_db)
    from odoo import api  # noqa: PLC0415

    n = args.entries
    results, problems = {}, []
    benches = {"load": bench_load, "create": bench_create}
    with registry.cursor() as cr, odoo_registry.cursor() as odoo_cr:
        env = _environment(registry, api, cr)
        odoo_env = _environment(odoo_registry, api, odoo_cr)
        if env["time.billing.backend"].search_count([]):
            sys.exit(
                f"{args.db} already holds backends: run on a fresh database "
                "(scripts/bench.sh creates one)."
            )
        if "time.billing.contract" in odoo_env:
            sys.exit(
                f"{args.odoo_db} must be a database with hr_timesheet only, "
                "without time_billing_bridge (scripts/bench.sh creates one)."
            )
        records, ids = setup_people_and_projects(env, fake)
        backend = setup_billing(env, fake, fake_api, records)
        cr.commit()
        _records, odoo_ids = setup_people_and_projects(odoo_env, fake)
        odoo_cr.commit()
        databases = {
            "addon": (env, args.db, VACUUMED_TABLES, timesheet_rows(fake, ids)),
            "odoo": (
                odoo_env,
                args.odoo_db,
                ODOO_TABLES,
                timesheet_rows(fake, odoo_ids),
            ),
        }

        # Warm the caches of every code path on a few rows, then forget them.
        for db_env, _db, _tables, rows in databases.values():
            bench_load(db_env, rows[:100])
            bench_create(db_env, rows[:100])
            db_env.cr.rollback()
            db_env.invalidate_all(flush=False)

        for attempt in range(1, args.repeat + 1):
            suffix = f" ({attempt}/{args.repeat})" if args.repeat > 1 else ""
            for database, bench, name, label in PEERS:
                db_env, db, tables, rows = databases[database]
                vacuum(db, tables)
                print(f"Measuring {label}{suffix}...", flush=True)
                measure, created, errors = benches[bench](db_env, rows, name, label)
                if created != n or errors:
                    problems.append(
                        f"{measure.name}: {created} lines created, "
                        f"{len(errors)} errors {errors[:3]}"
                    )
                keep_best(results, measure)
                db_env.cr.rollback()
                db_env.invalidate_all(flush=False)

            vacuum(args.db)
            print(f"Measuring action_sync(){suffix}...", flush=True)
            measure, run = bench_sync(
                env, backend, "action_sync() - first import", "sync", n
            )
            keep_best(results, measure)
            if run.created_count != n or run.state != "done":
                problems.append(
                    f"sync: run {run.state}, {run.created_count} created, "
                    f"{run.error_count} errors"
                )
            cr.commit()

            print(f"Measuring the re-sync of the same entries{suffix}...", flush=True)
            # Read everything again, as a full re-synchronisation does.
            backend.last_sync_date = False
            cr.commit()
            measure, run = bench_sync(
                env, backend, "action_sync() - re-sync, unchanged", "resync", n
            )
            keep_best(results, measure)
            if run.unchanged_count != n or run.created_count or run.updated_count:
                problems.append(
                    f"resync: {run.unchanged_count} unchanged, {run.created_count} "
                    f"created, {run.updated_count} updated"
                )
            cr.commit()
            lines = env["account.analytic.line"].search_count(
                [("billing_entry_ids.backend_id", "=", backend.id)]
            )
            if lines != n:
                problems.append(
                    f"after the syncs: {lines} timesheet lines instead of {n}"
                )
            if attempt < args.repeat:
                reset_sync(env, backend)

    report(args, results, problems)
    return 1 if problems else 0


def save_results(path, payload):
    """Write ``payload`` with the date and the machine to ``path`` (JSON)."""
    payload = {
        **payload,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2)
    print(f"Results written to {path}")


def _table(header, rows):
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )


def _ratio(measure, peer):
    return measure.rate / peer.rate if peer.rate else 0.0


def report(args, results, problems):
    load = results["load"]
    order = ("load", "create", "load_odoo", "create_odoo", "sync", "resync")
    print()
    _table(
        ("measure", "entries", "wall s", "entries/s", "queries", "vs load()"),
        [
            (
                results[key].label,
                f"{results[key].entries:,}",
                f"{results[key].seconds:.2f}",
                f"{results[key].rate:,.0f}",
                f"{results[key].queries:,}",
                f"{_ratio(results[key], load):.2f}x" if load.rate else "-",
            )
            for key in order
        ],
    )
    sync, resync = results["sync"], results["resync"]
    print()
    for measure in (sync, resync):
        counts = measure.run
        print(
            f"{measure.label}: run {counts['state']}, {counts['pages']} pages, "
            f"{counts['created']:,} created, {counts['updated']:,} updated, "
            f"{counts['unchanged']:,} unchanged, {counts['deleted']:,} deleted, "
            f"{counts['error']:,} errors"
        )
    print()
    print("where the first import's time goes (ms per 1,000 entries):")
    _table(("stage", "ms"), [(name, f"{ms:,.0f}") for name, ms in sync.stages])
    ratios = {
        "sync_vs_load": _ratio(sync, load),
        "create_vs_load": _ratio(results["create"], load),
        "resync_vs_sync": _ratio(resync, sync),
        "sync_vs_odoo_load": _ratio(sync, results["load_odoo"]),
        "sync_vs_odoo_create": _ratio(sync, results["create_odoo"]),
        "create_vs_odoo_create": _ratio(results["create"], results["create_odoo"]),
    }
    met = ratios["sync_vs_load"] >= TARGET_SYNC_VS_LOAD
    print()
    print(
        f"sync vs load(): {ratios['sync_vs_load']:.2f}x (target >= "
        f"{TARGET_SYNC_VS_LOAD}x: {'met' if met else 'NOT met'}); re-sync vs "
        f"first import: {ratios['resync_vs_sync']:.2f}x"
    )
    print(
        f"sync vs Odoo alone: {ratios['sync_vs_odoo_load']:.2f}x its load(), "
        f"{ratios['sync_vs_odoo_create']:.2f}x its create(); create() with "
        f"billing vs without: {ratios['create_vs_odoo_create']:.2f}x"
    )
    for problem in problems:
        print(f"INVALID MEASUREMENT: {problem}")
    save_results(
        args.out,
        {
            "benchmark": "import",
            "database": args.db,
            "odoo_database": args.odoo_db,
            "entries": args.entries,
            "repeat": args.repeat,
            "page_size": PAGE_SIZE,
            "world": WORLD,
            "results": {key: m.as_dict() for key, m in results.items()},
            "ratios": {key: round(value, 3) for key, value in ratios.items()},
            "target": {"sync_vs_load": TARGET_SYNC_VS_LOAD, "met": met},
            "problems": problems,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
