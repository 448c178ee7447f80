# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import UTC, date, datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..exceptions import ProviderAuthError, ProviderError
from ..providers.hubstaff import aggregate
from .common_providers import ProviderCase
from .fakes import FakeHubstaff
from .fakes.world import Person
from .test_import_sync_http import HttpSyncCase

DAILY = "/activities/daily"


def _started(days_ago, hour=9):
    return datetime.now(UTC).replace(
        hour=hour, minute=0, second=0, microsecond=0
    ) - timedelta(days=days_ago)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@tagged("post_install", "-at_install")
class TestHubstaffAdapter(ProviderCase):
    provider = "hubstaff"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeHubstaff())
        self.fake.build_world(users=2, projects=2, clients=1, tasks=1)

    def adapter(self, **config):
        adapter = self.make_adapter(self.fake, **config)
        adapter._clock = self.clock = Clock()
        self.stored = []
        adapter.store_api_token = self.stored.append
        return adapter

    def token_calls(self):
        return self.fake.requests_to("/access_tokens", method="POST")

    def test_days_add_up_per_person_project_and_task(self):
        person, project = self.fake.people[1], self.fake.projects[0]
        task = project.tasks[0]
        day = _started(3)
        first = self.fake.add(_person=person, _project=project, _started=day)
        self.fake.add(
            _person=person, _project=project, _started=day, _seconds=1800, billable=0
        )
        self.fake.add(_started=_started(40), _seconds=5400)
        adapter = self.adapter(page_size=1)
        pages, entries, errors = self.collect(
            adapter.iter_pages(since=datetime.now(UTC))
        )
        self.assertEqual(errors, [])
        self.assertEqual(len(entries), 2)
        entry = next(e for e in entries if e.user_ref == str(person.id))
        self.assertEqual(
            entry.external_id, f"{person.id}:{project.id}:{task.id}:{first['date']}"
        )
        self.assertEqual((entry.hours, entry.date), (1.5, day.date()))
        # Part of the time is billable: the contract decides.
        self.assertIsNone(entry.billable)
        self.assertEqual(
            (entry.user_name, entry.user_email), (person.name, person.email)
        )
        self.assertEqual(
            (entry.project_name, entry.task_ref, entry.task_name),
            (project.name, str(task.id), task.name),
        )
        self.assertEqual(len(entry.raw["daily_activities"]), 2)
        self.assertEqual(
            next(e for e in entries if e.external_id != entry.external_id).hours, 1.5
        )
        # 90 days back by default: three windows of at most 31 days, each
        # read page by page; one token exchange for the whole run.
        calls = self.fake.requests_to(DAILY)
        windows = [(c.params["date[start]"], c.params["date[stop]"]) for c in calls]
        self.assertEqual(len(set(windows)), 3)
        for start, stop in set(windows):
            days = (date.fromisoformat(stop) - date.fromisoformat(start)).days
            self.assertLessEqual(days, 30)
        # Pages of one row: the window holding two rows takes two calls.
        self.assertEqual(len(calls), 4)
        self.assertEqual(calls[0].header("Authorization"), "Bearer hubstaff-access-1")
        self.assertEqual(calls[0].query["include[]"], ["users", "projects", "tasks"])
        self.assertEqual(len(self.token_calls()), 1)
        self.assertIn("grant_type=refresh_token", self.token_calls()[0].body.decode())
        self.assertIsNone(pages[-1].resume_token)
        self.assertEqual(self.stored, [])

    def test_resume_from_a_window(self):
        for days in (1, 40, 70):
            self.fake.add(_started=_started(days))
        since = datetime.now(UTC) - timedelta(days=1)
        pages = self.adapter().iter_pages(since=since)
        first = next(pages)
        pages.close()
        rest = list(self.adapter().iter_pages(resume_token=first.resume_token))
        self.assertEqual(len(rest), 2)
        self.assertEqual(
            self.fake.requests_to(DAILY)[1].params["date[start]"],
            json.loads(first.resume_token)["start"],
        )
        ids = {e.external_id for p in [first, *rest] for e in p.entries}
        self.assertEqual(len(ids), 3)
        with self.assertRaises(ProviderError):
            list(self.adapter().iter_pages(resume_token="not json"))

    def test_access_token_is_renewed_before_it_expires(self):
        self.fake.lifetime = 600
        adapter = self.adapter()
        adapter.check_connection()
        self.clock.now += 200
        adapter.check_connection()
        self.assertEqual(len(self.token_calls()), 1)
        # Five minutes before the end: a new token before the next call.
        self.clock.now += 150
        adapter.check_connection()
        self.assertEqual(len(self.token_calls()), 2)
        organization = self.fake.requests_to(f"/organizations/{self.fake.account_id}")
        self.assertEqual(
            organization[-1].header("Authorization"), "Bearer hubstaff-access-2"
        )

    def test_expired_access_token_is_renewed_once(self):
        adapter = self.adapter()
        self.assertIn("Bridge Labs", adapter.check_connection())
        self.fake.expire_access_tokens()
        self.assertIn("Bridge Labs", adapter.check_connection())
        self.assertEqual(len(self.token_calls()), 2)
        # Refused again with a fresh token: the error, no loop.
        self.fake.expire_access_tokens()
        self.fake.pass_next(2)  # refused as expired, then the token exchange
        self.fake.fail_next(401)
        with self.assertRaisesRegex(ProviderAuthError, "owner or manager"):
            adapter.check_connection()
        self.assertEqual(len(self.token_calls()), 3)

    def test_a_new_refresh_token_is_handed_to_the_backend(self):
        self.fake.rotate = True
        adapter = self.adapter()
        adapter.check_connection()
        self.assertEqual(self.stored, ["hubstaff-refresh-2"])
        self.assertEqual(adapter.refresh_token, "hubstaff-refresh-2")
        self.fake.expire_access_tokens()
        adapter.check_connection()
        self.assertEqual(self.stored, ["hubstaff-refresh-2", "hubstaff-refresh-3"])
        self.assertIn(
            "refresh_token=hubstaff-refresh-2", self.token_calls()[1].body.decode()
        )

    def test_refused_personal_token_says_what_to_do(self):
        adapter = self.adapter(api_token="hubstaff-revoked")
        with self.assertRaises(ProviderAuthError) as caught:
            adapter.check_connection()
        message = str(caught.exception)
        self.assertIn("90 days", message)
        self.assertIn("Personal access tokens", message)
        self.assertNotIn("hubstaff-revoked", message)
        self.assertEqual(self.fake.requests_to(DAILY), [])

    def test_other_organization_is_refused(self):
        with self.assertRaisesRegex(ProviderAuthError, "organization 999"):
            self.adapter(account_ref="999").check_connection()

    def test_rate_limit_and_server_errors_are_retried(self):
        self.fake.add(_started=_started(1))
        self.fake.pass_next(1)  # the token exchange
        self.fake.fail_next(429, headers={"Retry-After": "2"})
        self.fake.fail_next(502)
        adapter = self.adapter(options={"lookback_days": 0})
        entries = self.collect(adapter.iter_pages(since=_started(2)))[1]
        self.assertEqual(len(entries), 1)
        self.assertEqual(self.sleeps[0], 2.0)
        self.assertEqual(len(self.sleeps), 2)
        # The token endpoint's own failures are retried alike.
        self.fake.expire_access_tokens()
        self.fake.pass_next(1)  # refused with the old access token
        self.fake.fail_next(503)
        self.assertIn("Bridge Labs", adapter.check_connection())

    def test_unreadable_rows(self):
        person = str(self.fake.people[0].id)
        good = {"id": 1, "date": "2026-03-02", "user_id": person, "tracked": 600}
        rows = [
            good,
            {**good, "id": 2, "tracked": "ten minutes"},
            {**good, "id": 3, "date": "2026-03-03", "timesheet_locked": True},
            {"id": 4, "user_id": person, "tracked": 60},
        ]
        entries, errors = aggregate(rows)
        self.assertEqual([e.date for e in entries], [date(2026, 3, 3)])
        self.assertTrue(entries[0].is_locked)
        self.assertEqual(entries[0].project_ref, "")
        # The day with an unreadable row is held whole, not imported short.
        self.assertEqual(
            [e.external_id for e in errors], ["", f"{person}:0:0:2026-03-02"]
        )
        self.assertIn("tracked", errors[1].message)
        self.assertIn("date", errors[0].message)


@tagged("post_install", "-at_install")
class TestSyncHubstaff(HttpSyncCase):
    fake_class = FakeHubstaff
    provider = "hubstaff"
    source_project = "Project A"

    def setUp(self):
        super().setUp()
        self.project_a.account_id.code = False

    def recent(self, days_ago, **values):
        return self.fake.add(_started=_started(days_ago), **values)

    def entry_of(self, record):
        person = next(p for p in self.fake.people if p.id == record["user_id"])
        project = self.fake.projects[0]
        return self.entry(
            f"{person.id}:{project.id}:{record['task_id']}:{record['date']}"
        )

    def test_sync_idempotence_edits_and_conflicts(self):
        sam = self.fake.person("sam@example.com")
        jo = self.fake.person("jo@example.com")
        first = self.recent(3, _person=sam, _seconds=3600)
        self.recent(3, _person=sam, _seconds=1800)
        self.recent(2, _person=jo, _seconds=2700)
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.created_count, 2)
        entry = self.entry_of(first)
        line = entry.timesheet_id
        self.assertEqual(
            (line.unit_amount, line.employee_id), (1.5, self.employee_senior)
        )
        self.assertEqual((line.project_id, line.task_id), (self.project_a, self.task))
        self.assertEqual(self.backend.exception_count, 0)

        run = self.sync()
        self.assertEqual((run.unchanged_count, run.created_count), (2, 0))
        self.assertEqual(run.updated_count, 0)
        # Incremental: the 90 days before the previous run, in three windows.
        self.assertEqual(run.page_count, 3)

        self.fake.edit(first["id"], tracked=7200)
        run = self.sync()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(line.unit_amount, 2.5)

        # Approved in Odoo, then changed in Hubstaff: a conflict.
        self._set_billing_state(line, "approved")
        self.fake.edit(first["id"], tracked=10800)
        run = self.sync()
        self.assertEqual((run.error_count, run.updated_count), (1, 0))
        self.assertEqual(entry.state, "conflict")
        self.assertEqual((entry.pending_hours, line.unit_amount), (3.5, 2.5))

    def test_unknown_person_waits_for_a_mapping(self):
        stranger = Person(
            id=990_001,
            first_name="Lee",
            last_name="Unknown",
            email="lee@elsewhere.example",
            timezone="UTC",
        )
        self.fake.people.append(stranger)
        record = self.recent(1, _person=stranger)
        run = self.sync()
        self.assertEqual(run.error_count, 1, run.message)
        entry = self.entry_of(record)
        self.assertEqual(entry.state, "exception")
        self.assertIn("Lee Unknown", entry.exception_reason)
        self.assertFalse(entry.timesheet_id)
        # One click: the Hubstaff member is mapped to an employee, and the
        # waiting day comes in; the next synchronisation keeps it.
        action = entry.action_open_map_wizard()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual((wizard.kind, wizard.external_ref), ("user", str(stranger.id)))
        wizard.employee_id = self.employee_junior
        wizard.save().action_map()
        self.assertEqual(entry.state, "imported")
        self.assertEqual(entry.timesheet_id.employee_id, self.employee_junior)
        run = self.sync()
        self.assertEqual((run.unchanged_count, run.error_count), (1, 0))

    def test_the_renewed_personal_token_is_stored(self):
        self.fake.rotate = True
        self.recent(1)
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.backend.invalidate_recordset(["api_token"])
        self.assertEqual(self.backend.sudo().api_token, "hubstaff-refresh-2")
        # The next synchronisation starts from the stored token; the first
        # one no longer works at the source.
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.backend.invalidate_recordset(["api_token"])
        self.assertEqual(self.backend.sudo().api_token, "hubstaff-refresh-3")
        self.assertNotIn("hubstaff-refresh", run.message)

    def test_refused_token_fails_the_run_readably(self):
        self.backend.sudo().api_token = "hubstaff-revoked"
        run = self.sync()
        self.assertEqual(run.state, "failed")
        self.assertIn("90 days", run.message)
        self.assertNotIn("hubstaff-revoked", run.message)

    def test_check_connection_keeps_a_renewed_token(self):
        self.fake.rotate = True
        action = self.backend.action_check_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Bridge Labs", action["params"]["message"])
        self.assertEqual(self.backend.sudo().api_token, "hubstaff-refresh-2")
        # Renewed, then refused: the new token is kept (no error to undo it)
        # and the person is told what failed.
        self.fake.pass_next(1)
        self.fake.fail_next(404)
        action = self.backend.action_check_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("does not know", action["params"]["message"])
        self.assertEqual(self.backend.sudo().api_token, "hubstaff-refresh-3")
        # Refused without a new token: an error, as for every source.
        self.fake.rotate = False
        self.fake.pass_next(1)
        self.fake.fail_next(404)
        with self.assertRaisesRegex(UserError, "does not know"):
            self.backend.action_check_connection()
