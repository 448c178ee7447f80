# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared machinery of the fake provider APIs (standard library only).

A fake is a real HTTP server on 127.0.0.1 (port 0) served from a daemon
thread. It holds provider-shaped records in memory, checks credentials,
paginates like the provider, records every request and can be told to
misbehave (errors, slowness, broken JSON, dropped connections, answers held
back) for the next calls::

    with FakeHarvest() as fake:
        fake.generate(5000, seed=1)
        fake.pass_next(2)  # the third request fails
        fake.fail_next(429, headers={"Retry-After": "1"})
        ...  # point an adapter at fake.url with fake.token / fake.account_id
        assert fake.requests[-1].params["per_page"] == "2000"
"""

import random
import threading
import time
from collections import deque
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .faults import FaultInjection
from .wire import (  # noqa: F401 - the fakes import these from here
    UTC,
    Recorded,
    Response,
    iso_utc,
    json_response,
    parse_iso,
    send_dropped,
    send_trickle,
    text_response,
)
from .world import (
    CLIENT_NAMES,
    FIRST_NAMES,
    LAST_NAMES,
    NOTES,
    PROJECT_NAMES,
    TASK_NAMES,
    TIME_ZONES,
    Client,
    Person,
    Project,
    Task,
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeProvider/1.0"

    def _serve(self):
        self.server.fake._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, *args):  # silence the console
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that timed out closed the socket while a slow answer was
        # being written: expected in the timeout tests, nothing to report.
        return


class FakeServer(FaultInjection):
    """Base of the fakes. Subclasses implement :meth:`check_auth`,
    :meth:`route` and :meth:`_build_record`."""

    label = "Fake"
    api_root = ""  # path prefix of the API, e.g. "/v2"
    first_id = 1000

    def __init__(self, token="test-token", account_id="123456", webhook_secret=""):
        self.token = token
        self.account_id = str(account_id)
        self.webhook_secret = webhook_secret or "fake-webhook-secret"
        self.records = []
        self.requests = []
        self.clock = None  # a fixed aware datetime for "now", or None
        self.people, self.clients, self.projects = [], [], []
        self._faults = deque()
        self._lock = threading.RLock()
        self._released = threading.Event()
        # Bumped on every change of the data set; fakes cache sorted views.
        self.version = 0
        self._server = None
        self._thread = None
        self._next_id = self.first_id

    # -- lifecycle -----------------------------------------------------------

    def start(self):
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"{type(self).__name__}-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self):
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        if self._server is None:
            raise RuntimeError("the fake server is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self):
        """The API root to configure as the backend's ``api_url``."""
        return self.base_url + self.api_root

    def adapter_settings(self, **overrides):
        """Keyword arguments for ``AdapterConfig`` pointing at this fake."""
        return {
            "api_url": self.url,
            "api_token": self.token,
            "account_ref": self.account_id,
            "webhook_secret": self.webhook_secret,
            # The fake listens on http://127.0.0.1, which a real backend may
            # not call unless the system parameters allow it.
            "allow_http": True,
            "allow_private_hosts": True,
            **overrides,
        }

    def now(self):
        return self.clock or datetime.now(UTC)

    def error_body(self, status):
        """The provider's error body for an injected ``status``."""
        return json_response({"status": status, "error": "Injected failure"}, status)

    # -- request log ---------------------------------------------------------

    def requests_to(self, suffix, method=None):
        """Logged requests whose path ends with ``suffix``."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.endswith(suffix) and (method is None or r.method == method)
            ]

    def reset_log(self):
        with self._lock:
            self.requests.clear()

    # -- data ----------------------------------------------------------------

    def new_id(self):
        with self._lock:
            self._next_id += 1
            return self._next_id

    def build_world(self, users=4, projects=4, clients=3, tasks=3, seed=0):
        """Deterministic people, clients, projects and tasks.

        ``users`` is a count, or a list of people given as e-mail addresses
        or dicts (``name``, ``email``, ``timezone``) so that tests can match
        the employees they created. ``projects`` and ``clients`` are counts
        or lists of names.
        """
        rng = random.Random(f"world-{seed}")
        self.people = []
        specs = list(users) if not isinstance(users, int) else [None] * users
        for index, spec in enumerate(specs):
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 5 + seed) % len(LAST_NAMES)]
            suffix = "" if index < len(FIRST_NAMES) else str(index)
            email = f"{first.lower()}.{last.lower()}{suffix}@example.com"
            zone = TIME_ZONES[index % len(TIME_ZONES)]
            if isinstance(spec, str):
                spec = {"email": spec}
            if isinstance(spec, dict):
                if spec.get("name"):
                    first, _sep, last = spec["name"].partition(" ")
                email = spec.get("email") or email
                zone = spec.get("timezone") or zone
            self.people.append(
                Person(
                    id=self.person_id(index),
                    first_name=first,
                    last_name=last,
                    email=email,
                    timezone=zone,
                )
            )
        client_names = (
            list(clients)
            if not isinstance(clients, int)
            else [CLIENT_NAMES[i % len(CLIENT_NAMES)] for i in range(clients)]
        )
        project_names = (
            list(projects)
            if not isinstance(projects, int)
            else [PROJECT_NAMES[i % len(PROJECT_NAMES)] for i in range(projects)]
        )
        self.clients = [
            Client(id=self.object_id("client", index), name=name)
            for index, name in enumerate(client_names)
        ]
        self.projects = []
        for index, name in enumerate(project_names):
            project = Project(
                id=self.object_id("project", index),
                name=name,
                code=f"P{index + 1:03d}",
                client=self.clients[index % len(self.clients)],
            )
            for task_index in rng.sample(range(len(TASK_NAMES)), min(tasks, 6)):
                project.tasks.append(
                    Task(
                        id=self.object_id("task", index * 10 + task_index),
                        name=TASK_NAMES[task_index],
                    )
                )
            self.projects.append(project)

    def person(self, email):
        """The fake's person with this e-mail."""
        return next(p for p in self.people if p.email == email)

    def person_id(self, index):
        return self.object_id("user", index)

    def object_id(self, kind, index):
        """Id of the ``index``-th object of ``kind`` (provider-specific)."""
        offsets = {"user": 1_000_000, "client": 2_000_000, "project": 3_000_000}
        return offsets.get(kind, 4_000_000) + index + 1

    def generate(
        self,
        n,
        users=None,
        projects=None,
        clients=None,
        tasks=None,
        seed=0,
        start=date(2026, 1, 5),
        days=None,
        running=0,
    ):
        """Append ``n`` realistic records, deterministic for a given seed.

        The people, projects, clients and tasks are those of the current
        world; passing any of ``users``, ``projects``, ``clients``, ``tasks``
        (see :meth:`build_world`) builds a new one first (default: 4 people,
        4 projects, 3 clients, 3 tasks per project). Entries spread over
        ``days`` working days from ``start`` (default: about four entries per
        person and day, at most 250 days); the last ``running`` ones are
        running timers. Returns the new records.
        """
        if not self.people or any(
            value is not None for value in (users, projects, clients, tasks)
        ):
            self.build_world(
                4 if users is None else users,
                4 if projects is None else projects,
                3 if clients is None else clients,
                3 if tasks is None else tasks,
                seed,
            )
        rng = random.Random(f"records-{seed}-{len(self.records)}")
        days = days or min(250, max(1, n // (len(self.people) * 4)))
        new = []
        for index in range(n):
            offset = (index * days) // max(n, 1)
            day = start + timedelta(days=offset + (offset // 5) * 2)  # skip weekends
            person = self.people[rng.randrange(len(self.people))]
            project = self.projects[rng.randrange(len(self.projects))]
            task = project.tasks[rng.randrange(len(project.tasks))]
            minutes = rng.choice([15, 30, 45, 60, 90, 120, 180, 240])
            hour = rng.choice([8, 9, 10, 11, 13, 14, 15, 16])
            started = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
            record = self._build_record(
                record_id=self.new_id(),
                person=person,
                project=project,
                task=task,
                started=started,
                seconds=minutes * 60,
                notes=NOTES[rng.randrange(len(NOTES))],
                billable=rng.random() < 0.8,
                running=index >= n - running,
                rng=rng,
            )
            new.append(record)
        with self._lock:
            self.records.extend(new)
            self.changed()
        return new

    def add(self, **overrides):
        """Append one generated record, with provider fields overridden."""
        if not self.people:
            self.build_world()
        person = overrides.pop("_person", self.people[0])
        project = overrides.pop("_project", self.projects[0])
        started = overrides.pop("_started", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        seconds = overrides.pop("_seconds", 3600)
        running = overrides.pop("_running", False)
        record = self._build_record(
            record_id=self.new_id(),
            person=person,
            project=project,
            task=project.tasks[0],
            started=started,
            seconds=seconds,
            notes=overrides.pop("_notes", "Work"),
            billable=True,
            running=running,
            rng=random.Random(0),
        )
        record.update(overrides)
        with self._lock:
            self.records.append(record)
            self.changed()
        return record

    def add_raw(self, record):
        """Append ``record`` exactly as given (to serve broken records)."""
        with self._lock:
            self.records.append(record)
            self.changed()
        return record

    def changed(self):
        """Call after changing ``records`` in place (add/edit/delete do)."""
        with self._lock:
            self.version += 1

    def find(self, record_id):
        wanted = str(record_id)
        with self._lock:
            for record in self.records:
                if str(self.record_id(record)) == wanted:
                    return record
        raise KeyError(record_id)

    def cached(self, key, compute):
        """``compute()`` memoised on ``key`` until the data set changes."""
        with self._lock:
            full_key = (self.version, len(self.records), key)
            cache = getattr(self, "_view_cache", None)
            if cache is None or cache[0] != full_key:
                cache = (full_key, compute())
                self._view_cache = cache
            return cache[1]

    def record_id(self, record):
        return record.get("id")

    def edit(self, record_id, **changes):
        """Change a record at the source; its update time becomes now."""
        with self._lock:
            record = self.find(record_id)
            record.update(changes)
            self._touch(record)
            self.changed()
            return record

    def delete(self, record_id):
        """Delete a record at the source."""
        with self._lock:
            record = self.find(record_id)
            self.records.remove(record)
            self.changed()
            return record

    def _touch(self, record):
        raise NotImplementedError

    def _build_record(self, **kw):
        raise NotImplementedError

    # -- HTTP ------------------------------------------------------------------

    def check_auth(self, request):
        """None when the credentials are right, else the provider's refusal."""
        raise NotImplementedError

    def route(self, request):
        raise NotImplementedError

    def not_found(self, request):
        return json_response({"status": 404, "error": "Not Found"}, 404)

    def _serve(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        request = Recorded(
            method=handler.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=dict(handler.headers.items()),
            body=body,
            time=time.monotonic(),
        )
        with self._lock:
            self.requests.append(request)
            fault = self._next_fault(request)
        response = None
        if fault is not None:
            if fault[0] == "trickle":
                request.status = 200
                send_trickle(handler, fault[1][0], **fault[1][1])
                return
            response = self._fault_response(fault)
        if response is None:
            response = self.check_auth(request) or self.route(request)
        request.status = response.status
        if fault is not None and fault[0] == "drop":
            send_dropped(handler, response, after=fault[1])
            return
        try:
            handler.send_response(response.status)
            for key, value in response.headers.items():
                handler.send_header(key, str(value))
            handler.send_header("Content-Length", str(len(response.body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
