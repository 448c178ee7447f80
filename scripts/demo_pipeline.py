"""Demo run of the time billing pipeline, inside ``odoo-bin shell``.

scripts/demo.sh pipes this file into ``odoo-bin shell -d tbb_demo``, which runs
it with ``env`` (superuser) already defined. It runs one month of the pipeline
on the demo data and prints what happened. The month is the last one whose
invoices, dated the first of the next month, are 35 days old today, so that
the payment reminders have fallen due:

1. the retainer's prepaid block is invoiced, posted and paid before the month;
2. starts the bundled fake Harvest and Toggl Track APIs in this process, with
   three weeks of the month's entries of the demo people on the demo projects
   (plus a person and a project Odoo does not know, to show exceptions);
3. creates a backend for each, pointing at the fakes, and synchronises it
   with ``action_sync()``; then changes one entry at the source and
   synchronises again;
4. imports ``scripts/demo_timesheets.csv`` (40 rows, 3 of them broken) into
   the demo file backend through the upload wizard;
5. the approver approves the month's time waiting for approval;
6. an invoice run drafts the month's invoices; they are posted on the first
   of the next month;
7. the daily payment reminder job runs for each day from then until today;
8. prints the imports, the approvals, the invoices with their lines, the
   reminders sent, the entries waiting as exceptions, and the counts.

Everything is deterministic: the same data gives the same summary. Changes
are committed at the end (the shell rolls back otherwise).
"""

import base64
import os
import re
import sys
from datetime import date, datetime, time, timedelta, timezone

MODEL_COUNTS = [
    ("time.billing.backend", "backends"),
    ("time.billing.mapping", "mappings"),
    ("time.billing.entry", "staged entries"),
    ("time.billing.sync.run", "sync runs"),
    ("time.billing.contract", "contracts"),
    ("time.billing.rate.rule", "rate rules"),
    ("project.project", "projects"),
    ("hr.employee", "employees"),
]
ADDON = "time_billing_bridge"
DEMO_CSV = "demo_timesheets.csv"
# The dates of demo_timesheets.csv start on this Monday; the demo moves them
# by whole weeks next to today, so that they fall within the demo contracts.
DEMO_CSV_MONDAY = date(2026, 3, 2)
DEMO_BACKENDS = ("Harvest (demo)", "Toggl Track (demo)")
# Entries per fake provider, spread over this many working days.
FAKE_ENTRIES = 60
FAKE_DAYS = 15


def count(env, model, domain=()):
    if model not in env:
        return None
    return env[model].with_context(active_test=False).search_count(list(domain))


def lines_by_billing_state(env):
    """Timesheet lines per billing state, or None before the addon adds it."""
    lines = env["account.analytic.line"]
    if "billing_state" not in lines._fields:
        return None
    labels = dict(lines._fields["billing_state"]._description_selection(env))
    groups = lines._read_group(
        [("project_id", "!=", False)], ["billing_state"], ["__count"]
    )
    return [(labels.get(state, "not set"), total) for state, total in groups]


def billing_by_contract(env):
    """Per contract: lines, billable hours and amount, and lines per state."""
    lines = env["account.analytic.line"]
    if "billing_contract_id" not in lines._fields:
        return []
    labels = dict(lines._fields["billing_state"]._description_selection(env))
    groups = lines._read_group(
        [("billing_contract_id", "!=", False)],
        ["billing_contract_id", "billing_state"],
        ["__count", "billable_hours:sum", "billing_amount:sum"],
    )
    summary = {}
    for contract, state, total, hours, amount in groups:
        row = summary.setdefault(contract, [0, 0.0, 0.0, []])
        row[0] += total
        row[1] += hours
        row[2] += amount
        row[3].append(f"{labels.get(state, 'not routed yet')} {total}")
    return [
        (contract, total, hours, contract.currency_id.format(amount), states)
        for contract, (total, hours, amount, states) in summary.items()
    ]


def check_admin_login(env):
    """True when admin / admin logs in, as the demo's hint promises."""
    from odoo.exceptions import AccessDenied

    admin = env.ref("base.user_admin")
    credential = {"type": "password", "login": admin.login, "password": "admin"}
    try:
        admin.with_user(admin)._check_credentials(credential, {"interactive": False})
    except AccessDenied:
        return False
    return admin.login == "admin"


# -- the demo world at the fake providers --------------------------------------


def addon_dir():
    import odoo.addons

    for path in odoo.addons.__path__:
        candidate = os.path.join(path, ADDON)
        if os.path.isdir(candidate):
            return candidate
    raise RuntimeError(f"{ADDON} is not in the addons path")


def load_billing():
    """The billing steps of the demo (scripts/demo_billing.py)."""
    scripts_dir = os.path.join(os.path.dirname(addon_dir()), "scripts")
    if scripts_dir not in sys.path:
        sys.path.insert(0, scripts_dir)
    import demo_billing

    return demo_billing


def load_fakes():
    """The fake provider servers bundled with the addon's tests."""
    tests_dir = os.path.join(addon_dir(), "tests")
    if tests_dir not in sys.path:
        sys.path.insert(0, tests_dir)
    import fakes

    return fakes


def demo_records(env, model):
    """The records of ``model`` created by the addon's demo data."""
    ids = (
        env["ir.model.data"]
        .search([("module", "=", ADDON), ("model", "=", model)])
        .mapped("res_id")
    )
    return env[model].browse(sorted(ids)).exists()


def demo_world(env, fake):
    """Give ``fake`` the demo people, clients, projects and tasks.

    Returns a person and a project that Odoo does not know, for entries that
    must wait as exceptions.
    """
    from fakes.base import Client, Person, Project, Task

    employees = demo_records(env, "hr.employee")
    fake.people = [
        Person(
            id=fake.person_id(index),
            first_name=employee.name.split(" ", 1)[0],
            last_name=employee.name.split(" ", 1)[-1],
            email=employee.work_email,
            timezone="Europe/Paris",
        )
        for index, employee in enumerate(employees)
    ]
    clients, fake.projects = {}, []
    odoo_projects = demo_records(env, "project.project")
    for index, project in enumerate(odoo_projects):
        partner = project.partner_id
        if partner.id not in clients:
            clients[partner.id] = Client(
                id=fake.object_id("client", len(clients)), name=partner.name
            )
        tasks = env["project.task"].search(
            [("project_id", "=", project.id)], order="id"
        )
        fake.projects.append(
            Project(
                id=fake.object_id("project", index),
                name=project.name,
                code=f"DEMO-{index + 1}",
                client=clients[partner.id],
                tasks=[
                    Task(id=fake.object_id("task", index * 10 + i), name=task.name)
                    for i, task in enumerate(tasks)
                ],
            )
        )
    fake.clients = list(clients.values())
    stranger = Person(
        id=fake.person_id(len(fake.people)),
        first_name="Guest",
        last_name="Contractor",
        email="guest.contractor@example.org",
        timezone="Europe/Paris",
    )
    unknown_client = Client(id=fake.object_id("client", len(clients)), name="Acme")
    unknown_project = Project(
        id=fake.object_id("project", len(fake.projects)),
        name="Acme: Website Relaunch",
        code="ACME-1",
        client=unknown_client,
        tasks=[Task(id=fake.object_id("task", 999), name="Design")],
    )
    return stranger, unknown_project


def fill_fake(env, fake, seed, start):
    """Entries of the demo people over FAKE_DAYS working days from ``start``,
    plus one by a stranger and one on an unknown project."""
    stranger, unknown_project = demo_world(env, fake)
    # The demo world stays: generate() only picks among it.
    fake.generate(FAKE_ENTRIES - 2, seed=seed, start=start, days=FAKE_DAYS)
    afternoon = datetime.combine(start, time(14), timezone.utc)
    fake.add(_person=stranger, _project=fake.projects[0], _started=afternoon)
    fake.add(_person=fake.people[0], _project=unknown_project, _started=afternoon)


# -- the steps ----------------------------------------------------------------


def sync_fake_backends(env, fakes, start):
    """Synchronise a Harvest and a Toggl Track backend from the fakes."""
    results = []
    Backend = env["time.billing.backend"]
    servers = []
    # The fakes listen on http://127.0.0.1, which backends may only call
    # with these system parameters set.
    params = env["ir.config_parameter"].sudo()
    params.set_param("time_billing_bridge.allow_http_api_url", "1")
    params.set_param("time_billing_bridge.allow_private_api_hosts", "1")
    for seed, (fake_class, provider, name) in enumerate(
        (
            (fakes.FakeHarvest, "harvest", DEMO_BACKENDS[0]),
            (fakes.FakeToggl, "toggl", DEMO_BACKENDS[1]),
        )
    ):
        fake = fake_class().start()
        servers.append(fake)
        fill_fake(env, fake, seed, start)
        # Entries changed "now" at the source are dated now, which is after
        # every demo entry.
        fake.clock = datetime.now(timezone.utc).replace(microsecond=0)
        backend = Backend.create(
            {
                "name": name,
                "provider": provider,
                "api_url": fake.url,
                "api_token": fake.token,
                "account_ref": fake.account_id,
                "webhook_secret": fake.webhook_secret,
            }
        )
        run = backend.action_sync()
        results.append((backend, "first synchronisation", run))
        # One entry changes at the source; the next synchronisation sees it.
        edited = fake.records[0]
        if provider == "harvest":
            fake.edit(fake.record_id(edited), hours=edited["hours"] + 0.5)
        else:
            fake.edit(fake.record_id(edited), duration=edited["duration"] + 1800)
        fake.clock += timedelta(minutes=10)
        run = backend.action_sync()
        results.append((backend, "after 1 change at the source", run))
    return results, servers


def shifted_csv(content, start):
    """demo_timesheets.csv with its dates moved by whole weeks to ``start``."""
    offset = start - DEMO_CSV_MONDAY

    def shift(match):
        try:
            day = date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return match[0]  # the broken date stays broken
        return (day + offset).strftime("%d/%m/%Y")

    return re.sub(r"\b(\d{2})/(\d{2})/(\d{4})\b", shift, content)


def import_demo_file(env, start):
    """Import the bundled CSV through the upload wizard, as a user would."""
    path = os.path.join(os.path.dirname(addon_dir()), "scripts", DEMO_CSV)
    if not os.path.exists(path):
        return None, f"{DEMO_CSV} not found next to the addon; file import skipped"
    backend = env.ref(f"{ADDON}.backend_csv_demo", raise_if_not_found=False)
    if not backend:
        backend = env["time.billing.backend"].create(
            {"name": "Spreadsheet exports", "provider": "csv"}
        )
    with open(path, encoding="utf-8") as handle:
        content = shifted_csv(handle.read(), start)
    wizard = (
        env["time.billing.import.file"]
        .with_context(default_backend_id=backend.id)
        .create(
            {
                "file": base64.b64encode(content.encode()),
                "filename": DEMO_CSV,
            }
        )
    )
    wizard.action_read_file()
    wizard.format_name = "Team timesheet"
    wizard.action_import()
    return wizard, None


def print_run(label, run, width):
    print(
        f"    {label:<{width}}  {run.created_count:>3} created, "
        f"{run.updated_count:>3} updated, {run.unchanged_count:>3} unchanged, "
        f"{run.error_count:>2} to fix"
    )


def main(env):
    print()
    print(f"Demo database {env.cr.dbname}")
    if "time.billing.backend" not in env:
        print("  time_billing_bridge is not installed in this database")
        return
    if env["time.billing.backend"].search_count([("name", "in", DEMO_BACKENDS)]):
        print("  The demo pipeline already ran on this database: summary only.")
        print_summary(env)
        return
    billing = load_billing()
    today = date.today()
    first, last, invoice_date = billing.demo_month(today)
    # The imports start on the month's first Monday.
    start = first + timedelta(days=(7 - first.weekday()) % 7)
    topups = billing.prepay_retainers(env, first)
    fakes = load_fakes()
    servers = []
    try:
        results, servers = sync_fake_backends(env, fakes, start)
        wizard, problem = import_demo_file(env, start)
    finally:
        for server in servers:
            server.stop()
    approvals = billing.approve_month(env, last)
    run, invoices = billing.invoice_month(env, last, invoice_date)
    reminders = billing.replay_reminders(env, invoice_date, today)
    print(f"The month of {first:%B %Y}, invoiced on {invoice_date}; today {today}")
    billing.print_topups(topups)
    print_imports(results, wizard, problem)
    billing.print_approvals(approvals)
    billing.print_invoices(run, invoices)
    billing.print_reminders(reminders, invoice_date, today)
    print_summary(env)
    env.cr.commit()


def print_imports(results, wizard, problem):
    print()
    print("Imports")
    width = 30
    shown = None
    for backend, label, run in results:
        if backend != shown:
            print(f"  {backend.name} (fake {backend.provider} API)")
            shown = backend
        print_run(label, run, width)
    if problem:
        print(f"  {problem}")
    elif wizard:
        print(f"  {wizard.backend_id.name} (file upload)")
        print_run(f"{DEMO_CSV}, {wizard.row_count} rows", wizard.sync_run_id, width)


def print_summary(env):
    print()
    print("Entries waiting in Import Exceptions")
    exceptions = env["time.billing.entry"].search([("state", "=", "exception")])
    for entry in exceptions.sorted(
        lambda e: (e.backend_id.id, e.line_number, e.external_id)
    ):
        reason = (entry.exception_reason or "").splitlines()[0]
        print(f"  {entry.backend_id.name}: {reason}")

    print()
    print("Database")
    width = max(
        len(label) for _model, label in MODEL_COUNTS + [("", "timesheet lines")]
    )
    for model, label in MODEL_COUNTS:
        total = count(env, model)
        if total is not None:
            print(f"  {label:<{width}}  {total}")
    timesheets = count(env, "account.analytic.line", [("project_id", "!=", False)])
    if timesheets is not None:
        print(f"  {'timesheet lines':<{width}}  {timesheets}")
    states = lines_by_billing_state(env)
    if states:
        for label, total in states:
            print(f"    {label:<{width - 2}}  {total}")
    print(f"  admin / admin login: {'ok' if check_admin_login(env) else 'REFUSED'}")
    contracts = billing_by_contract(env)
    if contracts:
        print()
        print("Time on contracts")
        for contract, total, hours, amount, states in contracts:
            print(f"  {contract.name}")
            print(
                f"    {total} lines, {hours:.2f} billable hours, {amount} "
                f"({', '.join(states)})"
            )


if __name__ == "__main__":
    main(env)  # noqa: F821 (provided by odoo-bin shell)
