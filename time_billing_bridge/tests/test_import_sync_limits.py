# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Limits of the synchronisation loops: waits a provider asks for, a backend
that fails inside the scheduled synchronisation, a page that keeps failing,
the size of a run's log and how long runs and webhook events are kept."""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..exceptions import ProviderQuotaExceeded
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
