# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import UTC, datetime, timedelta

from odoo.tests import Form, tagged

from ..exceptions import ProviderAuthError, ProviderError, RetryableProviderError
from .common_providers import ProviderCase
from .fakes import FakeMonday
from .test_import_sync_http import HttpSyncCase


def _started(days_ago, hour=9):
    return datetime.now(UTC).replace(
        hour=hour, minute=0, second=0, microsecond=0
    ) - timedelta(days=days_ago)


@tagged("post_install", "-at_install")
class TestMondayAdapter(ProviderCase):
    provider = "monday"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeMonday())
        self.fake.build_world(users=3, projects=2, clients=1, tasks=3)

    def calls(self):
        return self.fake.requests_to("/v2", method="POST")

    def test_items_paged_with_a_cursor_on_every_board(self):
        records = self.fake.generate(24, seed=1)
        adapter = self.make_adapter(self.fake, page_size=2)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries),
            sorted(self.fake.external_id(r) for r in records),
        )
        # Two boards of three items, two items a page.
        self.assertEqual(len(pages), 4)
        queries = [c.json["query"] for c in self.calls()]
        self.assertEqual(sum("next_items_page" in q for q in queries), 2)
        self.assertEqual(
            sum("items_page" in q and "next_items_page" not in q for q in queries), 2
        )
        # The cursor of the first page continues it, and the board query runs
        # once per board.
        follow = next(c for c in self.calls() if "next_items_page" in c.json["query"])
        self.assertEqual(
            follow.json["variables"]["cursor"],
            json.loads(pages[0].resume_token)["cursor"],
        )
        self.assertEqual(sum("columns {" in q for q in queries), 2)
        self.assertEqual(follow.json["variables"]["columns"], ["time_tracking"])
        first = self.calls()[0]
        self.assertEqual(first.header("Authorization"), "monday-token")
        self.assertTrue(first.header("API-Version"))
        self.assertIsNone(pages[-1].resume_token)

    def test_session_mapping(self):
        person = self.fake.people[1]
        project = self.fake.projects[1]
        record = self.fake.add(
            _person=person,
            _project=project,
            _started=datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
            _seconds=5400,
        )
        adapter = self.make_adapter(self.fake)
        entries = self.collect(adapter.iter_pages())[1]
        entry = entries[0]
        self.assertEqual(
            entry.external_id,
            f"{project.tasks[0].id}:time_tracking:{record['id']}",
        )
        self.assertEqual(entry.hours, 1.5)
        # Dated by the start in UTC.
        self.assertEqual(entry.date.isoformat(), "2026-03-02")
        self.assertEqual(
            (entry.project_ref, entry.project_name), (str(project.id), project.name)
        )
        self.assertEqual(
            (entry.task_ref, entry.task_name),
            (str(project.tasks[0].id), project.tasks[0].name),
        )
        self.assertEqual(
            (entry.user_ref, entry.user_name, entry.user_email),
            (str(person.id), person.name, person.email),
        )
        self.assertEqual(entry.end - entry.start, timedelta(hours=1.5))
        self.assertEqual(entry.client_ref, "")
        # The people are read once, in one query.
        self.assertEqual(sum("users(" in c.json["query"] for c in self.calls()), 1)

    def test_running_session_and_unreadable_sessions(self):
        running = self.fake.add(_started=_started(1), _running=True)
        no_start = self.fake.add(_started=_started(2))
        no_start["started_at"] = None
        backwards = self.fake.add(_started=_started(3))
        backwards["ended_at"] = "2020-01-01T00:00:00Z"
        epoch = self.fake.add(_started=datetime(2026, 3, 2, 9, tzinfo=UTC))
        epoch["started_at"] = int(datetime(2026, 3, 2, 9, tzinfo=UTC).timestamp())
        epoch["ended_at"] = str(
            int(datetime(2026, 3, 2, 10, tzinfo=UTC).timestamp() * 1000)
        )
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        by_id = {e.external_id: e for e in entries}
        live = by_id[self.fake.external_id(running)]
        self.assertEqual((live.is_running, live.hours), (True, 0.0))
        self.assertEqual(by_id[self.fake.external_id(epoch)].hours, 1.0)
        messages = {e.external_id: e.message for e in errors}
        self.assertIn("has no start time", messages[self.fake.external_id(no_start)])
        self.assertIn("before it starts", messages[self.fake.external_id(backwards)])

    def test_incremental_passes_only_changed_values(self):
        old = self.fake.add(_started=_started(30))
        old["updated_at"] = "2020-01-01T00:00:00Z"
        project = self.fake.projects[0]
        fresh = self.fake.add(_project=project, _started=_started(1))
        fresh["_item"] = str(project.tasks[1].id)
        self.fake.edit(fresh["id"])
        adapter = self.make_adapter(self.fake)
        since = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
        entries = self.collect(adapter.iter_pages(since=since))[1]
        self.assertEqual(
            [e.external_id for e in entries], [self.fake.external_id(fresh)]
        )

    def test_complexity_budget_is_waited_for(self):
        self.fake.add()
        self.fake.exhaust_budget(retry_in=7)
        self.fake.exhaust_budget(retry_in=4, legacy=True)
        self.fake.fail_next(429, headers={"Retry-After": "2"})
        adapter = self.make_adapter(self.fake)
        self.assertEqual(len(self.collect(adapter.iter_pages())[1]), 1)
        self.assertEqual(self.sleeps, [7.0, 4.0, 2.0])
        # A wait longer than the backend accepts stops the run, to continue
        # with the next synchronisation.
        self.fake.exhaust_budget(retry_in=3600)
        adapter = self.make_adapter(self.fake)
        with self.assertRaisesRegex(RetryableProviderError, "complexity budget"):
            list(adapter.iter_pages())

    def test_server_errors_and_refused_token(self):
        self.fake.add()
        self.fake.fail_next(503, times=2)
        adapter = self.make_adapter(self.fake)
        self.assertEqual(len(self.collect(adapter.iter_pages())[1]), 1)
        self.assertEqual(len(self.sleeps), 2)
        adapter = self.make_adapter(self.fake, api_token="revoked")
        with self.assertRaisesRegex(ProviderAuthError, "refused the API token"):
            adapter.check_connection()
        # An authorisation error answered HTTP 200, as monday does.
        self.fake.fail_next(
            200,
            body={
                "errors": [
                    {
                        "message": "User unauthorized to perform action",
                        "extensions": {
                            "code": "UserUnauthorizedException",
                            "status_code": 403,
                        },
                    }
                ]
            },
        )
        with self.assertRaises(ProviderAuthError):
            list(self.make_adapter(self.fake).iter_pages())

    def test_board_ids_are_checked(self):
        with self.assertRaisesRegex(ProviderError, "'Sales' is not one"):
            self.make_adapter(self.fake, account_ref="123, Sales")
        adapter = self.make_adapter(self.fake, account_ref="424242")
        with self.assertRaisesRegex(ProviderError, "board 424242 does not exist"):
            list(adapter.iter_pages())
        self.fake.projects[1].no_time_tracking = True
        self.fake.add(_project=self.fake.projects[0])
        adapter = self.make_adapter(self.fake)
        pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(entries), 1)
        notes = [note for page in pages for note in page.notes]
        self.assertEqual(len(notes), 1)
        self.assertIn("has no time tracking column", notes[0])
        self.assertIn("no time tracking column", adapter.check_connection())

    def test_resume_and_expired_cursor(self):
        self.fake.generate(12, seed=2)
        adapter = self.make_adapter(self.fake, page_size=2)
        pages = adapter.iter_pages()
        first = next(pages)
        pages.close()
        resumed = self.make_adapter(self.fake, page_size=2)
        rest = list(resumed.iter_pages(resume_token=first.resume_token))
        ids = {e.external_id for p in [first, *rest] for e in p.entries}
        self.assertEqual(len(ids), 12)
        self.assertFalse([n for p in rest for n in p.notes])
        # Hours later the cursor is refused: the board is read again.
        self.fake.expire_cursors()
        again = self.make_adapter(self.fake, page_size=2)
        rest = list(again.iter_pages(resume_token=first.resume_token))
        self.assertIn("cursors last 60 minutes", rest[0].notes[0])
        self.assertEqual(len({e.external_id for p in rest for e in p.entries}), 12)
        with self.assertRaises(ProviderError):
            list(again.iter_pages(resume_token="not json"))


@tagged("post_install", "-at_install")
class TestSyncMonday(HttpSyncCase):
    fake_class = FakeMonday
    provider = "monday"
    source_project = "Project A"

    def setUp(self):
        super().setUp()
        self.backend.account_ref = self.fake.account_id
        self.project_a.account_id.code = False

    def recent(self, days_ago, **values):
        return self.fake.add(_started=_started(days_ago), **values)

    def entry_of(self, record):
        return self.entry(self.fake.external_id(record))

    def test_sync_incremental_idempotent_and_conflicts(self):
        records = [self.recent(days, _seconds=1800 * days) for days in (1, 2, 3)]
        running = self.recent(1, _running=True)
        run = self.sync()
        # The running timer waits: the run has an entry to see to.
        self.assertEqual(run.state, "partial", run.message)
        self.assertEqual(run.created_count, 3)
        lines = self.lines()
        self.assertEqual(lines.project_id, self.project_a)
        self.assertEqual(lines.task_id, self.task)
        self.assertEqual(sorted(lines.mapped("unit_amount")), [0.5, 1.0, 1.5])
        self.assertEqual(self.entry_of(running).state, "exception")
        self.assertIn("Timer still running", self.entry_of(running).exception_reason)

        # Nothing changed: nothing written.
        again = self.sync()
        self.assertEqual((again.created_count, again.updated_count), (0, 0))
        self.backend.last_sync_date = False
        with self.capture_queries() as queries:
            full = self.sync()
        self.assertEqual((full.created_count, full.updated_count), (0, 0))
        self.assertEqual(self.writes_to(queries, "account_analytic_line"), [])

        # A session edited at the source, the timer stopped.
        start = datetime.fromisoformat(records[0]["started_at"].replace("Z", "+00:00"))
        self.fake.edit(
            records[0]["id"],
            ended_at=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        self.fake.stop_timer(running["id"], 2700)
        run = self.sync()
        self.assertEqual((run.updated_count, run.created_count), (1, 1), run.message)
        self.assertEqual(self.entry_of(records[0]).timesheet_id.unit_amount, 2.0)
        self.assertEqual(self.entry_of(running).timesheet_id.unit_amount, 0.75)

        # Approved in Odoo, then changed at the source: a conflict.
        line = self.entry_of(records[1]).timesheet_id
        self._set_billing_state(line, "approved")
        self.fake.edit(
            records[1]["id"],
            ended_at=(
                datetime.fromisoformat(records[1]["started_at"].replace("Z", "+00:00"))
                + timedelta(hours=4)
            ).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        run = self.sync()
        self.assertEqual((run.error_count, run.updated_count), (1, 0))
        self.assertEqual(self.entry_of(records[1]).state, "conflict")
        self.assertEqual(line.unit_amount, 1.0)

    def test_unknown_person_waits_for_a_mapping(self):
        stranger = self.fake.people[1]
        self.fake.hidden_users.add(str(stranger.id))
        record = self.recent(2, _person=stranger, _seconds=3600)
        run = self.sync()
        entry = self.entry_of(record)
        self.assertEqual(entry.state, "exception", run.message)
        self.assertEqual(entry.match_issues, "user")
        self.assertIn(str(stranger.id), entry.exception_reason)
        action = entry.with_user(self.billing_user).action_open_map_wizard()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.billing_user)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.external_ref, str(stranger.id))
        wizard.employee_id = self.employee_junior
        wizard.save().action_map()
        self.assertEqual(entry.state, "imported")
        self.assertEqual(entry.timesheet_id.employee_id, self.employee_junior)

    def test_refused_token_and_budget(self):
        self.recent(1)
        self.backend.api_token = "revoked"
        run = self.sync()
        self.assertEqual(run.state, "failed")
        self.assertIn("monday.com refused the API token", run.message)
        self.backend.api_token = self.fake.token
        self.fake.exhaust_budget(retry_in=0)
        run = self.sync()
        self.assertEqual((run.state, run.created_count), ("done", 1), run.message)

    def test_interrupted_sync_resumes_at_the_cursor(self):
        # Three items on the board (named like the task), two a page: the
        # run stops after the first page.
        tasks = self.fake.projects[0].tasks
        for task_index in range(2):
            tasks.append(
                type(tasks[0])(
                    id=self.fake.object_id("task", 50 + task_index), name=tasks[0].name
                )
            )
        records = [self.recent(2, _seconds=3600) for _i in range(2)]
        for index, record in enumerate(records):
            record["_item"] = str(self.fake.projects[0].tasks[index + 1].id)
        self.recent(1, _seconds=1800)
        backend_class = type(self.env["time.billing.backend"])
        process_page = backend_class._process_page
        fake = self.fake

        def process_then_break(backend, page, run):
            counts = process_page(backend, page, run)
            fake.fail_next(503, times=10)
            return counts

        self.patch(backend_class, "_process_page", process_then_break)
        first = self.sync()
        self.assertEqual(first.state, "partial", first.message)
        self.assertIn("503", first.message)
        token = json.loads(self.backend.sync_resume_token)
        self.assertTrue(token["cursor"])
        self.patch(backend_class, "_process_page", process_page)
        self.fake.clear_faults()
        self.fake.reset_log()
        second = self.sync()
        self.assertEqual(second.state, "done", second.message)
        follow = [c for c in self.fake.requests if "next_items_page" in c.json["query"]]
        self.assertEqual(follow[0].json["variables"]["cursor"], token["cursor"])
        self.assertEqual((first.created_count, second.created_count), (2, 1))
        self.assertEqual(len(self.lines()), 3)
