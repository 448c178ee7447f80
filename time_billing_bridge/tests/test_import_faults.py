# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Provider faults during a synchronisation, end to end: a real backend
syncing from the fake Harvest API over HTTP into the database.

Elsewhere: two workers on one backend and a real serialization failure in
test_import_faults_concurrency; the Odoo process killed mid-sync in
tests/test_sync_killed.py (a system test); the client's back-off arithmetic
in test_provider_http. TestSyncHarvest's
test_interrupted_sync_resumes_from_the_next_page breaks the provider from the
importer; here the fake alone fails page two.
"""

import dataclasses

from odoo.tests import tagged

from .fakes import FakeHarvest
from .test_import_sync_http import HttpSyncCase

ENTRIES = "/time_entries"
# Five entries in pages of two: three pages.
RECORDS = 5


@tagged("post_install", "-at_install")
class TestSyncFaults(HttpSyncCase):
    fake_class = FakeHarvest
    provider = "harvest"

    def setUp(self):
        super().setUp()
        backend_class = type(self.env["time.billing.backend"])
        config = backend_class._get_adapter_config
        # Three retries (four attempts) per request.
        self.patch(
            backend_class,
            "_get_adapter_config",
            lambda backend: dataclasses.replace(config(backend), max_retries=3),
        )
        # The client's waits are recorded, not slept.
        self.sleeps = []
        get_adapter = backend_class._get_adapter

        def recording_adapter(backend, **settings):
            adapter = get_adapter(backend, **settings)
            adapter.http._sleep = self.sleeps.append
            return adapter

        self.patch(backend_class, "_get_adapter", recording_adapter)
        self.fake.generate(RECORDS, seed=11)

    def statuses(self):
        return [r.status for r in self.fake.requests_to(ENTRIES)]

    def assert_everything_once(self):
        """Every entry of the source imported once, each with one line."""
        entries = self.backend.entry_ids
        self.assertEqual(
            sorted(entries.mapped("external_id")),
            sorted(str(record["id"]) for record in self.fake.records),
        )
        self.assertEqual(set(entries.mapped("state")), {"imported"})
        lines = self.env["account.analytic.line"].search(
            [("project_id", "=", self.project_a.id)]
        )
        self.assertEqual(len(lines), RECORDS)
        self.assertEqual(entries.timesheet_id, lines)

    def test_500_on_page_two_then_recovery_within_the_retries(self):
        self.fake.answer_next(path=ENTRIES)
        self.fake.fail_next(500, times=3)
        run = self.sync()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.page_count, run.created_count), (3, RECORDS))
        self.assertEqual(self.statuses(), [200, 500, 500, 500, 200, 200])
        self.assertEqual(len(self.sleeps), 3)
        self.assertFalse(self.backend.last_error)
        self.assert_everything_once()

    def test_500_beyond_the_retries_resumes_after_page_one(self):
        self.fake.answer_next(path=ENTRIES)
        self.fake.fail_next(500, times=4)
        first = self.sync()
        self.assertEqual(first.state, "partial")
        self.assertEqual((first.page_count, first.created_count), (1, 2))
        self.assertIn("HTTP 500", first.message)
        self.assertEqual(self.statuses(), [200, 500, 500, 500, 500])
        self.assertFalse(self.backend.last_sync_date)
        # The resume point is page one's link to page two.
        token = self.backend.sync_resume_token
        page_two = self.fake.requests_to(ENTRIES)[1].params["cursor"]
        self.assertIn(f"cursor={page_two}", token)
        self.assertEqual(len(self.backend.entry_ids), 2)

        self.fake.reset_log()
        second = self.sync()
        self.assertEqual(second.state, "done")
        self.assertEqual(self.fake.requests_to(ENTRIES)[0].params["cursor"], page_two)
        self.assertEqual((second.created_count, second.unchanged_count), (3, 0))
        self.assertEqual(self.backend.last_sync_date, first.date_start)
        self.assert_everything_once()

    def test_429_waits_what_retry_after_says(self):
        self.fake.answer_next(path=ENTRIES)
        self.fake.fail_next(429, times=2, headers={"Retry-After": "7"})
        # The scheduled synchronisation waits; Sync Now would hand over to it.
        run = self.sync(trigger="cron")
        self.assertEqual(run.state, "done")
        # No back-off of its own (retry_backoff is 0): the waits are the
        # provider's.
        self.assertEqual(self.sleeps, [7.0, 7.0])
        self.assertEqual(self.statuses(), [200, 429, 429, 200, 200])
        self.assert_everything_once()

    def test_connection_dropped_mid_page_is_retried(self):
        # Page two stops half-way through its body, page three half-way
        # through its headers.
        self.fake.answer_next(path=ENTRIES)
        self.fake.drop_next(after="body")
        self.fake.answer_next(path=ENTRIES)
        self.fake.drop_next(after="headers")
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.page_count, run.created_count), (3, RECORDS))
        self.assertEqual(len(self.fake.requests_to(ENTRIES)), 5)
        self.assertEqual(len(self.sleeps), 2)
        self.assert_everything_once()
