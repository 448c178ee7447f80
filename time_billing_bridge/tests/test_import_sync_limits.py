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
from odoo.tools import SQL, mute_logger

from ..exceptions import ProviderError, ProviderQuotaExceeded
from ..providers import ADAPTERS
from ..providers.http import parse_retry_after
from .common_import import FakeAdapter, ImportCommon, make_entry
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


@tagged("post_install", "-at_install")
class TestSyncRunLog(ImportCommon):
    def test_the_log_keeps_its_start_and_its_latest_lines(self):
        run = self.start_run()
        run._log("Resuming the synchronisation started on 2026-03-01")
        for batch in range(30):
            run._log(*(f"line {batch * 100 + i}" for i in range(100)))
        lines = run.message.split("\n")
        self.assertLessEqual(len(lines), 1000)
        self.assertEqual(lines[0], "Resuming the synchronisation started on 2026-03-01")
        self.assertEqual(lines[-1], "line 2999")
        markers = [line for line in lines if "lines omitted" in line]
        self.assertEqual(len(markers), 1)
        kept = [line for line in lines if line.startswith("line ")]
        omitted = 3000 - len(kept)
        self.assertIn(f"{omitted:,} lines omitted", markers[0])
        # Kept lines are the first ones, then the latest ones, in order.
        numbers = [int(line.split()[1]) for line in kept]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(numbers[-1] - numbers[-2], 1)

    def test_a_huge_line_is_shortened(self):
        run = self.start_run()
        run._log("x" * 1_000_000, "next")
        self.assertLess(len(run.message), 10_000)
        self.assertTrue(run.message.endswith("next"))


@tagged("post_install", "-at_install")
class TestSyncRetention(ImportCommon):
    def age(self, records, days, fname="date_start"):
        """Move ``fname`` of ``records`` ``days`` into the past."""
        moment = fields.Datetime.now() - timedelta(days=days)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE id IN %s",
                SQL.identifier(records._table),
                SQL.identifier(fname),
                moment,
                tuple(records.ids),
            )
        )
        records.invalidate_recordset()

    def test_old_runs_are_deleted_but_not_what_is_still_needed(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "time_billing_bridge.sync_run_retention_days", "10"
        )
        _counts, old = self.process(make_entry(1))
        old._finish()
        entry = self.entry(1)
        line = entry.timesheet_id
        running = self.start_run()
        resume = self.start_run()._finish("partial")
        recent = self.start_run()._finish()
        self.backend.sync_resume_run_id = resume
        self.age(old | running | resume, 11)
        self.age(recent, 9)
        self.env["time.billing.sync.run"]._gc_old_sync_runs()
        self.assertFalse(old.exists())
        self.assertEqual(running.exists(), running)
        self.assertEqual(resume.exists(), resume)
        self.assertEqual(recent.exists(), recent)
        # What the deleted run imported stays.
        self.assertTrue(entry.exists())
        self.assertFalse(entry.sync_run_id)
        self.assertTrue(line.exists())

    def test_runs_are_kept_180_days_unless_told_otherwise(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "time_billing_bridge.sync_run_retention_days", "-3"
        )
        kept = self.start_run()._finish()
        gone = self.start_run()._finish()
        self.age(kept, 179)
        self.age(gone, 181)
        self.env["time.billing.sync.run"]._gc_old_sync_runs()
        self.assertTrue(kept.exists())
        self.assertFalse(gone.exists())

    def test_webhook_events_are_kept_for_their_retention_period(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "time_billing_bridge.webhook_event_retention_days", "20"
        )
        Event = self.env["time.billing.webhook.event"]
        run = self.start_run("webhook")._finish()
        past = fields.Datetime.now() - timedelta(hours=1)
        events = {}
        for name in ("old_expired", "recent_expired", "old_valid"):
            events[name] = Event.create(
                {
                    "backend_id": self.backend.id,
                    "digest": name,
                    "expire_date": past,
                    "sync_run_id": run.id,
                }
            )
        events["old_valid"].expire_date = fields.Datetime.now() + timedelta(hours=1)
        self.age(events["old_expired"] | events["old_valid"], 21, "create_date")
        Event._gc_expired_events()
        self.assertFalse(events["old_expired"].exists())
        self.assertTrue(events["recent_expired"].exists())
        self.assertTrue(events["old_valid"].exists(), "still refuses its replay")
        self.assertTrue(run.exists())

    def test_retention_settings(self):
        settings = self.env["res.config.settings"].create(
            {
                "time_billing_sync_run_retention_days": 90,
                "time_billing_webhook_event_retention_days": 7,
            }
        )
        settings.execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            params.get_param("time_billing_bridge.sync_run_retention_days"), "90"
        )
        self.assertEqual(
            params.get_param("time_billing_bridge.webhook_event_retention_days"), "7"
        )
