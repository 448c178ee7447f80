#!/usr/bin/env python3
# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""File import benchmark: big CSV and XLSX files through the upload wizard.

Run by ``scripts/bench.sh`` on a fresh database where time_billing_bridge is
installed. Creates 20 people and 10 projects of 5 clients, a file backend,
then generates clean exports (date, person, e-mail, client, project,
description, duration) and imports each through ``time.billing.import.file``
as a user does: ``action_read_file()`` then ``action_import()``, the clock
stopping after a flush. Each import runs in a transaction that is rolled
back, so every one starts from the same empty state.

Measured for each file: rows per second and the process's peak resident
memory during the import (``VmHWM`` of ``/proc/self/status``, reset before
each import through ``/proc/self/clear_refs``), with its resident memory
before the import; the growth (peak - before) is what the import costs.
A smaller CSV runs first, so that the table shows whether that growth
follows the file. The rows per second include reading and parsing the file.

Usage: bench_files.py --config CONF --db DB [--rows N] [--small N] [--no-xlsx]
                      [--out FILE]
"""

import argparse
import base64
import io
import os
import sys
import time

from bench_import import Measure, _environment, _table, open_registries, save_results
from bench_world import ROOT

PEOPLE = 20
CLIENTS = 5
PROJECTS = 10


# -- memory ---------------------------------------------------------------------


def _status_kb(key):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    """Reset the peak resident memory (Linux: ``5`` to ``clear_refs``)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


# -- the files -----------------------------------------------------------------


def _email(person):
    return f"person{person}@bench.example.com"


def export_rows(rows):
    """The cells of a clean export of ``rows`` rows, header first."""
    yield ("Date", "Employee", "Email", "Client", "Project", "Description", "Hours")
    for index in range(rows):
        person = index % PEOPLE
        project = index % PROJECTS
        yield (
            f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}",
            f"Person {person}",
            _email(person),
            f"Client {project % CLIENTS}",
            f"Project {project}",
            f"Work item {index}",
            f"{0.25 * (1 + index % 16):.2f}",
        )


def make_csv(rows):
    return "".join(",".join(cells) + "\n" for cells in export_rows(rows)).encode()


def make_xlsx(rows):
    import openpyxl  # noqa: PLC0415

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Time")
    for cells in export_rows(rows):
        sheet.append(list(cells))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- the benchmark -------------------------------------------------------------


def setup_world(env):
    """People, clients, projects and a file backend; committed by the caller."""
    env["hr.employee"].create(
        [
            {"name": f"Person {index}", "work_email": _email(index)}
            for index in range(PEOPLE)
        ]
    )
    partners = env["res.partner"].create(
        [{"name": f"Client {index}", "is_company": True} for index in range(CLIENTS)]
    )
    env["project.project"].create(
        [
            {"name": f"Project {index}", "partner_id": partners[index % CLIENTS].id}
            for index in range(PROJECTS)
        ]
    )
    return env["time.billing.backend"].create(
        {"name": "Spreadsheets (bench)", "provider": "csv"}
    )


def bench_file(registry, api, backend_id, name, label, filename, content, rows):
    """Import ``content`` through the wizard; roll back afterwards."""
    with registry.cursor() as cr:
        env = _environment(registry, api, cr)
        wizard = env["time.billing.import.file"].create(
            {
                "backend_id": backend_id,
                "file": base64.b64encode(content),
                "filename": filename,
            }
        )
        env.flush_all()
        before = _status_kb("VmRSS")
        reset_peak()
        with Measure(name, label, rows) as measure:
            wizard.action_read_file()
            wizard.action_import()
            env.flush_all()
        peak = _status_kb("VmHWM")
        counts = {
            "created": wizard.created_count,
            "errors": wizard.error_count,
            "unchanged": wizard.unchanged_count,
        }
        cr.rollback()
    measure.run = counts
    measure.memory = {
        "rss_before_mb": round(before / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_growth_mb": round((peak - before) / 1024, 1),
        "file_mb": round(len(content) / 1024 / 1024, 2),
    }
    return measure


def run_benchmark(args):
    (registry,) = open_registries(args.config, args.db)
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        backend_id = setup_world(_environment(registry, api, cr)).id
        cr.commit()
    files = [
        ("csv_small", f"CSV, {args.small:,} rows", "small.csv", make_csv, args.small),
        ("csv", f"CSV, {args.rows:,} rows", "export.csv", make_csv, args.rows),
    ]
    if args.xlsx:
        files.append(
            ("xlsx", f"XLSX, {args.rows:,} rows", "export.xlsx", make_xlsx, args.rows)
        )
    results, problems = {}, []
    for name, label, filename, make, rows in files:
        print(f"{label}: generating and importing...", flush=True)
        content = make(rows)
        measure = bench_file(
            registry, api, backend_id, name, label, filename, content, rows
        )
        del content
        results[name] = measure
        if measure.run["created"] != rows:
            problems.append(
                f"{label}: {measure.run['created']} of {rows} rows created "
                f"({measure.run['errors']} errors)"
            )
    return results, problems


def report(args, results, problems):
    print()
    _table(
        (
            "file",
            "MB",
            "wall s",
            "rows/s",
            "queries",
            "RSS before MB",
            "peak RSS MB",
            "growth MB",
        ),
        [
            (
                m.label,
                f"{m.memory['file_mb']:.1f}",
                f"{m.seconds:.1f}",
                f"{m.rate:,.0f}",
                f"{m.queries:,}",
                f"{m.memory['rss_before_mb']:,.0f}",
                f"{m.memory['peak_rss_mb']:,.0f}",
                f"{m.memory['peak_growth_mb']:,.0f}",
            )
            for m in results.values()
        ],
    )
    print(
        "\nPeak memory: the process's peak resident set (VmHWM), reset before "
        "each import; growth = peak - resident before the import."
    )
    for problem in problems:
        print(f"INVALID: {problem}")
    save_results(
        args.out,
        {
            "benchmark": "files",
            "rows": args.rows,
            "memory_measure": "VmHWM (peak RSS) of the process, reset per import",
            "results": {
                name: {**m.as_dict(), "memory": m.memory} for name, m in results.items()
            },
            "problems": problems,
        },
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", default=os.path.join(ROOT, ".odoo", "odoo.conf"))
    parser.add_argument(
        "--db", default="tbb_bench", help="a fresh database with time_billing_bridge"
    )
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--small", type=int, default=20000)
    parser.add_argument("--no-xlsx", dest="xlsx", action="store_false")
    parser.add_argument(
        "--out", default=os.path.join(ROOT, "bench-results", "files.json")
    )
    args = parser.parse_args()
    started = time.perf_counter()
    results, problems = run_benchmark(args)
    report(args, results, problems)
    print(f"Total {time.perf_counter() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
