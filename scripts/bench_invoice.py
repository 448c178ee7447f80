#!/usr/bin/env python3
# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoicing throughput benchmark (PRODUCT.md, "Performance - benchmark protocol").

Run by ``scripts/bench.sh`` on a fresh database with time_billing_bridge and
``sale_timesheet``, the generic chart of accounts and the same service product
on both sides. Measures, in one run on the same machine and volume:

- ``draft``: one invoice run of N contracts (``action_create_invoices()``),
  each with M approved timesheet lines of the last month: N draft invoices
  whose lines point at the time they bill;
- ``draft_sale``: ``sale.order._create_invoices()`` of N confirmed sales
  orders, each with one service line invoiced on timesheets (delivered) and
  M timesheet lines on its project: Odoo's own way of billing time;
- ``post`` and ``post_sale``: ``action_post()`` of those drafts.

The world is built once and committed; each measurement runs in a
transaction that is rolled back, after the tables it writes are vacuumed, so
every repetition starts from the same state. With ``--repeat N`` each
measurement runs N times (interleaved) and the best is kept.

Usage: bench_invoice.py --config CONF --db DB [--contracts N] [--lines M]
                        [--repeat N] [--out FILE]
"""

import argparse
import os
import sys
from datetime import date, timedelta

from bench_import import (
    Measure,
    _environment,
    _table,
    keep_best,
    open_registries,
    save_results,
    vacuum,
)
from bench_world import ROOT

TARGET_DRAFT_VS_SALE = 1.5
MARKER = "Bench invoicing client 0001"
VACUUMED_TABLES = (
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "account_analytic_line",
    "time_billing_invoice_run",
    "time_billing_invoice_run_skip",
    "time_billing_period",
    "mail_message",
    "mail_followers",
    "mail_activity",
    "sale_order_line",
)


def last_month(today):
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def working_days(first, last):
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def build_world(env, contracts, lines, first, last):
    """Clients, the service product, the contracts with their approved time,
    and the sales orders with theirs (committed; not measured)."""
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
    hour = env.ref("uom.product_uom_hour")
    product = env["product.product"].create(
        {
            "name": "Bench consulting hour",
            "type": "service",
            "uom_id": hour.id,
            "list_price": 100.0,
            "invoice_policy": "delivery",
            "service_type": "timesheet",
            "service_tracking": "project_only",
        }
    )
    company.time_billing_product_id = product
    employees = env["hr.employee"].create(
        [{"name": f"Bench consultant {i + 1}"} for i in range(5)]
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Bench invoicing client {i + 1:04d}", "email": "c@example.com"}
            for i in range(contracts)
        ]
    )
    days = working_days(first, last)

    def time_of(project, index):
        return [
            {
                "name": f"Work {j + 1}",
                "project_id": project.id,
                "employee_id": employees[(index + j) % len(employees)].id,
                "date": days[j % len(days)],
                "unit_amount": 0.5 + (j % 4) * 0.5,
            }
            for j in range(lines)
        ]

    # The bridge: a contract per client, billed monthly at 100.00 an hour,
    # every entry approved as it is logged.
    projects = env["project.project"].create(
        [
            {"name": f"Bench contract project {i + 1:04d}", "partner_id": p.id}
            for i, p in enumerate(partners)
        ]
    )
    env["time.billing.contract"].create(
        [
            {
                "name": f"Bench contract {i + 1:04d}",
                "partner_id": partner.id,
                "project_ids": [(6, 0, project.ids)],
                "date_start": first.replace(month=1, day=1),
                "default_rate": 100.0,
                "billing_period": "monthly",
                "product_id": product.id,
                "state": "active",
            }
            for i, (partner, project) in enumerate(
                zip(partners, projects, strict=False)
            )
        ]
    )
    Line = env["account.analytic.line"]
    for index, project in enumerate(projects):
        Line.create(time_of(project, index))
    # sale_timesheet: an order per client, its service line delivered on
    # timesheets of the project the order creates.
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 1.0})
                ],
            }
            for partner in partners
        ]
    )
    orders.action_confirm()
    for index, order in enumerate(orders):
        Line.create(time_of(order.project_ids[:1], index))
    env.cr.commit()


def world(env, contracts, lines):
    """``(contracts, orders)`` of the benchmark, checked."""
    problems = []
    found = env["time.billing.contract"].search([("name", "=like", "Bench contract %")])
    orders = env["sale.order"].search(
        [("partner_id.name", "=like", "Bench invoicing client %")]
    )
    Line = env["account.analytic.line"]
    approved = Line.search_count(
        [
            ("billing_contract_id", "in", found.ids),
            ("billing_state", "=", "approved"),
        ]
    )
    on_orders = Line.search_count([("so_line", "in", orders.order_line.ids)])
    expected = contracts * lines
    if len(found) != contracts or approved != expected:
        problems.append(
            f"{len(found)} contracts with {approved} approved lines, expected "
            f"{contracts} with {expected}"
        )
    if len(orders) != contracts or on_orders != expected:
        problems.append(
            f"{len(orders)} orders with {on_orders} timesheet lines, expected "
            f"{contracts} with {expected}"
        )
    return found, orders, problems


def bench_bridge(env, contracts, last, lines):
    with Measure("draft", "invoice run - time_billing_bridge", lines) as draft:
        invoices = contracts.action_create_invoices(date_to=last)
        env.flush_all()
    billed = env["account.analytic.line"].search_count(
        [("billing_invoice_id", "in", invoices.ids)]
    )
    with Measure("post", "post - time_billing_bridge invoices", lines) as post:
        invoices.action_post()
        env.flush_all()
    invoiced = env["account.analytic.line"].search_count(
        [("billing_invoice_id", "in", invoices.ids), ("billing_state", "=", "invoiced")]
    )
    problems = []
    if len(invoices) != len(contracts) or billed != lines or invoiced != lines:
        problems.append(
            f"the invoice run made {len(invoices)} invoices billing {billed} lines "
            f"({invoiced} invoiced once posted), expected {len(contracts)} and {lines}"
        )
    return draft, post, invoices, problems


def bench_sale(env, orders, lines):
    with Measure("draft_sale", "_create_invoices() - sale_timesheet", lines) as draft:
        invoices = orders._create_invoices()
        env.flush_all()
    billed = env["account.analytic.line"].search_count(
        [("timesheet_invoice_id", "in", invoices.ids)]
    )
    with Measure("post_sale", "post - sale_timesheet invoices", lines) as post:
        invoices.action_post()
        env.flush_all()
    problems = []
    if len(invoices) != len(orders) or billed != lines:
        problems.append(
            f"_create_invoices() made {len(invoices)} invoices billing {billed} "
            f"timesheet lines, expected {len(orders)} and {lines}"
        )
    return draft, post, invoices, problems


def run_benchmark(args):
    (registry,) = open_registries(args.config, args.db)
    from odoo import api  # noqa: PLC0415

    first, last = last_month(date.today())
    total = args.contracts * args.lines
    results, problems, amounts = {}, [], {}
    with registry.cursor() as cr:
        env = _environment(registry, api, cr)
        if not env["res.partner"].search_count([("name", "=", MARKER)]):
            print(
                f"building the world: {args.contracts} contracts and {args.contracts} "
                f"sales orders with {args.lines} lines each (a few minutes)",
                flush=True,
            )
            build_world(env, args.contracts, args.lines, first, last)
        contracts, orders, problems = world(env, args.contracts, args.lines)
        if problems:
            return results, problems, amounts
        for round_ in range(args.repeat):
            for side in ("bridge", "sale"):
                vacuum(args.db, VACUUMED_TABLES)
                if side == "bridge":
                    draft, post, invoices, found = bench_bridge(
                        env, contracts, last, total
                    )
                else:
                    draft, post, invoices, found = bench_sale(env, orders, total)
                amounts[side] = round(sum(invoices.mapped("amount_untaxed")), 2)
                problems += found
                keep_best(results, draft)
                keep_best(results, post)
                cr.rollback()
                env.invalidate_all()
                print(
                    f"  round {round_ + 1}: {draft.label} {draft.seconds:.2f} s, "
                    f"{post.label} {post.seconds:.2f} s",
                    flush=True,
                )
    if amounts.get("bridge") != amounts.get("sale"):
        problems.append(
            f"the two sides billed different totals: {amounts} (same time, same rate)"
        )
    return results, problems, amounts


def report(args, results, problems, amounts):
    print()
    if len(results) < 4:
        for problem in problems:
            print(f"INVALID MEASUREMENT: {problem}")
        return
    order = ("draft", "draft_sale", "post", "post_sale")
    peers = {"draft": "draft_sale", "post": "post_sale"}
    _table(
        ("measure", "lines", "invoices", "wall s", "lines/s", "queries", "vs Odoo"),
        [
            (
                results[key].label,
                f"{results[key].entries:,}",
                f"{args.contracts:,}",
                f"{results[key].seconds:.2f}",
                f"{results[key].rate:,.0f}",
                f"{results[key].queries:,}",
                (
                    f"{results[key].rate / results[peers[key]].rate:.2f}x"
                    if key in peers
                    else "-"
                ),
            )
            for key in order
        ],
    )
    ratio = results["draft"].rate / results["draft_sale"].rate
    post_ratio = results["post"].rate / results["post_sale"].rate
    met = ratio >= TARGET_DRAFT_VS_SALE
    print()
    print(
        f"drafting vs sale_timesheet: {ratio:.2f}x (target >= "
        f"{TARGET_DRAFT_VS_SALE}x: {'met' if met else 'NOT met'}); posting: "
        f"{post_ratio:.2f}x; billed on each side: {amounts.get('bridge'):,.2f}"
    )
    for problem in problems:
        print(f"INVALID MEASUREMENT: {problem}")
    save_results(
        args.out,
        {
            "benchmark": "invoice",
            "database": args.db,
            "contracts": args.contracts,
            "lines_per_contract": args.lines,
            "repeat": args.repeat,
            "results": {key: m.as_dict() for key, m in results.items()},
            "ratios": {
                "draft_vs_sale": round(ratio, 3),
                "post_vs_sale": round(post_ratio, 3),
            },
            "target": {"draft_vs_sale": TARGET_DRAFT_VS_SALE, "met": met},
            "billed": amounts,
            "problems": problems,
        },
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--config", default=os.path.join(ROOT, ".odoo", "odoo.conf"))
    parser.add_argument(
        "--db",
        default="tbb_bench_sale",
        help="a fresh database with time_billing_bridge and sale_timesheet",
    )
    parser.add_argument("--contracts", type=int, default=100)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--out", default=os.path.join(ROOT, "bench-results", "invoice.json")
    )
    args = parser.parse_args()
    results, problems, amounts = run_benchmark(args)
    report(args, results, problems, amounts)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
