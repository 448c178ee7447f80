# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import json
from datetime import date, datetime, timedelta, timezone

from odoo.tests import tagged

from ..exceptions import ProviderAuthError, ProviderQuotaExceeded
from ..providers.toggl import _v9_to_entry
from ..providers.webhooks import sign_toggl
from .common_providers import ProviderCase
from .fakes import FakeToggl

UTC = timezone.utc
UNTIL = datetime(2026, 12, 31)
YEAR = {"start_date": "2026-01-01"}
COMPARED = (
    "external_id",
    "date",
    "hours",
    "description",
    "updated_at",
    "user_ref",
    "project_ref",
    "task_ref",
    "billable",
    "is_running",
    "start",
    "end",
)


@tagged("post_install", "-at_install")
class TestTogglAdapter(ProviderCase):
    provider = "toggl"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeToggl())

    def searches(self):
        return self.fake.requests_to("/search/time_entries", "POST")

    def test_report_pages_follow_next_headers(self):
        records = self.fake.generate(400, users=6, projects=5, seed=1)
        adapter = self.make_adapter(self.fake, page_size=10, options=YEAR)
        pages, entries, errors = self.collect(adapter.iter_pages(until=UNTIL))
        self.assertEqual(errors, [])
        self.assertGreater(len(pages), 3)
        ids = [e.external_id for e in entries]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(sorted(ids), sorted(str(r["id"]) for r in records))
        calls = self.searches()
        self.assertEqual(len(calls), len(pages))
        first = calls[0].json
        self.assertEqual(first["start_date"], "2026-01-01")
        self.assertEqual(first["end_date"], "2027-01-01")
        self.assertEqual(first["page_size"], 10)
        self.assertTrue(first["enrich_response"])
        self.assertNotIn("first_row_number", first)
        # Each next call carries what the previous answer's headers said.
        self.assertEqual(calls[1].json["first_row_number"], 11)
        self.assertIn("first_id", calls[1].json)
        expected = base64.b64encode(b"toggl-token:api_token").decode()
        self.assertEqual(calls[0].header("Authorization"), f"Basic {expected}")
        self.assertIsNone(pages[-1].resume_token)

    def test_resume_from_token(self):
        records = self.fake.generate(200, seed=2)
        adapter = self.make_adapter(self.fake, page_size=5, options=YEAR)
        pages = adapter.iter_pages(until=UNTIL)
        first, second = next(pages), next(pages)
        pages.close()
        token = json.loads(second.resume_token)
        self.assertEqual(token["first_row_number"], 11)
        self.fake.reset_log()
        resumed = self.make_adapter(self.fake, page_size=5)
        _pages, rest, _errors = self.collect(
            resumed.iter_pages(resume_token=second.resume_token)
        )
        ids = [e.external_id for e in first.entries + second.entries + rest]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(sorted(ids), sorted(str(r["id"]) for r in records))
        self.assertEqual(self.searches()[0].json["first_row_number"], 11)

    def test_empty_continuation_page_is_asked_again_by_row(self):
        records = self.fake.generate(120, seed=3)
        self.fake.empty_when_both_cursors = True
        adapter = self.make_adapter(self.fake, page_size=10, options=YEAR)
        _pages, entries, _errors = self.collect(adapter.iter_pages(until=UNTIL))
        self.assertEqual(len(entries), len(records))
        retried = [c.json for c in self.searches() if "first_row_number" in c.json]
        self.assertTrue(any("first_id" not in body for body in retried))

    def test_long_range_is_split_into_years(self):
        self.fake.generate(30, seed=4, start=date(2024, 2, 5), days=10)
        self.fake.generate(30, seed=5, start=date(2025, 6, 2), days=10)
        recent = self.fake.generate(30, seed=6, start=date(2026, 9, 7), days=10)
        adapter = self.make_adapter(self.fake, options={"start_date": "2024-01-01"})
        _pages, entries, _errors = self.collect(adapter.iter_pages(until=UNTIL))
        self.assertEqual(len({e.external_id for e in entries}), 90)
        self.assertEqual(len(entries), 90)
        self.assertIn(str(recent[-1]["id"]), {e.external_id for e in entries})
        ranges = [
            (
                date.fromisoformat(c.json["start_date"]),
                date.fromisoformat(c.json["end_date"]),
            )
            for c in self.searches()
        ]
        # Ranges of at most a year, each starting on the day the previous
        # one ends, from the start date to tomorrow of "until".
        self.assertEqual(len(ranges), 4)
        self.assertTrue(all((end - start).days <= 366 for start, end in ranges))
        for previous, following in zip(ranges, ranges[1:], strict=False):
            self.assertEqual(following[0], previous[1])
        self.assertEqual(ranges[0][0], date(2024, 1, 1))
        self.assertEqual(ranges[-1][1], date(2027, 1, 1))

    def test_incremental_window(self):
        self.fake.generate(10, seed=7)
        adapter = self.make_adapter(self.fake, options={"lookback_days": 30})
        list(adapter.iter_pages(since=datetime(2026, 3, 31, 8, 0), until=UNTIL))
        body = self.searches()[0].json
        self.assertEqual(body["start_date"], "2026-03-01")

    def test_local_dates_durations_and_names(self):
        self.fake.build_world(users=2, projects=2)
        late = self.fake.add(
            _started=datetime(2026, 3, 2, 23, 30, tzinfo=UTC), _seconds=5400
        )
        adapter = self.make_adapter(self.fake, options=YEAR)
        _pages, entries, _errors = self.collect(adapter.iter_pages(until=UNTIL))
        (entry,) = entries
        self.assertEqual(entry.external_id, str(late["id"]))
        # 23:30 UTC is already 00:30 on the 3rd in Berlin, the report's zone.
        self.assertEqual(entry.date, date(2026, 3, 3))
        self.assertEqual(entry.hours, 1.5)
        owner, project = self.fake.people[0], self.fake.projects[0]
        self.assertEqual(entry.user_ref, str(owner.id))
        self.assertEqual(entry.user_name, owner.name)
        self.assertEqual(entry.user_email, owner.email)
        self.assertEqual(entry.project_name, project.name)
        self.assertEqual(entry.client_name, project.client.name)
        self.assertEqual(entry.task_name, project.tasks[0].name)
        self.assertEqual(entry.updated_at, datetime(2026, 3, 3, 1, 0))
        self.assertEqual(entry.raw["time_entries"][0]["id"], late["id"])
        # Start and stop of the entry, in the report owner's offset.
        self.assertEqual(entry.start, datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
        self.assertEqual(entry.start.utcoffset(), timedelta(hours=1))
        self.assertEqual(entry.end, datetime(2026, 3, 3, 1, 0, tzinfo=UTC))

    def test_running_timer_flagged(self):
        self.fake.generate(6, seed=8, running=1)
        adapter = self.make_adapter(self.fake, options=YEAR)
        _pages, entries, _errors = self.collect(adapter.iter_pages(until=UNTIL))
        running = [e for e in entries if e.is_running]
        self.assertEqual(len(running), 1)
        self.assertEqual(running[0].hours, 0.0)
        self.assertEqual((running[0].start, running[0].end), (None, None))

    def test_broken_entry_does_not_lose_the_page(self):
        self.fake.generate(12, seed=9)
        broken = self.fake.add_broken()
        adapter = self.make_adapter(self.fake, options=YEAR)
        pages, entries, errors = self.collect(adapter.iter_pages(until=UNTIL))
        self.assertEqual(len(pages), 1)
        self.assertEqual(len(entries), 12)
        (error,) = errors
        self.assertEqual(error.external_id, str(broken["id"]))
        self.assertIn("'yesterday morning' is not an ISO 8601", error.message)

    def test_quota_answer_pauses_the_run(self):
        self.fake.generate(5, seed=10)
        adapter = self.make_adapter(self.fake, options=YEAR)
        self.fake.quota_exceeded(resets_in=1800)
        with self.assertRaises(ProviderQuotaExceeded) as caught:
            list(adapter.iter_pages(until=UNTIL))
        self.assertEqual(caught.exception.retry_after, 1800)
        self.assertEqual(caught.exception.status, 402)
        self.assertIn("quota", str(caught.exception))
        self.assertEqual(self.sleeps, [])
        self.assertEqual(len(self.searches()), 1)

    def test_rate_limit_without_retry_after_backs_off(self):
        self.fake.generate(5, seed=11)
        adapter = self.make_adapter(self.fake, options=YEAR)
        self.fake.fail_next(429)
        _pages, entries, _errors = self.collect(adapter.iter_pages(until=UNTIL))
        self.assertEqual(len(entries), 5)
        (wait,) = self.sleeps
        self.assertTrue(1.0 <= wait <= 1.5, wait)

    def test_auth_error(self):
        adapter = self.make_adapter(self.fake, api_token="nope")
        with self.assertRaises(ProviderAuthError) as caught:
            adapter.check_connection()
        self.assertTrue(
            str(caught.exception).startswith(
                "Toggl Track refused the API token for workspace 7654321: check "
                "the token and workspace ID in the backend."
            )
        )

    def test_check_connection(self):
        adapter = self.make_adapter(self.fake)
        owner = self.fake.owner
        self.assertEqual(
            adapter.check_connection(),
            f"Connected to Toggl Track workspace 7654321 (Bridge Consulting) as "
            f"{owner.name} <{owner.email}>.",
        )
        self.assertEqual(adapter.profile_timezone(), "Europe/Berlin")

    def test_deleted_since(self):
        self.fake.build_world(users=2)
        mine = [self.fake.add() for _i in range(3)]
        theirs = self.fake.add(
            _person=self.fake.people[1], user_id=self.fake.people[1].id
        )
        self.fake.clock = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
        self.fake.delete(mine[0]["id"])
        self.fake.delete(theirs["id"])
        self.fake.edit(mine[1]["id"], description="still here")
        adapter = self.make_adapter(self.fake)
        self.assertEqual(list(adapter.iter_deleted(since=None)), [])
        self.assertEqual(self.fake.requests, [])
        deleted = list(adapter.iter_deleted(since=datetime(2026, 4, 1, 11, 0)))
        # Only the token owner's deletions are visible through /me.
        self.assertEqual(deleted, [str(mine[0]["id"])])
        call = self.fake.requests_to("/me/time_entries")[-1]
        expected = int(datetime(2026, 4, 1, 11, 0, tzinfo=UTC).timestamp())
        self.assertEqual(call.params["since"], str(expected))
        # Deleted entries no longer appear in the report.
        reader = self.make_adapter(self.fake, options=YEAR)
        _pages, entries, _errors = self.collect(reader.iter_pages(until=UNTIL))
        self.assertNotIn(str(mine[0]["id"]), {e.external_id for e in entries})


@tagged("post_install", "-at_install")
class TestTogglWebhooks(ProviderCase):
    provider = "toggl"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeToggl(webhook_secret="s3cr3t"))
        self.fake.build_world(users=2, projects=2)
        self.record = self.fake.add(
            _started=datetime(2026, 3, 2, 23, 30, tzinfo=UTC), _seconds=2700
        )
        self.adapter = self.make_adapter(
            self.fake, options={**YEAR, "timezone": "Europe/Berlin"}
        )

    def test_event_maps_like_polling(self):
        _pages, polled, _errors = self.collect(self.adapter.iter_pages(until=UNTIL))
        page = self.adapter.parse_webhook(
            self.fake.webhook_event(self.record["id"], "created")
        )
        self.assertEqual(page.errors, [])
        (pushed,) = page.entries
        for name in COMPARED:
            self.assertEqual(getattr(pushed, name), getattr(polled[0], name), name)
        self.assertEqual(pushed.date, date(2026, 3, 3))

    def test_without_timezone_the_utc_date_is_used(self):
        entry = _v9_to_entry(self.fake.find(self.record["id"]))
        self.assertEqual(entry.date, date(2026, 3, 2))

    def test_v9_start_and_stop(self):
        record = {
            "id": 1,
            "start": "2026-03-02T09:00:00Z",
            "stop": "2026-03-02T10:30:00Z",
            "duration": 5400,
        }
        entry = _v9_to_entry(record)
        self.assertEqual(
            (entry.start, entry.end),
            (
                datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
            ),
        )
        # Running (no stop yet): no interval.
        entry = _v9_to_entry({**record, "stop": None, "duration": -1})
        self.assertEqual((entry.start, entry.end), (None, None))

    def test_running_entry_event(self):
        running = self.fake.add(_running=True)
        page = self.adapter.parse_webhook(self.fake.webhook_event(running["id"]))
        (entry,) = page.entries
        self.assertTrue(entry.is_running)
        self.assertLess(running["duration"], 0)
        self.fake.stop_timer(running["id"], 1800)
        page = self.adapter.parse_webhook(self.fake.webhook_event(running["id"]))
        self.assertFalse(page.entries[0].is_running)
        self.assertEqual(page.entries[0].hours, 0.5)

    def test_deleted_event(self):
        self.fake.delete(self.record["id"])
        page = self.adapter.parse_webhook(
            self.fake.webhook_event(self.record["id"], "deleted")
        )
        self.assertEqual(page.entries, [])
        self.assertEqual(page.deleted_ids, [str(self.record["id"])])

    def test_ping_and_handshake(self):
        ping = self.fake.ping_event("c0de")
        self.assertEqual(self.adapter.parse_webhook(ping).entries, [])
        self.assertEqual(
            self.adapter.webhook_handshake(ping), {"validation_code": "c0de"}
        )
        event = self.fake.webhook_event(self.record["id"])
        self.assertIsNone(self.adapter.webhook_handshake(event))

    def test_other_models_and_workspaces(self):
        event = self.fake.webhook_event(self.record["id"])
        event["metadata"]["model"] = "project"
        self.assertEqual(self.adapter.parse_webhook(event).entries, [])
        event = self.fake.webhook_event(self.record["id"])
        event["metadata"]["workspace_id"] = "111"
        page = self.adapter.parse_webhook(event)
        self.assertEqual(page.entries, [])
        self.assertIn("workspace 111", page.errors[0].message)

    def test_malformed_event(self):
        event = self.fake.webhook_event(self.record["id"])
        event["payload"]["duration"] = "long"
        page = self.adapter.parse_webhook(event)
        self.assertEqual(page.entries, [])
        self.assertIn("'long' is not a number of seconds", page.errors[0].message)
        page = self.adapter.parse_webhook(["not", "an", "object"])
        self.assertIn("not a JSON object", page.errors[0].message)

    def test_verify_webhook(self):
        body = json.dumps(self.fake.webhook_event(self.record["id"])).encode()
        headers = {"x-webhook-signature-256": sign_toggl("s3cr3t", body)}
        self.assertTrue(self.adapter.verify_webhook(body, headers))
        self.assertFalse(self.adapter.verify_webhook(body + b" ", headers))
        self.assertFalse(self.adapter.verify_webhook(body, {}))
        wrong = {"X-Webhook-Signature-256": sign_toggl("other", body)}
        self.assertFalse(self.adapter.verify_webhook(body, wrong))

    def test_deleted_event_needs_only_the_id(self):
        event = self.fake.webhook_event(self.record["id"], "deleted")
        event["payload"]["start"] = None
        page = self.adapter.parse_webhook(event)
        self.assertEqual(page.deleted_ids, [str(self.record["id"])])
        self.assertEqual(page.errors, [])
