# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import date, datetime, timedelta, timezone

from odoo.tests import tagged

from ..exceptions import ProviderAuthError, ProviderError
from ..providers.clockify import _to_entry
from ..providers.common import MalformedRecord, parse_iso_duration
from .common_providers import ProviderCase
from .fakes import FakeClockify

UTC = timezone.utc


@tagged("post_install", "-at_install")
class TestClockifyAdapter(ProviderCase):
    provider = "clockify"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeClockify(webhook_secret="wh-token"))

    def entry_calls(self):
        return [r for r in self.fake.requests if r.path.endswith("/time-entries")]

    def test_users_then_each_users_pages(self):
        records = self.fake.generate(230, users=3, seed=1)
        adapter = self.make_adapter(self.fake, page_size=50)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(errors, [])
        ids = [e.external_id for e in entries]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(sorted(ids), sorted(r["id"] for r in records))
        paths = [r.path for r in self.fake.requests]
        self.assertTrue(paths[0].endswith(f"/workspaces/{self.fake.account_id}/users"))
        calls = self.entry_calls()
        for call in calls:
            self.assertEqual(call.params["page-size"], "50")
            self.assertEqual(call.params["hydrated"], "true")
            self.assertEqual(call.header("X-Api-Key"), "clockify-key")
            self.assertNotIn("start", call.params)  # first run: all history
        # Each user is read until a short page, then the next user starts.
        by_user = {}
        for call in calls:
            by_user.setdefault(call.path, []).append(int(call.params["page"]))
        self.assertEqual(len(by_user), 3)
        for pages_asked in by_user.values():
            self.assertEqual(pages_asked, list(range(1, len(pages_asked) + 1)))
        self.assertIsNone(pages[-1].resume_token)
        self.assertTrue(all(p.resume_token for p in pages[:-1]))

    def test_resume_from_token(self):
        records = self.fake.generate(160, users=2, seed=2)
        adapter = self.make_adapter(self.fake, page_size=30)
        pages = adapter.iter_pages()
        taken = [next(pages) for _i in range(3)]
        pages.close()
        token = json.loads(taken[-1].resume_token)
        self.fake.reset_log()
        resumed = self.make_adapter(self.fake, page_size=30)
        _pages, rest, _errors = self.collect(
            resumed.iter_pages(resume_token=taken[-1].resume_token)
        )
        ids = [e.external_id for p in taken for e in p.entries] + [
            e.external_id for e in rest
        ]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(sorted(ids), sorted(r["id"] for r in records))
        first_call = self.entry_calls()[0]
        self.assertIn(f"/user/{token['user']}/", first_call.path)
        self.assertEqual(first_call.params["page"], str(token["page"]))

    def test_incremental_window(self):
        # Without the change log, an incremental run re-reads a window.
        self.fake.changes_available = False
        self.fake.generate(40, seed=3)
        adapter = self.make_adapter(self.fake, options={"lookback_days": 10})
        list(
            adapter.iter_pages(
                since=datetime(2026, 2, 11, 6, 0), until=datetime(2026, 2, 12, 6, 0)
            )
        )
        self.assertTrue(self.entry_calls())
        for call in self.entry_calls():
            self.assertEqual(call.params["start"], "2026-02-01T00:00:00Z")
            self.assertEqual(call.params["end"], "2026-02-12T06:00:01Z")

    def test_durations_dates_and_names(self):
        self.fake.build_world(users=3, projects=2)
        tokyo = next(p for p in self.fake.people if p.timezone == "Asia/Tokyo")
        project = self.fake.projects[1]
        record = self.fake.add(
            _person=tokyo,
            _project=project,
            _started=datetime(2026, 3, 2, 20, 0, tzinfo=UTC),
            _seconds=5400,
        )
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        (entry,) = entries
        self.assertEqual(record["timeInterval"]["duration"], "PT1H30M")
        self.assertEqual(entry.hours, 1.5)
        # 20:00 UTC is 05:00 the next morning in Tokyo.
        self.assertEqual(entry.date, date(2026, 3, 3))
        self.assertEqual(entry.user_ref, tokyo.id)
        self.assertEqual(entry.user_email, tokyo.email)
        self.assertEqual(entry.user_name, tokyo.name)
        self.assertEqual(entry.project_ref, project.id)
        self.assertEqual(entry.project_name, project.name)
        self.assertEqual(entry.client_ref, project.client.id)
        self.assertEqual(entry.client_name, project.client.name)
        self.assertEqual(entry.task_name, project.tasks[0].name)
        self.assertIs(entry.billable, True)
        self.assertIsNone(entry.updated_at)
        # Start and end as Clockify gives them: UTC.
        self.assertEqual(entry.start, datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
        self.assertEqual(entry.end, datetime(2026, 3, 2, 21, 30, tzinfo=UTC))

    def test_running_timer_flagged(self):
        self.fake.generate(8, users=1, seed=4, running=1)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        running = [e for e in entries if e.is_running]
        self.assertEqual(len(running), 1)
        self.assertEqual(running[0].hours, 0.0)
        # Not ended yet: no interval.
        self.assertEqual((running[0].start, running[0].end), (None, None))

    def test_broken_entry_does_not_lose_the_page(self):
        self.fake.generate(9, users=1, seed=5)
        broken = self.fake.add_broken()
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(entries), 9)
        (error,) = errors
        self.assertEqual(error.external_id, broken["id"])
        self.assertIn("'90 minutes' is not an ISO 8601 duration", error.message)

    def test_auth_and_workspace_errors(self):
        adapter = self.make_adapter(self.fake, api_token="bad")
        with self.assertRaises(ProviderAuthError) as caught:
            list(adapter.iter_pages())
        self.assertTrue(
            str(caught.exception).startswith(
                f"Clockify refused the API key for workspace {self.fake.account_id}: "
                f"check the API key and workspace ID in the backend."
            )
        )
        self.assertIn("Full authentication is required", str(caught.exception))
        adapter = self.make_adapter(self.fake, account_ref="0000")
        with self.assertRaisesRegex(ProviderError, "workspace 0000 is not among"):
            adapter.check_connection()

    def test_check_connection(self):
        self.fake.build_world()
        adapter = self.make_adapter(self.fake)
        owner = self.fake.people[0]
        self.assertEqual(
            adapter.check_connection(),
            f"Connected to Clockify workspace {self.fake.account_id} "
            f"(Bridge Consulting) as {owner.name} <{owner.email}>.",
        )

    def test_iso_durations(self):
        cases = {
            "PT1H30M": 1.5,
            "PT45M": 0.75,
            "PT0S": 0.0,
            "PT8H": 8.0,
            "P1DT2H": 26.0,
            "PT1H0M36S": 1.01,
            "PT0.5H": 0.5,
        }
        for text, hours in cases.items():
            self.assertAlmostEqual(parse_iso_duration(text), hours, places=6, msg=text)
        for junk in ("", "P", "PT", "1:30", "PT1H30", None, 90):
            with self.assertRaises(MalformedRecord, msg=junk):
                parse_iso_duration(junk)

    def test_to_entry_without_duration_uses_start_and_end(self):
        entry = _to_entry(
            {
                "id": "e1",
                "userId": "u1",
                "timeInterval": {
                    "start": "2026-03-02T09:00:00Z",
                    "end": "2026-03-02T09:45:00Z",
                    "duration": None,
                },
            },
            tz_name="Europe/Berlin",
        )
        self.assertEqual(entry.hours, 0.75)
        self.assertFalse(entry.is_running)
        self.assertEqual(entry.date, date(2026, 3, 2))
        self.assertEqual(entry.start, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        self.assertEqual(entry.end, datetime(2026, 3, 2, 9, 45, tzinfo=UTC))

    def test_interval_keeps_the_offset_given(self):
        record = {
            "id": "e2",
            "userId": "u1",
            "timeInterval": {
                "start": "2026-03-02T08:00:00+01:00",
                "end": "2026-03-02T09:00:00+01:00",
                "duration": "PT1H",
            },
        }
        entry = _to_entry(record)
        self.assertEqual(entry.start.utcoffset(), timedelta(hours=1))
        self.assertEqual(entry.start, datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
        self.assertEqual(entry.end - entry.start, timedelta(hours=1))
        # An end before the start, or one naive and one aware: no interval.
        for end in ("2026-03-02T07:00:00+01:00", "2026-03-02T09:00:00"):
            entry = _to_entry(
                {**record, "timeInterval": {**record["timeInterval"], "end": end}}
            )
            self.assertEqual((entry.start, entry.end), (None, None))


@tagged("post_install", "-at_install")
class TestClockifyWebhooks(ProviderCase):
    provider = "clockify"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeClockify(webhook_secret="wh-token"))
        self.fake.build_world(users=1, projects=2)
        self.record = self.fake.add(
            _started=datetime(2026, 3, 2, 23, 30, tzinfo=UTC), _seconds=3600
        )
        # The only person's Clockify zone (Europe/Berlin) is also the
        # backend's fallback, so the pushed entry is dated like the polled one.
        self.adapter = self.make_adapter(
            self.fake, options={"timezone": "Europe/Berlin"}
        )

    def test_event_maps_like_polling(self):
        _pages, polled, _errors = self.collect(self.adapter.iter_pages())
        payload, headers = self.fake.webhook_event(self.record["id"], "NEW_TIME_ENTRY")
        page = self.adapter.parse_webhook(payload, headers)
        (pushed,) = page.entries
        for name in (
            "external_id",
            "date",
            "hours",
            "description",
            "user_ref",
            "project_ref",
            "task_ref",
            "client_ref",
            "billable",
            "is_running",
            "start",
            "end",
        ):
            self.assertEqual(getattr(pushed, name), getattr(polled[0], name), name)
        self.assertEqual(pushed.date, date(2026, 3, 3))

    def test_timer_events(self):
        running = self.fake.add(_running=True)
        payload, headers = self.fake.webhook_event(running["id"], "NEW_TIMER_STARTED")
        self.assertTrue(
            self.adapter.parse_webhook(payload, headers).entries[0].is_running
        )
        self.fake.stop_timer(running["id"], 2700)
        payload, headers = self.fake.webhook_event(running["id"], "TIMER_STOPPED")
        entry = self.adapter.parse_webhook(payload, headers).entries[0]
        self.assertFalse(entry.is_running)
        self.assertEqual(entry.hours, 0.75)

    def test_deleted_and_other_events(self):
        payload, headers = self.fake.webhook_event(
            self.record["id"], "TIME_ENTRY_DELETED"
        )
        page = self.adapter.parse_webhook(payload, headers)
        self.assertEqual(page.deleted_ids, [self.record["id"]])
        self.assertEqual(page.entries, [])
        headers["Clockify-Webhook-Event-Type"] = "NEW_PROJECT"
        page = self.adapter.parse_webhook({"id": "p1", "name": "X"}, headers)
        self.assertEqual((page.entries, page.deleted_ids, page.errors), ([], [], []))

    def test_deletions_are_confirmed_at_the_source(self):
        other = self.fake.add(_seconds=600)
        self.fake.delete(self.record["id"])
        gone = self.adapter.confirm_deleted([self.record["id"], other["id"]])
        self.assertEqual(gone, [self.record["id"]])
        self.fake.fail_next(401)
        with self.assertRaises(ProviderAuthError):
            self.adapter.confirm_deleted([other["id"]])

    def test_only_a_deletion_adds_to_the_identity_of_a_call(self):
        kinds = {
            event: self.adapter.webhook_delivery_kind(
                {"clockify-webhook-event-type": event}
            )
            for event in ("NEW_TIME_ENTRY", "TIME_ENTRY_UPDATED", "TIME_ENTRY_DELETED")
        }
        self.assertEqual(
            kinds,
            {
                "NEW_TIME_ENTRY": "",
                "TIME_ENTRY_UPDATED": "",
                "TIME_ENTRY_DELETED": "deletion",
            },
        )

    def test_other_workspace_and_broken_payload(self):
        payload, headers = self.fake.webhook_event(self.record["id"])
        payload["workspaceId"] = "elsewhere"
        page = self.adapter.parse_webhook(payload, headers)
        self.assertIn("workspace elsewhere", page.errors[0].message)
        payload, headers = self.fake.webhook_event(self.record["id"])
        payload["timeInterval"] = {"start": "not a date"}
        page = self.adapter.parse_webhook(payload, headers)
        self.assertEqual(page.entries, [])
        self.assertEqual(page.errors[0].external_id, self.record["id"])

    def test_verify_webhook(self):
        payload, headers = self.fake.webhook_event(self.record["id"])
        body = json.dumps(payload).encode()
        self.assertTrue(self.adapter.verify_webhook(body, headers))
        self.assertTrue(
            self.adapter.verify_webhook(body, {"clockify-signature": "wh-token"})
        )
        self.assertFalse(
            self.adapter.verify_webhook(body, {"Clockify-Signature": "wh-tokem"})
        )
        self.assertFalse(self.adapter.verify_webhook(body, {}))
