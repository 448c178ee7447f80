#!/usr/bin/env python3
# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Import throughput benchmark (PRODUCT.md, "Performance - benchmark protocol").

Run by ``scripts/bench.sh`` on a fresh database where time_billing_bridge is
installed. Measures, in one run on the same machine and data:

- ``load``: Odoo's own importer, ``account.analytic.line.load(fields, rows)``,
  which is what a user does with a CSV of the same lines (the fastest form of
  it: related records given by database id);
- ``create``: a plain ORM batch ``create()`` of the same lines, in chunks of
  the page size;
- ``sync``: ``time.billing.backend.action_sync()`` against a local fake
  Harvest API serving the same entries in pages of 2,000: HTTP, mapping,
  staging entries, timesheet lines and the billing pipeline;
- ``resync``: the same ``action_sync()`` over the same, unchanged entries.

``load`` and ``create`` run in a transaction that is rolled back, and the
tables are vacuumed before each measurement, so every measurement starts
from the same empty state; ``sync`` and ``resync`` keep
their data (the second needs the first). The timesheet lines of every
measurement go through the same ``create()`` (and so the same billing
pipeline). Each clock stops after a flush. The fake API runs in its own
process, so that serving JSON does not compete with Odoo for the GIL.

With ``--repeat N`` every measurement runs N times (interleaved) and the
best is kept, which filters out the noise of a busy machine.

Usage: bench_import.py --config CONF --db DB [--entries N] [--repeat N]
                       [--out FILE]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date, datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "time_billing_bridge"
PAGE_SIZE = 2000
# Shape of the fake organisation: people, projects (with tasks) and clients.
WORLD = {"users": 20, "projects": 10, "clients": 5, "tasks": 3}
SEED = 1
TARGET_SYNC_VS_LOAD = 1.3
# Tables the measurements write to, vacuumed before each measurement.
VACUUMED_TABLES = (
    "account_analytic_line",
    "time_billing_entry",
    "time_billing_sync_run",
    "time_billing_period",
    "mail_activity",
)


# -- the fake Harvest API, in a child process ----------------------------------


def _fake_harvest(entries):
    sys.path.insert(0, os.path.join(ROOT, ADDON, "tests"))
    import fakes  # noqa: PLC0415

    fake = fakes.FakeHarvest()
    # A year of working days at most, so that the dates look like real time.
    fake.generate(
        entries,
        seed=SEED,
        start=date(2026, 1, 5),
        days=max(1, min(250, entries // 8)),
        **WORLD,
    )
    # Entries last updated before the first run, like a year of history.
    fake.clock = datetime(2027, 1, 4, 8, 0, tzinfo=timezone.utc)
    return fake


def serve_fake(entries):
    """Child process: serve the fake API until stdin closes."""
    fake = _fake_harvest(entries).start()
    print(
        json.dumps({"url": fake.url, "token": fake.token, "account": fake.account_id}),
        flush=True,
    )
    sys.stdin.read()
    fake.stop()


# -- Odoo ----------------------------------------------------------------------


def open_registry(config_file, db):
    odoo_src = os.environ.get("ODOO_SRC") or os.path.expanduser("~/odoo-19.0")
    sys.path.insert(0, odoo_src)
    import odoo.init  # noqa: F401, PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        ["-c", config_file, "-d", db, "--log-level=warn", "--no-http"],
        setup_logging=True,
    )
    return Registry(db)


def queries():
    from odoo import sql_db  # noqa: PLC0415

    return sql_db.sql_counter


class Measure:
    """Wall time and queries of a block; the caller flushes before leaving."""

    def __init__(self, name, label, entries):
        self.name, self.label, self.entries = name, label, entries
        self.seconds = self.queries = 0
        self.run = None  # counts of the sync run, for the synchronisations

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
        return result


def setup_fixtures(env, fake, fake_api):
    """Employees, projects, tasks, a contract, the backend and its mappings."""
    from odoo import Command  # noqa: PLC0415

    company = env.company
    employees = env["hr.employee"].create(
        [{"name": person.name, "work_email": person.email} for person in fake.people]
    )
    partners = env["res.partner"].create(
        [{"name": client.name, "is_company": True} for client in fake.clients]
    )
    partner_of = {
        str(client.id): partner
        for client, partner in zip(fake.clients, partners, strict=True)
    }
    projects = env["project.project"].create(
        [
            {
                "name": f"{project.name} ({project.code})",
                "partner_id": partner_of[str(project.client.id)].id,
            }
            for project in fake.projects
        ]
    )
    tasks = {}
    for project, odoo_project in zip(fake.projects, projects, strict=True):
        created = env["project.task"].create(
            [
                {"name": task.name, "project_id": odoo_project.id}
                for task in project.tasks
            ]
        )
        tasks.update(
            {
                str(task.id): rec
                for task, rec in zip(project.tasks, created, strict=True)
            }
        )
    env["time.billing.contract"].create(
        [
            {
                "name": f"Benchmark contract {partner.name}",
                "partner_id": partner.id,
                "project_ids": [
                    Command.set(
                        projects.filtered(lambda p, c=partner: p.partner_id == c).ids
                    )
                ],
                "date_start": "2026-01-01",
                "default_rate": 150.0,
                "state": "active",
            }
            for partner in partners
        ]
    )
    backend = env["time.billing.backend"].create(
        {
            "name": "Benchmark Harvest",
            "provider": "harvest",
            "company_id": company.id,
            "api_url": fake_api["url"],
            "api_token": fake_api["token"],
            "account_ref": fake_api["account"],
        }
    )
    mapping_vals = [
        {
            "backend_id": backend.id,
            "kind": "user",
            "external_ref": str(person.id),
            "employee_id": employee.id,
        }
        for person, employee in zip(fake.people, employees, strict=True)
    ]
    mapping_vals += [
        {
            "backend_id": backend.id,
            "kind": "project",
            "external_ref": str(project.id),
            "project_id": odoo_project.id,
        }
        for project, odoo_project in zip(fake.projects, projects, strict=True)
    ]
    mapping_vals += [
        {
            "backend_id": backend.id,
            "kind": "task",
            "external_ref": ref,
            "task_id": task.id,
        }
        for ref, task in tasks.items()
    ]
    mapping_vals += [
        {
            "backend_id": backend.id,
            "kind": "client",
            "external_ref": ref,
            "partner_id": partner.id,
        }
        for ref, partner in partner_of.items()
    ]
    env["time.billing.mapping"].create(mapping_vals)
    ids = {
        "employee": {
            str(p.id): e.id for p, e in zip(fake.people, employees, strict=True)
        },
        "project": {
            str(p.id): o.id for p, o in zip(fake.projects, projects, strict=True)
        },
        "task": {ref: task.id for ref, task in tasks.items()},
        "partner": {ref: partner.id for ref, partner in partner_of.items()},
    }
    return backend, ids


def timesheet_rows(fake, ids):
    """The lines a user would import: one per fake entry, Odoo ids resolved,
    with the same values as the lines the synchronisation creates."""
    rows = []
    for record in fake.records:
        rows.append(
            {
                "name": record.get("notes") or "/",
                "date": record["spent_date"],
                "unit_amount": record["hours"],
                "employee_id": ids["employee"][str(record["user"]["id"])],
                "project_id": ids["project"][str(record["project"]["id"])],
                "task_id": ids["task"][str(record["task"]["id"])],
                "partner_id": ids["partner"][str(record["client"]["id"])],
            }
        )
    return rows


def bench_load(env, rows):
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
    with Measure("load", "load() - Odoo importer", len(rows)) as measure:
        result = Line.load(fields, data)
        env.flush_all()
    errors = [m for m in result["messages"] if m.get("type") == "error"]
    created = len([i for i in result["ids"] or [] if i])
    return measure, created, errors


def bench_create(env, rows):
    Line = env["account.analytic.line"]
    created = 0
    with Measure("create", "create() - ORM batch", len(rows)) as measure:
        for start in range(0, len(rows), PAGE_SIZE):
            created += len(Line.create(rows[start : start + PAGE_SIZE]))
        env.flush_all()
    return measure, created, []


def bench_sync(env, backend, label, name, entries):
    with Measure(name, label, entries) as measure:
        run = backend.action_sync()
        env.flush_all()
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
        fake = _fake_harvest(args.entries)
        return run_benchmark(args, fake, fake_api)
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def keep_best(results, measure):
    """Best of the repeated measurements: the one least disturbed."""
    best = results.get(measure.name)
    if best is None or measure.seconds < best.seconds:
        results[measure.name] = measure


def vacuum(db):
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
            for table in VACUUMED_TABLES:
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


def run_benchmark(args, fake, fake_api):
    registry = open_registry(args.config, args.db)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    n = args.entries
    results, problems = {}, []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(context=dict(env["res.users"].context_get(), tracking_disable=True))
        if env["time.billing.backend"].search_count([]):
            sys.exit(
                f"{args.db} already holds backends: run on a fresh database "
                "(scripts/bench.sh creates one)."
            )
        backend, ids = setup_fixtures(env, fake, fake_api)
        cr.commit()
        rows = timesheet_rows(fake, ids)

        # Warm the caches of every code path on a few rows, then forget them.
        bench_load(env, rows[:100])
        bench_create(env, rows[:100])
        cr.rollback()
        env.invalidate_all(flush=False)

        for attempt in range(1, args.repeat + 1):
            suffix = f" ({attempt}/{args.repeat})" if args.repeat > 1 else ""
            for bench in (bench_load, bench_create):
                vacuum(args.db)
                print(f"Measuring {bench.__name__[6:]}(){suffix}...", flush=True)
                measure, created, errors = bench(env, rows)
                if created != n or errors:
                    problems.append(
                        f"{measure.name}: {created} lines created, "
                        f"{len(errors)} errors {errors[:3]}"
                    )
                keep_best(results, measure)
                cr.rollback()
                env.invalidate_all(flush=False)

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


def report(args, results, problems):
    load = results["load"]
    rows = []
    for key in ("load", "create", "sync", "resync"):
        measure = results[key]
        rows.append(
            (
                measure.label,
                f"{measure.entries:,}",
                f"{measure.seconds:.2f}",
                f"{measure.rate:,.0f}",
                f"{measure.queries:,}",
                f"{measure.rate / load.rate:.2f}x" if load.rate else "-",
            )
        )
    header = ("measure", "entries", "wall s", "entries/s", "queries", "vs load()")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
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
    ratio = sync.rate / load.rate if load.rate else 0.0
    resync_ratio = resync.rate / sync.rate if sync.rate else 0.0
    print()
    print(
        f"sync vs load(): {ratio:.2f}x (target >= {TARGET_SYNC_VS_LOAD}x: "
        f"{'met' if ratio >= TARGET_SYNC_VS_LOAD else 'NOT met'}); "
        f"re-sync vs first import: {resync_ratio:.2f}x"
    )
    for problem in problems:
        print(f"INVALID MEASUREMENT: {problem}")
    payload = {
        "benchmark": "import",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": args.db,
        "entries": args.entries,
        "repeat": args.repeat,
        "page_size": PAGE_SIZE,
        "world": WORLD,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": {key: m.as_dict() for key, m in results.items()},
        "ratios": {
            "sync_vs_load": round(ratio, 3),
            "create_vs_load": round(results["create"].rate / load.rate, 3)
            if load.rate
            else None,
            "resync_vs_sync": round(resync_ratio, 3),
        },
        "target": {
            "sync_vs_load": TARGET_SYNC_VS_LOAD,
            "met": ratio >= TARGET_SYNC_VS_LOAD,
        },
        "problems": problems,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2)
    print(f"Results written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
