# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import UTC, date, datetime, timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..exceptions import ProviderAuthError, ProviderError
from .common_providers import ProviderCase
from .common_webhooks import CONTROLLER_LOGGER, WebhookCommon
from .fakes import FakeClickUp


def _started(days_ago, hour=9):
    return datetime.now(UTC).replace(
        hour=hour, minute=0, second=0, microsecond=0
    ) - timedelta(days=days_ago)


@tagged("post_install", "-at_install")
class TestClickUpAdapter(ProviderCase):
    provider = "clickup"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeClickUp(webhook_secret="clickup-secret"))
        self.fake.build_world(users=3, projects=2, clients=1, tasks=1)

    def entry_calls(self):
        return self.fake.requests_to("/time_entries", method="GET")

    def test_week_windows_for_every_member(self):
        records = [
            self.fake.add(_person=person, _started=_started(days))
            for person in self.fake.people
            for days in (1, 9, 40)
        ]
        adapter = self.make_adapter(
            self.fake, options={"start_date": str(date.today() - timedelta(days=60))}
        )
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries), sorted(r["id"] for r in records)
        )
        calls = self.entry_calls()
        # About nine weeks, one request each, for every member at once.
        self.assertIn(len(calls), (9, 10))
        people = ",".join(sorted(str(p.id) for p in self.fake.people))
        self.assertEqual({c.params["assignee"] for c in calls}, {people})
        self.assertEqual(calls[0].header("Authorization"), "pk_42_FAKE")
        starts = [int(c.params["start_date"]) for c in calls]
        ends = [int(c.params["end_date"]) for c in calls]
        self.assertEqual(starts[1:], [end + 1 for end in ends[:-1]])
        self.assertIsNone(pages[-1].resume_token)

    def test_resume_from_a_window(self):
        for days in (1, 9, 20):
            self.fake.add(_started=_started(days))
        options = {"start_date": str(date.today() - timedelta(days=27))}
        adapter = self.make_adapter(self.fake, options=options)
        pages = adapter.iter_pages()
        first = next(pages)
        pages.close()
        resumed = self.make_adapter(self.fake, options=options)
        rest = list(resumed.iter_pages(resume_token=first.resume_token))
        # One call for the first window, then one per window left.
        self.assertEqual(len(self.entry_calls()), 1 + len(rest))
        self.assertEqual(
            int(self.entry_calls()[1].params["start_date"]),
            json.loads(first.resume_token)["start"],
        )
        ids = {e.external_id for p in [first, *rest] for e in p.entries}
        self.assertEqual(len(ids), 3)
        with self.assertRaises(ProviderError):
            list(resumed.iter_pages(resume_token="not json"))

    def test_mapping_and_units(self):
        person = self.fake.people[1]  # America/New_York
        project = self.fake.projects[0]
        # 02:30 UTC is the evening before in New York.
        record = self.fake.add(
            _person=person,
            _project=project,
            _started=datetime(2026, 3, 3, 2, 30, tzinfo=UTC),
            _seconds=5400,
            _notes="Wireframes",
        )
        adapter = self.make_adapter(
            self.fake, options={"start_date": "2026-03-01", "lookback_days": 0}
        )
        entries = self.collect(
            adapter.iter_pages(until=datetime(2026, 3, 5, tzinfo=UTC))
        )[1]
        entry = entries[0]
        self.assertEqual(entry.external_id, record["id"])
        self.assertEqual(entry.hours, 1.5)
        self.assertEqual(entry.date, date(2026, 3, 2))
        self.assertEqual(
            (entry.project_ref, entry.project_name), (str(project.id), project.name)
        )
        self.assertEqual(
            (entry.task_ref, entry.task_name),
            (project.tasks[0].id, project.tasks[0].name),
        )
        self.assertEqual(
            (entry.user_email, entry.description), (person.email, "Wireframes")
        )
        self.assertEqual(entry.end - entry.start, timedelta(hours=1.5))

    def test_running_timer_and_broken_entry(self):
        running = self.fake.add(_started=_started(1), _running=True)
        broken = self.fake.add(_started=_started(2))
        broken["duration"] = "about an hour"
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(
            [(e.external_id, e.is_running) for e in entries], [(running["id"], True)]
        )
        self.assertEqual(errors[0].external_id, broken["id"])
        self.assertIn("duration", errors[0].message)

    def test_rate_limit_waits_until_the_reset(self):
        self.fake.add(_started=_started(1))
        self.fake.fail_next(429)
        adapter = self.make_adapter(self.fake, options={"lookback_days": 0})
        self.assertEqual(len(self.collect(adapter.iter_pages(since=_started(2)))[1]), 1)
        self.assertEqual(len(self.sleeps), 1)
        self.assertTrue(1 <= self.sleeps[0] <= 3, self.sleeps)

    def test_connection_and_refused_token(self):
        adapter = self.make_adapter(self.fake)
        self.assertIn("Bridge Consulting", adapter.check_connection())
        self.assertIn("3 members", adapter.check_connection())
        with self.assertRaises(ProviderAuthError):
            self.make_adapter(self.fake, api_token="pk_wrong").check_connection()
        other = self.make_adapter(self.fake, account_ref="123")
        with self.assertRaisesRegex(ProviderError, "Workspace 123 is not among"):
            other.check_connection()


@tagged("post_install", "-at_install")
class TestClickUpWebhooks(WebhookCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clickup = FakeClickUp(webhook_secret="clickup-secret").start()
        cls.addClassCleanup(cls.clickup.stop)
        cls.clickup.build_world(users=2, projects=1, tasks=1)
        cls.clickup_backend = cls.env["time.billing.backend"].create(
            cls._backend_vals(cls.clickup, "clickup", "ClickUp (webhook)")
        )
        cls._map_world(cls.clickup_backend, cls.clickup)

    def test_signed_calls_import_and_delete_the_entry(self):
        record = self.clickup.add(_started=_started(1), _seconds=2700)
        body, headers = self.clickup.webhook_call(record["id"], "Created")
        response = self._post(self.clickup_backend, body, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "processed")
        entry = self._entries(self.clickup_backend)
        self.assertEqual(entry.external_id, record["id"])
        self.assertEqual(entry.timesheet_id.unit_amount, 0.75)
        # The same call again changes nothing.
        self.assertEqual(
            self._post(self.clickup_backend, body, headers).json()["status"],
            "duplicate",
        )
        self.clickup.delete(record["id"])
        body, headers = self.clickup.webhook_call(record["id"], "Deleted")
        self._post(self.clickup_backend, body, headers)
        self.assertEqual(entry.state, "deleted")

    @mute_logger(CONTROLLER_LOGGER)
    def test_a_call_signed_with_another_secret_is_refused(self):
        record = self.clickup.add(_started=_started(1))
        body, headers = self.clickup.webhook_call(record["id"], secret="guessed")
        response = self._post(self.clickup_backend, body, headers)
        self.assertEqual(response.status_code, 401)
        self._assert_nothing_written(self.clickup_backend)
        tampered = json.loads(body)
        tampered["data"]["description"] = "Time Tracking Deleted"
        _body, headers = self.clickup.webhook_call(record["id"])
        response = self._post(
            self.clickup_backend, json.dumps(tampered).encode(), headers
        )
        self.assertEqual(response.status_code, 401)
