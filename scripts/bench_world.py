# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The data of the import benchmark: a fake Harvest organisation, the same
people, projects, tasks and clients in Odoo, and the timesheet lines a user
would import. Used by ``bench_import.py``.
"""

import json
import os
import sys
from datetime import date, datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "time_billing_bridge"
# Shape of the fake organisation: people, projects (with tasks) and clients.
WORLD = {"users": 20, "projects": 10, "clients": 5, "tasks": 3}
SEED = 1


# -- the fake Harvest API, in a child process ----------------------------------


def fake_harvest(entries):
    """The deterministic fake organisation with ``entries`` time entries."""
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
    fake = fake_harvest(entries).start()
    print(
        json.dumps({"url": fake.url, "token": fake.token, "account": fake.account_id}),
        flush=True,
    )
    sys.stdin.read()
    fake.stop()


# -- the same organisation in Odoo ----------------------------------------------


def setup_people_and_projects(env, fake):
    """Employees, clients, projects and tasks of the fake organisation, with
    Odoo alone (``hr_timesheet``): what every measurement's lines point to.

    Return ``(records, ids)``: the records by kind, and ``{kind: {external
    id: Odoo id}}``.
    """
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
    records = {
        "employee": employees,
        "partner": partners,
        "project": projects,
        "task": tasks,
        "partner_of": partner_of,
    }
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
    return records, ids


def setup_billing(env, fake, fake_api, records):
    """One contract per client and the backend with its mappings."""
    from odoo import Command  # noqa: PLC0415

    partners, projects = records["partner"], records["project"]
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
    # The fake listens on http://127.0.0.1, which backends may only call
    # with these system parameters set.
    params = env["ir.config_parameter"].sudo()
    params.set_param("time_billing_bridge.allow_http_api_url", "1")
    params.set_param("time_billing_bridge.allow_private_api_hosts", "1")
    backend = env["time.billing.backend"].create(
        {
            "name": "Benchmark Harvest",
            "provider": "harvest",
            "company_id": env.company.id,
            "api_url": fake_api["url"],
            "api_token": fake_api["token"],
            "account_ref": fake_api["account"],
        }
    )
    targets = [
        ("user", "employee_id", zip(fake.people, records["employee"], strict=True)),
        ("project", "project_id", zip(fake.projects, projects, strict=True)),
    ]
    mapping_vals = [
        {
            "backend_id": backend.id,
            "kind": kind,
            "external_ref": str(external.id),
            fname: record.id,
        }
        for kind, fname, pairs in targets
        for external, record in pairs
    ]
    mapping_vals += [
        {"backend_id": backend.id, "kind": kind, "external_ref": ref, fname: rec.id}
        for kind, fname, by_ref in (
            ("task", "task_id", records["task"]),
            ("client", "partner_id", records["partner_of"]),
        )
        for ref, rec in by_ref.items()
    ]
    env["time.billing.mapping"].create(mapping_vals)
    return backend


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
