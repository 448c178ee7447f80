# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Limits of the synchronisation loops: waits a provider asks for, a backend
that fails inside the scheduled synchronisation, a page that keeps failing,
the size of a run's log and how long runs and webhook events are kept."""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..exceptions import ProviderError, ProviderQuotaExceeded
from ..providers import ADAPTERS
from ..providers.http import parse_retry_after
from .common_import import FakeAdapter, ImportCommon
from .test_import_sync import pages_of

SYNC_LOGGER = "odoo.addons.time_billing_bridge.models.time_billing_backend"


@tagged("post_install", "-at_install")
class TestSyncWaits(ImportCommon):
    def test_absurd_quota_waits_are_clamped_to_a_day(self):
        """Whatever a quota header says, the backend resumes within a day."""
        for header in (
            "1000000000000",
            "1e400",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "-30",
            "in a while",
        ):
            with self.subTest(header=header):
                retry_after = parse_retry_after(header)
                adapter = FakeAdapter(
                    pages_of(1, 1),
                    failures={1: ProviderQuotaExceeded("quota", 402, retry_after)},
                )
                self.use_adapter(adapter)
                self.backend.sync_resume_start = False
                with freeze_time("2026-03-05 10:00:00"):
                    run = self.sync()
                self.assertEqual(run.state, "partial")
                resume_at = self.backend.next_sync_date
                self.assertTrue(
                    datetime(2026, 3, 5, 10, 0)
                    < resume_at
                    <= datetime(2026, 3, 6, 10, 0),
                    resume_at,
                )


@tagged("post_install", "-at_install")
class TestSyncCronIsolation(ImportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second = cls.env["time.billing.backend"].create(
            {"name": "Harvest (second)", "provider": "harvest", "account_ref": "43"}
        )

    def run_cron(self, adapters):
        self.use_adapter(FakeAdapter())
        self.patch(
            type(self.env["time.billing.backend"]),
            "_get_adapter",
            lambda backend, **_kw: adapters[backend.id],
        )
        with patch.dict(ADAPTERS, {"harvest": FakeAdapter}):
            with self.enter_registry_test_mode():
                cron = self.env.ref("time_billing_bridge.ir_cron_time_billing_sync")
                cron.method_direct_trigger()

    def test_absurd_wait_of_one_backend_does_not_stop_the_others(self):
        adapters = {
            self.backend.id: FakeAdapter(
                pages_of(1, 1),
                failures={1: ProviderQuotaExceeded("quota", 402, 10.0**12)},
            ),
            self.second.id: FakeAdapter(pages_of(2, start=50)),
        }
        self.run_cron(adapters)
        self.assertEqual(self.second.sync_run_ids.state, "done")
        self.assertEqual(self.second.entry_count, 2)
        self.assertEqual(self.backend.sync_run_ids.state, "partial")
        self.assertTrue(
            self.backend.next_sync_date
            <= fields.Datetime.now() + timedelta(days=1, minutes=1)
        )

    def test_a_backend_that_explodes_does_not_stop_the_others(self):
        """An error past the synchronisation's own handling (here in its
        bookkeeping) is rolled back and recorded on that backend only."""
        adapters = {
            self.backend.id: FakeAdapter(pages_of(1)),
            self.second.id: FakeAdapter(pages_of(2, start=50)),
        }
        backend_class = type(self.env["time.billing.backend"])
        sync_done = backend_class._sync_done
        first_id = self.backend.id

        def exploding_sync_done(self_, run, window_start):
            if self_.id == first_id:
                self_.sudo().last_sync_date = fields.Datetime.now()
                raise RuntimeError("bookkeeping exploded")
            return sync_done(self_, run, window_start)

        self.patch(backend_class, "_sync_done", exploding_sync_done)
        with mute_logger(SYNC_LOGGER):
            self.run_cron(adapters)
        self.assertEqual(self.second.sync_run_ids.state, "done")
        self.assertEqual(self.second.entry_count, 2)
        # The failing backend: its half-written outcome is undone, the
        # failure recorded, and it is not retried at once.
        self.assertFalse(self.backend.last_sync_date)
        self.assertIn("bookkeeping exploded", self.backend.last_error)
        run = self.backend.sync_run_ids
        self.assertEqual(len(run), 1)
        self.assertNotEqual(run.state, "running")
        self.assertIn("bookkeeping exploded", run.message)
        self.assertFalse(self.backend.sync_resume_run_id)
        self.assertTrue(self.backend.next_sync_date > fields.Datetime.now())


@tagged("post_install", "-at_install")
class TestSyncResumeAttempts(ImportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "time_billing_bridge.sync_max_resume_attempts", "3"
        )

    def due(self):
        Backend = self.env["time.billing.backend"]
        return self.backend & Backend.search(Backend._get_sync_due_domain())

    def failing_at(self, adapter, index):
        adapter.failures = {index: ProviderError("HTTP 422: page cannot be listed")}

    def test_a_page_failing_again_and_again_is_not_retried_forever(self):
        adapter = FakeAdapter(pages_of(2, 2, 2))
        self.use_adapter(adapter)
        self.backend.last_sync_date = datetime(2026, 3, 1, 12, 0)
        for attempt in (1, 2):
            self.failing_at(adapter, 1)
            run = self.sync(trigger="cron")
            self.assertEqual(self.backend.sync_resume_attempts, attempt)
            self.assertNotIn("times in a row", run.message)
        self.backend.next_sync_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertTrue(self.due(), "still retried by the scheduled sync")
        self.failing_at(adapter, 1)
        run = self.sync(trigger="cron")
        self.assertEqual(run.state, "failed")
        self.assertEqual(self.backend.sync_resume_attempts, 3)
        self.assertIn("tried 3 times in a row", run.message)
        self.assertIn("Reset Resume Point", run.message)
        self.assertIn("tried 3 times in a row", self.backend.last_error)
        # The scheduled synchronisation leaves it alone until a person acts.
        self.backend.next_sync_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertFalse(self.due())
        # Sync Now is a person acting: it tries again, and once it gets past
        # the page the count starts over.
        run = self.sync()
        self.assertEqual(run.state, "done")
        self.assertEqual(self.backend.sync_resume_attempts, 0)
        self.backend.next_sync_date = fields.Datetime.now() - timedelta(minutes=1)
        self.assertTrue(self.due())

    def test_a_page_imported_starts_the_count_again(self):
        adapter = FakeAdapter(pages_of(1, 1, 1, 1))
        self.use_adapter(adapter)
        for index in (1, 1, 2):
            self.failing_at(adapter, index)
            self.sync(trigger="cron")
        self.assertEqual(self.backend.sync_resume_attempts, 1)
        self.assertEqual(self.backend.sync_resume_token, "2")

    def test_a_quota_pause_is_not_a_failed_attempt(self):
        adapter = FakeAdapter(pages_of(1, 1))
        self.use_adapter(adapter)
        self.failing_at(adapter, 1)
        self.sync(trigger="cron")
        adapter.failures = {1: ProviderQuotaExceeded("quota", 402, 60)}
        self.sync(trigger="cron")
        self.assertEqual(self.backend.sync_resume_attempts, 1)

    def test_manager_resets_the_resume_point(self):
        adapter = FakeAdapter(pages_of(1, 1, 1))
        self.use_adapter(adapter)
        self.backend.last_sync_date = datetime(2026, 3, 1, 12, 0)
        for _attempt in range(3):
            self.failing_at(adapter, 1)
            failed = self.sync(trigger="cron")
        self.assertEqual(self.backend.sync_resume_attempts, 3)
        self.backend.with_user(self.billing_manager).action_reset_sync_resume()
        self.assertFalse(self.backend.sync_resume_start)
        self.assertFalse(self.backend.sync_resume_token)
        self.assertFalse(self.backend.sync_resume_run_id)
        self.assertEqual(self.backend.sync_resume_attempts, 0)
        message = self.backend.message_ids[:1]
        self.assertIn("Resume point reset", message.body)
        self.assertEqual(message.author_id, self.billing_manager.partner_id)
        self.assertNotEqual(failed.state, "running")
        # The next synchronisation starts again from the last completed one.
        run = self.sync(trigger="cron")
        self.assertEqual(run.state, "done")
        self.assertEqual(adapter.calls[-1]["resume_token"], None)
        self.assertEqual(adapter.calls[-1]["since"], datetime(2026, 3, 1, 11, 55))
        self.assertEqual(run.unchanged_count, 1)
        self.assertEqual(run.created_count, 2)

    def test_billing_user_cannot_reset_the_resume_point(self):
        adapter = FakeAdapter(pages_of(1, 1))
        self.use_adapter(adapter)
        self.failing_at(adapter, 1)
        self.sync(trigger="cron")
        start = self.backend.sync_resume_start
        with self.assertRaises(AccessError):
            self.backend.with_user(self.billing_user).action_reset_sync_resume()
        self.assertEqual(self.backend.sync_resume_start, start)
        self.assertEqual(self.backend.sync_resume_attempts, 1)
