# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..exceptions import (
    ProviderAuthError,
    ProviderQuotaExceeded,
    RetryableProviderError,
)
from ..models.time_billing_backend.sync import SYNC_OVERLAP
from ..providers import ADAPTERS
from ..providers.base import Page
from .common_import import FakeAdapter, ImportCommon, make_entry

FAILURE_ACTIVITY = "time_billing_bridge.mail_act_time_billing_sync_failure"


def pages_of(*sizes, start=1):
    """Pages of new entries with consecutive ids."""
    pages, next_id = [], start
    for size in sizes:
        pages.append(Page(entries=[make_entry(next_id + i) for i in range(size)]))
        next_id += size
    return pages


@tagged("post_install", "-at_install")
class TestSync(ImportCommon):
    def failure_activities(self):
        return self.backend.activity_search([FAILURE_ACTIVITY])

    def test_sync_imports_every_page_and_moves_the_cursor(self):
        adapter = FakeAdapter(pages_of(2, 3))
        self.use_adapter(adapter)
        self.backend.last_sync_date = datetime(2026, 3, 1, 12, 0)
        run = self.sync()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.trigger, "manual")
        self.assertEqual((run.page_count, run.created_count), (2, 5))
        self.assertEqual(
            adapter.calls,
            [
                {
                    "since": datetime(2026, 3, 1, 12, 0) - SYNC_OVERLAP,
                    "until": None,
                    "resume_token": None,
                }
            ],
        )
        self.assertEqual(run.since_date, datetime(2026, 3, 1, 11, 55))
        self.assertIn("Page 1: 2 entries, 2 new", run.message)
        self.assertIn("Page 2: 3 entries, 3 new", run.message)
        self.assertEqual(self.backend.last_sync_date, run.date_start)
        self.assertFalse(self.backend.sync_resume_start)
        self.assertTrue(self.backend.next_sync_date > run.date_start)
        self.assertEqual(self.backend.entry_count, 5)
        # The next run asks for what changed since this one started.
        adapter.pages = []
        second = self.sync()
        self.assertEqual(adapter.calls[-1]["since"], run.date_start - SYNC_OVERLAP)
        self.assertEqual(second.state, "done")

    def test_sync_reports_deletions(self):
        adapter = FakeAdapter(pages_of(3))
        self.use_adapter(adapter)
        self.sync()
        line = self.entry(2).timesheet_id
        adapter.pages, adapter.deleted = [], ["2"]
        run = self.sync()
        self.assertEqual(run.deleted_count, 1)
        self.assertFalse(line.exists())
        self.assertEqual(self.entry(2).state, "deleted")

    def test_failed_run_resumes_from_the_last_committed_page(self):
        adapter = FakeAdapter(
            pages_of(2, 2, 2, 2),
            failures={2: RetryableProviderError("HTTP 503 after 5 retries", 503)},
        )
        self.use_adapter(adapter)
        self.backend.last_sync_date = datetime(2026, 3, 1, 12, 0)
        first = self.sync()
        self.assertEqual(first.state, "partial")
        self.assertEqual((first.page_count, first.created_count), (2, 4))
        self.assertIn("HTTP 503 after 5 retries", first.message)
        self.assertIn("resumes after the last imported page", first.message)
        # What was committed stays; the cursor did not move.
        self.assertEqual(self.backend.entry_count, 4)
        self.assertEqual(self.backend.last_sync_date, datetime(2026, 3, 1, 12, 0))
        self.assertEqual(self.backend.sync_resume_token, "2")
        self.assertEqual(self.backend.sync_resume_start, first.date_start)

        second = self.sync()
        self.assertEqual(second.state, "done")
        # It asked for the page after the last committed one, same window.
        self.assertEqual(
            adapter.calls[-1],
            {
                "since": datetime(2026, 3, 1, 12, 0) - SYNC_OVERLAP,
                "until": None,
                "resume_token": "2",
            },
        )
        self.assertEqual((second.page_count, second.created_count), (2, 4))
        self.assertEqual(second.unchanged_count, 0)
        self.assertIn("Resuming the synchronisation started on", second.message)
        self.assertEqual(self.backend.entry_count, 8)
        # The cursor moves to the start of the interrupted window.
        self.assertEqual(self.backend.last_sync_date, first.date_start)
        self.assertFalse(self.backend.sync_resume_token)

    def test_run_failing_on_the_first_page_is_failed(self):
        adapter = FakeAdapter(
            pages_of(2), failures={0: RetryableProviderError("timed out", None)}
        )
        self.use_adapter(adapter)
        run = self.sync()
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.page_count, 0)
        # A first synchronisation asks for everything.
        self.assertEqual(
            adapter.calls, [{"since": None, "until": None, "resume_token": None}]
        )
        self.sync()
        self.assertEqual(adapter.calls[-1]["since"], None)

    def test_auth_error_fails_with_one_activity_until_success(self):
        adapter = FakeAdapter(pages_of(1))
        adapter.failures = {
            0: ProviderAuthError("401 Unauthorized: invalid token", 401)
        }
        self.use_adapter(adapter)
        first = self.sync()
        self.assertEqual(first.state, "failed")
        self.assertIn("refused the credentials", first.message)
        self.assertIn("401 Unauthorized: invalid token", first.message)
        self.assertIn("Check the API token", first.message)
        self.assertIn("refused the credentials", self.backend.last_error)
        failing_since = self.backend.last_error_date
        self.assertTrue(failing_since)
        activity = self.failure_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.billing_manager)
        self.assertIn("invalid token", activity.note)

        adapter.failures = {0: ProviderAuthError("403 Forbidden: wrong account", 403)}
        second = self.sync()
        self.assertEqual(second.state, "failed")
        self.assertEqual(self.failure_activities(), activity, "one activity, reused")
        self.assertIn("wrong account", activity.note)
        self.assertEqual(self.backend.last_error_date, failing_since)

        third = self.sync()
        self.assertEqual(third.state, "done")
        self.assertFalse(self.backend.last_error)
        self.assertFalse(self.backend.last_error_date)
        self.assertFalse(self.failure_activities())
        self.assertFalse(activity.active, "marked done, not deleted")

    def test_quota_pauses_until_the_provider_allows_again(self):
        adapter = FakeAdapter(
            pages_of(1, 1),
            failures={1: ProviderQuotaExceeded("hourly quota used", 402, 900)},
        )
        self.use_adapter(adapter)
        cron = self.env.ref("time_billing_bridge.ir_cron_time_billing_sync")
        with freeze_time("2026-03-05 10:00:00"):
            run = self.sync()
        self.assertEqual(run.state, "partial")
        self.assertIn("Paused until 2026-03-05 10:15:00 UTC", run.message)
        self.assertIn("hourly quota used", run.message)
        self.assertEqual(self.backend.next_sync_date, datetime(2026, 3, 5, 10, 15))
        self.assertFalse(self.backend.last_error, "not a failure of the backend")
        self.assertFalse(self.failure_activities())
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "=", "2026-03-05 10:15:00")]
        )
        self.assertEqual(len(trigger), 1)
        self.assertEqual(self.backend.sync_resume_token, "1")

    def test_page_overlapping_a_concurrent_import_is_retried(self):
        """A webhook committed an entry after this transaction's snapshot:
        the page is imported again in a new transaction, not duplicated."""
        self.process(make_entry(2))  # as if from a webhook
        adapter = FakeAdapter([Page(entries=[make_entry(1), make_entry(2)])])
        self.use_adapter(adapter)
        importer = type(self.env["time.billing.importer"])
        fetch_existing = importer._fetch_existing
        calls = []

        def stale_snapshot_once(self_, backend, incoming):
            calls.append(1)
            if len(calls) == 1:
                return {}  # what a snapshot older than the webhook sees
            return fetch_existing(self_, backend, incoming)

        self.patch(importer, "_fetch_existing", stale_snapshot_once)
        run = self.sync()
        self.assertEqual(len(calls), 2)
        self.assertEqual(run.state, "done")
        self.assertEqual((run.created_count, run.unchanged_count), (1, 1))
        self.assertEqual(run.page_count, 1)
        self.assertEqual(self.backend.entry_count, 2)

    def test_unexpected_error_is_recorded(self):
        adapter = FakeAdapter(pages_of(1, 1))
        self.use_adapter(adapter)
        importer = type(self.env["time.billing.importer"])
        original = importer._import_page
        calls = []

        def failing_second_page(self_, backend, page, run, **kwargs):
            calls.append(page)
            result = original(self_, backend, page, run, **kwargs)
            if len(calls) == 2:
                raise ValueError("boom")
            return result

        with (
            patch.object(importer, "_import_page", failing_second_page),
            mute_logger("odoo.addons.time_billing_bridge.models.time_billing_backend"),
        ):
            run = self.sync()
        self.assertEqual(run.state, "partial")
        self.assertIn("unexpected error: boom", run.message)
        # The second page was rolled back entirely, the first one stays.
        self.assertEqual(self.backend.entry_count, 1)
        self.assertEqual(run.page_count, 1)
        self.assertEqual(self.backend.sync_resume_token, "1")

    def test_a_second_worker_cannot_sync_the_same_backend(self):
        adapter = FakeAdapter(pages_of(1, 1))
        self.use_adapter(adapter)
        key = self.backend._sync_lock_key()
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            # Another worker holds the lock: Sync Now refuses, nothing runs.
            other.execute("SELECT pg_try_advisory_lock(%s)", [key])
            self.assertTrue(other.fetchone()[0])
            with self.assertRaisesRegex(UserError, "being synchronised right now"):
                self.sync()
            self.assertEqual(adapter.calls, [])
            # ... and the scheduled synchronisation skips it.
            self.assertFalse(self.sync(trigger="cron"))
            other.execute("SELECT pg_advisory_unlock(%s)", [key])

            # While we synchronise, the lock is held, across page commits.
            seen = []

            def probe(_index):
                other.execute("SELECT pg_try_advisory_lock(%s)", [key])
                seen.append(other.fetchone()[0])

            adapter.on_page = probe
            run = self.sync()
            self.assertEqual(run.state, "done")
            self.assertEqual(seen, [False, False])
            # Released at the end.
            other.execute("SELECT pg_try_advisory_lock(%s)", [key])
            self.assertTrue(other.fetchone()[0])
            other.execute("SELECT pg_advisory_unlock(%s)", [key])
        finally:
            other.close()

    def test_lock_is_released_when_the_transaction_breaks(self):
        adapter = FakeAdapter(pages_of(1))
        self.use_adapter(adapter)
        backend_class = type(self.env["time.billing.backend"])
        key = self.backend._sync_lock_key()

        def broken_transaction(self_, trigger):
            self_.env.cr.execute("SELECT 1/0")

        self.patch(backend_class, "_sync_locked", broken_transaction)
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.DivisionByZero),
                self.enter_registry_test_mode(),
                self.registry.cursor() as cr,
            ):
                self.backend.with_env(self.env(cr=cr))._sync("manual")
            # The test cursor rolled back: the lock is free again.
            other.execute("SELECT pg_try_advisory_lock(%s)", [key])
            self.assertTrue(other.fetchone()[0])
            other.execute("SELECT pg_advisory_unlock(%s)", [key])
        finally:
            other.close()

    def test_paused_run_continues_in_the_next_call(self):
        adapter = FakeAdapter(pages_of(1, 1, 1))
        self.use_adapter(adapter)
        backend_class = type(self.env["time.billing.backend"])
        original = backend_class._commit_sync_progress
        budget = {"left": 3}

        def commit_with_budget(self_):
            original(self_)
            budget["left"] -= 1
            return max(budget["left"], 0) * 1.0

        # The cron's time slice ends after the first page.
        with patch.object(backend_class, "_commit_sync_progress", commit_with_budget):
            budget["left"] = 2
            run = self.sync(trigger="cron")
        self.assertEqual(run.state, "running")
        self.assertEqual(run.page_count, 1)
        self.assertEqual(self.backend.sync_resume_run_id, run)
        self.assertTrue(self.backend.next_sync_date <= fields.Datetime.now())
        again = self.sync(trigger="cron")
        self.assertEqual(again, run, "the same run continues")
        self.assertEqual(run.state, "done")
        self.assertEqual((run.page_count, run.created_count), (3, 3))
        self.assertIn("Continued after page 1", run.message)
        self.assertEqual(adapter.calls[-1]["resume_token"], "1")

    def test_billing_users_may_sync_now(self):
        adapter = FakeAdapter(pages_of(2))
        self.use_adapter(adapter)
        run = self.sync(user=self.billing_user)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.created_count, 2)
        lines = self.backend.entry_ids.timesheet_id
        self.assertEqual(lines.employee_id, self.employee_senior)
        # The button opens the run it made.
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            backend = self.backend.with_env(self.env(cr=cr, user=self.billing_user))
            action = backend.action_sync_now()
        self.assertEqual(action["res_model"], "time.billing.sync.run")
        self.assertEqual(action["res_id"], self.backend.sync_run_ids[:1].id)
        self.assertEqual(len(self.backend.sync_run_ids), 2)

    def test_check_connection(self):
        adapter = FakeAdapter()
        self.use_adapter(adapter)
        action = self.backend.action_check_connection()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["message"], "Fake account 42")
        adapter.connection_error = ProviderAuthError("invalid token", 401)
        with self.assertRaisesRegex(
            UserError, "Connection to .* failed: invalid token"
        ):
            self.backend.action_check_connection()

    def test_adapter_config_carries_the_backend_settings(self):
        self.backend.write({"api_url": "http://127.0.0.1:9/v2", "account_ref": "77"})
        self.company.email = "billing@firm.example"
        config = self.backend.sudo()._get_adapter_config()
        self.assertEqual(config.api_url, "http://127.0.0.1:9/v2")
        self.assertEqual(config.api_token, "token-import-test")
        self.assertEqual(config.account_ref, "77")
        self.assertIn("billing@firm.example", config.user_agent)

    def test_file_backends_have_no_connection(self):
        files = self.env["time.billing.backend"].create(
            {"name": "Spreadsheets", "provider": "csv"}
        )
        with self.assertRaisesRegex(UserError, "receives files"):
            files.action_check_connection()
        with self.assertRaisesRegex(UserError, "receives files"):
            files.action_sync()
        self.assertFalse(files.sync_run_ids)


@tagged("post_install", "-at_install")
class TestSyncCron(ImportCommon):
    def test_cron_syncs_due_backends_in_their_company(self):
        company_b, sam_b, project_b, backend_b = self.setup_company_b("cron", "8")
        not_due = self.env["time.billing.backend"].create(
            {
                "name": "Later",
                "provider": "harvest",
                "account_ref": "9",
                "next_sync_date": fields.Datetime.now() + timedelta(hours=1),
            }
        )
        disabled = self.env["time.billing.backend"].create(
            {
                "name": "Off",
                "provider": "harvest",
                "account_ref": "10",
                "sync_interval_minutes": 0,
            }
        )
        files = self.env["time.billing.backend"].create(
            {"name": "Files (cron)", "provider": "csv"}
        )
        adapters = {
            self.backend.id: FakeAdapter(pages_of(2)),
            backend_b.id: FakeAdapter(pages_of(1, start=50)),
            not_due.id: FakeAdapter(pages_of(1)),
            disabled.id: FakeAdapter(pages_of(1)),
            files.id: FakeAdapter(pages_of(1)),
        }
        self.use_adapter(FakeAdapter())
        self.patch(
            type(self.env["time.billing.backend"]),
            "_get_adapter",
            lambda backend: adapters[backend.id],
        )
        with patch.dict(ADAPTERS, {"harvest": FakeAdapter}):
            with self.enter_registry_test_mode():
                cron = self.env.ref("time_billing_bridge.ir_cron_time_billing_sync")
                cron.method_direct_trigger()
        self.assertTrue(adapters[self.backend.id].calls)
        self.assertTrue(adapters[backend_b.id].calls)
        self.assertFalse(adapters[not_due.id].calls)
        self.assertFalse(adapters[disabled.id].calls)
        self.assertFalse(adapters[files.id].calls)
        run_b = backend_b.sync_run_ids
        self.assertEqual(run_b.trigger, "cron")
        self.assertEqual(run_b.state, "done")
        line = self.entry(50, backend=backend_b).timesheet_id
        self.assertEqual(line.company_id, company_b)
        self.assertEqual(line.employee_id, sam_b)
        self.assertEqual(line.project_id, project_b)
        self.assertEqual(self.backend.entry_count, 2)
        self.assertTrue(backend_b.next_sync_date > fields.Datetime.now())
