"""System tests: drive a real Odoo server from outside, over HTTP and JSON-RPC.

scripts/test.sh runs them against the database it has just tested (``tbb_test``).
By hand, with a database where the addon is installed::

    TBB_TEST_DB=tbb_demo .venv/bin/pytest tests

Settings (environment variables, or the matching pytest options):

``TBB_TEST_DB`` / ``--tbb-db``
    database to serve (default ``tbb_test``); it must exist, with the addon
    installed and the user ``admin`` / ``admin``.
``TBB_ODOO_URL`` / ``--tbb-url``
    use an Odoo that is already running there instead of starting one.
``TBB_HTTP_PORT``
    port for the server started here (default: a free one).
``TBB_SERVER_LOG``
    where the started server logs (default ``.run/system-server.log``).
``ODOO_SRC``
    Odoo 19.0 source tree (default ``~/odoo-19.0``); the configuration is the
    one scripts/setup.sh writes, ``.odoo/odoo.conf``.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from odoo_client import ADMIN_LOGIN, ADMIN_PASSWORD, OdooClient

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 180  # seconds; loading the registry of a fresh database is slow


def pytest_addoption(parser):
    group = parser.getgroup("tbb", "time_billing_bridge system tests")
    group.addoption(
        "--tbb-db",
        default=os.environ.get("TBB_TEST_DB", "tbb_test"),
        help="database to serve (env TBB_TEST_DB, default tbb_test)",
    )
    group.addoption(
        "--tbb-url",
        default=os.environ.get("TBB_ODOO_URL", ""),
        help="URL of an Odoo already serving that database (env TBB_ODOO_URL); "
        "by default a server is started for the session",
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OdooServer:
    url: str
    db: str
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    def log_text(self):
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        return ""


def _wait_until_up(server, deadline):
    last_error = None
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(
                f"odoo-bin exited with code {server.process.returncode} while "
                f"starting; see {server.log_path}:\n{server.log_text()[-3000:]}"
            )
        try:
            response = requests.get(f"{server.url}/web/health", timeout=5)
            if response.status_code == 200:
                return
            last_error = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            last_error = exc
        time.sleep(0.5)
    raise RuntimeError(
        f"Odoo did not answer {server.url}/web/health within {START_TIMEOUT} s "
        f"({last_error}); see {server.log_path}"
    )


def _stop(process):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def odoo_server(pytestconfig):
    """A running Odoo serving the test database; started here unless --tbb-url."""
    db = pytestconfig.getoption("--tbb-db")
    url = pytestconfig.getoption("--tbb-url")
    if url:
        yield OdooServer(url=url.rstrip("/"), db=db)
        return

    odoo_src = Path(os.environ.get("ODOO_SRC", Path.home() / "odoo-19.0"))
    conf = REPO / ".odoo" / "odoo.conf"
    if not (odoo_src / "odoo-bin").exists():
        pytest.exit(f"no odoo-bin in {odoo_src}: set ODOO_SRC", returncode=3)
    if not conf.exists():
        pytest.exit(f"{conf} is missing: run scripts/setup.sh", returncode=3)
    port = int(os.environ.get("TBB_HTTP_PORT") or free_port())
    log_path = Path(
        os.environ.get("TBB_SERVER_LOG") or REPO / ".run" / "system-server.log"
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    python = REPO / ".venv" / "bin" / "python"
    command = [
        str(python if python.exists() else sys.executable),
        str(odoo_src / "odoo-bin"),
        "-c",
        str(conf),
        "-d",
        db,
        "--db-filter",
        f"^{db}$",
        "--http-port",
        str(port),
        "--http-interface",
        "127.0.0.1",
        "--workers",
        "0",
        "--max-cron-threads",
        "0",
        "--no-database-list",
    ]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    pid_file = os.environ.get("TBB_SERVER_PIDFILE")
    if pid_file:
        Path(pid_file).write_text(f"{process.pid}\n")
    server = OdooServer(
        url=f"http://127.0.0.1:{port}", db=db, log_path=log_path, process=process
    )
    try:
        _wait_until_up(server, time.monotonic() + START_TIMEOUT)
        yield server
    finally:
        _stop(process)
        if pid_file:
            Path(pid_file).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def base_url(odoo_server):
    """Base URL of the running Odoo, e.g. ``http://127.0.0.1:8123``."""
    return odoo_server.url


@pytest.fixture(scope="session")
def odoo_db(odoo_server):
    return odoo_server.db


@pytest.fixture(scope="session")
def rpc(odoo_server):
    """A JSON-RPC client logged in as admin."""
    client = OdooClient(odoo_server.url, odoo_server.db)
    client.login(ADMIN_LOGIN, ADMIN_PASSWORD)
    return client


@pytest.fixture
def anonymous_rpc(odoo_server):
    """A JSON-RPC client that has not logged in."""
    return OdooClient(odoo_server.url, odoo_server.db)


@pytest.fixture
def http(odoo_server):
    """A fresh ``requests.Session`` for plain HTTP calls (pages, webhooks)."""
    with requests.Session() as session:
        yield session
