"""What a user sees when time comes from each source, inside ``odoo-bin shell``.

Usage: scripts/show_sources.sh [DATABASE]   (default database: tbb_show)

The wrapper drops and creates the scratch database with the addon installed,
then pipes this file into ``odoo-bin shell``, which runs it with ``env``
(superuser) defined. Against the local fake provider servers of the addon's
tests (no network), it:

1. synchronises a backend of each provider twice (the second run must change
   nothing) and prints each run's counts;
2. deletes at Harvest, Clockify and Tempo an entry whose line is open and one
   whose line is approved, and prints what the deletion check did;
3. shows a Harvest backend that bills only time approved at the source: an
   unapproved entry waits, and is imported once approved there.

A demonstration, not a test: it exits non-zero when a step fails unexpectedly.
Each step is committed, so the database can be browsed afterwards.
"""

import os
import sys
import traceback
from datetime import UTC, date, datetime, time, timedelta

from odoo import Command

ADDON = "time_billing_bridge"
PEOPLE = [
    {"name": "Sam Senior", "email": "sam@example.com"},
    {"name": "Jo Junior", "email": "jo@example.com"},
]
# Known to no one in Odoo: their entries wait as something to fix.
STRANGER = {"name": "Lee Stranger", "email": "lee@example.com"}
PROVIDERS = [
    ("harvest", "FakeHarvest"),
    ("toggl", "FakeToggl"),
    ("clockify", "FakeClockify"),
    ("tempo", "FakeTempo"),
    ("quickbooks_time", "FakeQuickBooksTime"),
    ("clio", "FakeClio"),
    ("clickup", "FakeClickUp"),
    ("monday", "FakeMonday"),
    ("hubstaff", "FakeHubstaff"),
]
DELETION_PROVIDERS = ("harvest", "clockify", "tempo")
ENTRIES = 8
# Billing states from which time can go to approval (const.ROUTABLE_STATES).
ROUTABLE_STATES = (False, "to_approve")
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
        print(f"  !! UNEXPECTED: {message}")


def header(title):
    print()
    print(title)
    print("=" * len(title))


def load_fakes():
    """The fake provider servers bundled with the addon's tests."""
    import odoo.addons

    for path in odoo.addons.__path__:
        tests_dir = os.path.join(path, ADDON, "tests")
        if os.path.isdir(tests_dir):
            sys.path.insert(0, tests_dir)
            import fakes

            return fakes
    raise RuntimeError(f"{ADDON} is not in the addons path")


def odoo_world(env):
    """The client, people, project and contract the sources' time maps to."""
    params = env["ir.config_parameter"].sudo()
    # The fakes listen on http://127.0.0.1, which backends may only call
    # with these system parameters set.
    params.set_param("time_billing_bridge.allow_http_api_url", "1")
    params.set_param("time_billing_bridge.allow_private_api_hosts", "1")
    client = env["res.partner"].create({"name": "Client A", "is_company": True})
    employees = env["hr.employee"].create(
        [{"name": p["name"], "work_email": p["email"]} for p in PEOPLE]
    )
    project = env["project.project"].create(
        {"name": "Project A", "partner_id": client.id}
    )
    project.account_id.code = "P001"  # the fakes' first project code
    task = env["project.task"].create({"name": "Task A", "project_id": project.id})
    today = date.today()
    env["time.billing.contract"].create(
        {
            "name": "Contract A",
            "partner_id": client.id,
            "project_ids": [Command.set(project.ids)],
            "date_start": today - timedelta(days=365),
            "date_end": today + timedelta(days=365),
            "default_rate": 100.0,
            "state": "active",
            # Imported time stays open, so that deletions can remove it.
            "auto_approve_delay": 30,
        }
    )
    return {"client": client, "employees": employees, "project": project, "task": task}


def start_fake(fake_class, stranger=True):
    """A started fake whose world has the people (the stranger last)."""
    fake = fake_class().start()
    people = PEOPLE + [STRANGER] if stranger else PEOPLE
    fake.build_world(
        users=people, projects=["Project A"], clients=["Client A"], tasks=1
    )
    return fake


def make_backend(env, world, fake, provider, name, **values):
    """A backend pointing at ``fake``, with its people, project, task and
    client mapped (the stranger is not)."""
    backend = env["time.billing.backend"].create(
        {
            "name": name,
            "provider": provider,
            "api_url": fake.url,
            "api_token": fake.token,
            "account_ref": fake.account_id,
            "webhook_secret": fake.webhook_secret,
            "default_project_id": world["project"].id,
            **values,
        }
    )
    project = fake.projects[0]
    rows = [
        ("user", person.id, "employee_id", employee.id)
        for person, employee in zip(fake.people, world["employees"], strict=False)
    ] + [
        ("project", project.id, "project_id", world["project"].id),
        ("task", project.tasks[0].id, "task_id", world["task"].id),
        ("client", project.client.id, "partner_id", world["client"].id),
    ]
    env["time.billing.mapping"].create(
        [
            {"backend_id": backend.id, "kind": kind, "external_ref": str(ref), key: id_}
            for kind, ref, key, id_ in rows
        ]
    )
    return backend


def sync(env, backend):
    run = backend.action_sync()
    env.invalidate_all()
    return run


def counts(run):
    return (
        f"{run.state:<8} created {run.created_count:>2}  updated "
        f"{run.updated_count:>2}  unchanged {run.unchanged_count:>2}  deleted "
        f"{run.deleted_count:>2}  to fix {run.error_count:>2}"
    )


def show_providers(env, fakes, world, servers):
    header("1. One synchronisation per source, then the same again")
    print(
        f"{ENTRIES} entries of mapped people and 1 of a person Odoo does not know"
        "\n(to fix) per source. The second run asks incremental sources only for"
        "\nwhat changed (nothing); the others read their window again (unchanged)."
        "\nHubstaff sends a day per person, project and task (entries add up).\n"
    )
    backends = {}
    start = date.today() - timedelta(days=14)
    for seed, (provider, class_name) in enumerate(PROVIDERS):
        fake = start_fake(getattr(fakes, class_name))
        servers.append(fake)
        # The mapped people's entries, then one of the stranger's.
        stranger = fake.people.pop()
        fake.generate(ENTRIES, seed=seed, start=start, days=6)
        fake.people.append(stranger)
        fake.add(_person=stranger, _started=datetime.combine(start, time(9), UTC))
        backend = make_backend(env, world, fake, provider, f"{fake.label} (show)")
        first, second = sync(env, backend), sync(env, backend)
        print(f"{fake.label:<20} 1st run: {counts(first)}")
        print(f"{'':<20} 2nd run: {counts(second)}")
        expect(first.state in ("done", "partial"), f"{provider}: {first.message}")
        expect(first.created_count > 0, f"{provider}: the first run created nothing")
        expect(
            (second.created_count, second.updated_count, second.deleted_count)
            == (0, 0, 0),
            f"{provider}: the second run changed something",
        )
        backends[provider] = (backend, fake)
    return backends


def approve(line):
    """Approve ``line`` through the pipeline's door, as the approver does."""
    line = line.sudo()
    line._billing_set_state("to_approve", {"billing_review_note": "Show"})
    line._billing_set_state("approved")


def show_deletions(env, backends):
    header("2. Time deleted at the source (the daily deletion check)")
    for provider in DELETION_PROVIDERS:
        backend, fake = backends[provider]
        print(f"\n{fake.label}")
        imported = backend.entry_ids.filtered(
            lambda entry: entry.state == "imported" and entry.timesheet_id
        ).sorted("external_id")
        # Non-billable time is never approved: approve a billable line.
        approved_entry = imported.filtered(
            lambda entry: entry.timesheet_id.billing_state in ROUTABLE_STATES
        )[0]
        open_entry = (imported - approved_entry)[0]
        approve(approved_entry.timesheet_id)
        cases = [
            ("open line", open_entry, open_entry.timesheet_id),
            ("approved line", approved_entry, approved_entry.timesheet_id),
        ]
        for _label, entry, _line in cases:
            fake.delete(entry.external_id)
        # Make the next synchronisation check for deleted time.
        backend.deletion_check_date = False
        env.flush_all()
        run = sync(env, backend)
        print(f"  run: {counts(run)}")
        for label, entry, line in cases:
            print(
                f"  entry {entry.external_id} ({label}): line "
                f"{'still exists' if line.exists() else 'removed'}; entry "
                f"{entry.state}"
            )
            if entry.exception_reason:
                print(f"    reason: {entry.exception_reason}")
        for message in (run.message or "").splitlines():
            if "delet" in message.lower() or "gone at the source" in message:
                print(f"  log: {message}")
        open_case, approved_case = cases
        expect(
            not open_case[2].exists() and open_case[1].state == "deleted",
            f"{provider}: the open line was not removed",
        )
        expect(
            approved_case[2].exists() and approved_case[1].state == "conflict",
            f"{provider}: the approved line is not kept as a conflict",
        )


def show_source_approval(env, fakes, world, servers):
    header("3. Harvest: bill only time approved at the source")
    fake = start_fake(fakes.FakeHarvest, stranger=False)
    servers.append(fake)
    backend = make_backend(
        env,
        world,
        fake,
        "harvest",
        "Harvest (approved only)",
        bill_source_approved_only=True,
    )
    started = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    record = fake.add(_person=fake.people[0], _started=started - timedelta(days=3))
    run = sync(env, backend)
    entry = backend.entry_ids.filtered(lambda e: e.external_id == str(record["id"]))
    print(f"Not approved in Harvest: run {counts(run)}")
    has_line = "yes" if entry.timesheet_id else "none"
    print(f"  entry {entry.external_id}: {entry.state}; timesheet line: {has_line}")
    print(f"  waiting because: {entry.exception_reason}")
    expect(
        entry.state == "exception" and not entry.timesheet_id,
        "unapproved time did not wait",
    )
    fake.approve(record["id"])
    run = sync(env, backend)
    line = entry.timesheet_id
    print(f"Approved in Harvest: run {counts(run)}")
    print(
        f"  entry {entry.external_id}: {entry.state}; line: {line.display_name!r}, "
        f"{line.unit_amount} h for {line.employee_id.name} on {line.project_id.name}"
    )
    expect(entry.state == "imported" and line, "approved time was not imported")


def run_step(env, number, function, *args):
    """Run one step; a failure is printed and counted, and the next one runs."""
    try:
        result = function(env, *args)
        env.cr.commit()
        return result
    except Exception:
        env.cr.rollback()
        traceback.print_exc()
        failures.append(f"step {number} failed")
        return None


def main(env):
    fakes = load_fakes()
    world = odoo_world(env)
    env.cr.commit()
    servers = []
    try:
        backends = run_step(env, 1, show_providers, fakes, world, servers)
        if backends:
            run_step(env, 2, show_deletions, backends)
        run_step(env, 3, show_source_approval, fakes, world, servers)
    finally:
        for server in servers:
            server.stop()
    header("Result")
    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        sys.exit(1)
    print("All steps ran as expected.")


if __name__ == "__main__":
    main(env)  # noqa: F821 (provided by odoo-bin shell)
