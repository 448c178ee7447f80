"""An Odoo process killed in the middle of a synchronisation, then a new one.

The synchronisation runs in an ``odoo-bin shell`` against the served
database, importing from the fake Harvest API of the addon's tests (served
from this process). The fake holds page three unanswered; the process is
killed with SIGKILL, as the kernel's OOM killer or a container stop would.
PostgreSQL must release its lock, and a second process must finish the
interrupted run: every entry once, nothing lost.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "time_billing_bridge" / "tests"))

from fakes import FakeHarvest  # noqa: E402  (standard library only)

ENTRIES = "/time_entries"
RECORDS = 7  # four pages of two
PARAMS = (
    "time_billing_bridge.allow_http_api_url",
    "time_billing_bridge.allow_private_api_hosts",
)
# Run in the shell: pages of two, no waiting between retries; print the
# backend's lock key, then synchronise.
SCRIPT = """
import dataclasses

Backend = type(env["time.billing.backend"])
config = Backend._get_adapter_config
Backend._get_adapter_config = lambda backend: dataclasses.replace(
    config(backend), page_size=2, retry_backoff=0.0
)
backend = env["time.billing.backend"].browse({backend_id})
print("LOCK-KEY", backend._sync_lock_key(), flush=True)
run = backend.action_sync()
print("RUN", run.id, run.state, flush=True)
"""


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def shell(db, backend_id, log_path):
    """An ``odoo-bin shell`` synchronising the backend, in its own process
    group; its output is read line by line, its log goes to ``log_path``."""
    odoo_src = Path(os.environ.get("ODOO_SRC", Path.home() / "odoo-19.0"))
    python = REPO / ".venv" / "bin" / "python"
    command = [
        str(python if python.exists() else sys.executable),
        str(odoo_src / "odoo-bin"),
        "shell",
        "-c",
        str(REPO / ".odoo" / "odoo.conf"),
        "-d",
        db,
        "--no-http",
        "--log-level=warn",
    ]
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
            start_new_session=True,
            text=True,
        )
    process.stdin.write(SCRIPT.format(backend_id=backend_id))
    process.stdin.close()
    return process


def read_line(process, prefix, timeout=180):
    """The first line of the process's output starting with ``prefix``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(prefix):
            return line.split()[1:]
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no {prefix!r} line from the shell (exit {process.poll()})")


def kill(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture
def fake():
    with FakeHarvest() as server:
        server.build_world(
            users=[{"name": "Kit Killed", "email": "kit.killed@example.com"}],
            projects=["Killed Sync Project (system test)"],
            clients=["Killed Sync Client (system test)"],
            tasks=1,
        )
        yield server


@pytest.fixture
def backend(rpc, fake):
    """A Harvest backend on the fake, with the person, project and client the
    fake's entries name; everything is removed afterwards."""
    params = {
        key: rpc.execute_kw("ir.config_parameter", "get_param", [key]) for key in PARAMS
    }
    for key in PARAMS:
        rpc.execute_kw("ir.config_parameter", "set_param", [key, "1"])
    source = fake.projects[0]
    partner_id = rpc.create(
        "res.partner", {"name": source.client.name, "is_company": True}
    )
    project_id = rpc.create(
        "project.project", {"name": source.name, "partner_id": partner_id}
    )
    [project] = rpc.read("project.project", [project_id], ["account_id"])
    account_id = project["account_id"][0]
    rpc.write("account.analytic.account", [account_id], {"code": source.code})
    task_id = rpc.create(
        "project.task", {"name": source.tasks[0].name, "project_id": project_id}
    )
    employee_id = rpc.create(
        "hr.employee", {"name": "Kit Killed", "work_email": fake.people[0].email}
    )
    [employee] = rpc.read("hr.employee", [employee_id], ["work_contact_id"])
    backend_id = rpc.create(
        "time.billing.backend",
        {
            "name": "Harvest (killed sync, system test)",
            "provider": "harvest",
            "api_url": fake.url,
            "api_token": fake.token,
            "account_ref": fake.account_id,
        },
    )
    try:
        yield {"id": backend_id, "project": project_id}
    finally:
        lines = rpc.search_read(
            "account.analytic.line", [("project_id", "=", project_id)], ["id"]
        )
        rpc.unlink("account.analytic.line", [line["id"] for line in lines])
        rpc.unlink("time.billing.backend", [backend_id])
        rpc.unlink("project.task", [task_id])
        rpc.unlink("project.project", [project_id])
        # The project's own account may go with it.
        accounts = rpc.search_read(
            "account.analytic.account", [("id", "=", account_id)], ["id"]
        )
        rpc.unlink("account.analytic.account", [a["id"] for a in accounts])
        rpc.unlink("hr.employee", [employee_id])
        rpc.unlink("res.partner", [partner_id, employee["work_contact_id"][0]])
        for key, value in params.items():
            rpc.execute_kw("ir.config_parameter", "set_param", [key, value or False])


def test_killed_sync_is_finished_by_the_next_process(rpc, odoo_db, fake, backend):
    fake.generate(RECORDS, seed=31)
    fake.answer_next(times=2, path=ENTRIES)
    fake.hold_next(timeout=120)
    log_path = REPO / ".run" / "system-sync-killed.log"
    log_path.parent.mkdir(exist_ok=True)
    log_path.write_bytes(b"")
    first = shell(odoo_db, backend["id"], log_path)
    db = psycopg2.connect(dbname=odoo_db)
    db.autocommit = True
    try:
        [key] = read_line(first, "LOCK-KEY")
        wait_for(lambda: len(fake.requests_to(ENTRIES)) == 3, "page three")

        def lock_is_free():
            with db.cursor() as cr:
                cr.execute("SELECT pg_try_advisory_lock(%s)", [int(key)])
                taken = cr.fetchone()[0]
                if taken:
                    cr.execute("SELECT pg_advisory_unlock(%s)", [int(key)])
                return taken

        assert not lock_is_free(), "the synchronising process holds the lock"
        kill(first)
        assert first.returncode == -signal.SIGKILL
        # PostgreSQL ends the dead client's session and its lock with it.
        wait_for(lock_is_free, "PostgreSQL to release the lock", timeout=10)
    finally:
        kill(first)
        fake.release()
        db.close()

    [run] = rpc.search_read(
        "time.billing.sync.run",
        [("backend_id", "=", backend["id"])],
        ["state", "page_count", "created_count"],
    )
    # Pages one and two were committed; page three never arrived.
    assert (run["state"], run["page_count"], run["created_count"]) == ("running", 2, 4)
    assert (
        rpc.search_count("time.billing.entry", [("backend_id", "=", backend["id"])])
        == 4
    )

    second = shell(odoo_db, backend["id"], log_path)
    try:
        run_id, state = read_line(second, "RUN")
        assert second.wait(timeout=120) == 0, log_path.read_text()[-3000:]
    finally:
        kill(second)
    # The same run, continued and finished, not left running.
    assert (int(run_id), state) == (run["id"], "done")
    [run] = rpc.search_read(
        "time.billing.sync.run",
        [("backend_id", "=", backend["id"])],
        ["state", "page_count", "created_count", "unchanged_count", "message"],
    )
    assert (run["state"], run["page_count"]) == ("done", 4)
    assert (run["created_count"], run["unchanged_count"]) == (RECORDS, 0)
    assert re.search(r"Continued after page 2", run["message"])
    entries = rpc.search_read(
        "time.billing.entry",
        [("backend_id", "=", backend["id"])],
        ["external_id", "state", "timesheet_id"],
    )
    assert sorted(e["external_id"] for e in entries) == sorted(
        str(record["id"]) for record in fake.records
    )
    assert {e["state"] for e in entries} == {"imported"}
    lines = rpc.search_read(
        "account.analytic.line", [("project_id", "=", backend["project"])], ["id"]
    )
    assert sorted(line["id"] for line in lines) == sorted(
        e["timesheet_id"][0] for e in entries
    )
    [state] = rpc.read(
        "time.billing.backend",
        [backend["id"]],
        ["sync_resume_run_id", "sync_resume_token", "last_sync_date"],
    )
    assert not state["sync_resume_run_id"] and not state["sync_resume_token"]
    assert state["last_sync_date"]
