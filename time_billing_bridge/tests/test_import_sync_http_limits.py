# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Synchronisations against fake providers that misbehave: next links that
repeat or never end, waits longer than a web request should take."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..exceptions import ProviderError
from ..providers import get_adapter_class
from ..providers.base import AdapterConfig
from .common_providers import ProviderCase
from .fakes import FakeHarvest
from .test_import_sync_http import HttpSyncCase


@tagged("post_install", "-at_install")
class TestSyncPaging(HttpSyncCase):
    fake_class = FakeHarvest
    provider = "harvest"

    def test_a_repeated_next_link_stops_with_the_cursor(self):
        self.fake.generate(7, seed=3)
        self.fake.break_paging("time_entries", "repeat")
        run = self.sync()
        self.assertEqual(run.state, "partial")
        # The page whose next link repeats is not imported.
        self.assertEqual(run.page_count, 1)
        self.assertIn("same next page twice", run.message)
        cursor = self.fake.requests_to("/time_entries")[1].params["cursor"]
        self.assertIn(cursor, run.message)
        self.assertIn("same next page twice", self.backend.last_error)
        self.assertEqual(len(self.fake.requests_to("/time_entries")), 2)

    def test_a_listing_that_never_ends_stops_at_the_page_limit(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "time_billing_bridge.sync_max_pages", "4"
        )
        self.fake.generate(3, seed=3)
        self.fake.break_paging("time_entries", "endless")
        run = self.sync()
        self.assertEqual(run.state, "partial")
        self.assertEqual(run.page_count, 4)
        self.assertIn("more than 4 pages", run.message)
        self.assertIn("time_billing_bridge.sync_max_pages", run.message)
        self.assertEqual(len(self.fake.requests_to("/time_entries")), 5)


@tagged("post_install", "-at_install")
class TestSyncWaitsInRequest(HttpSyncCase):
    """Sync Now runs inside a web request: it never sleeps long there."""

    fake_class = FakeHarvest
    provider = "harvest"

    def setUp(self):
        super().setUp()
        self.fake.generate(5, seed=3)
        self.sleeps = []
        backend_class = type(self.env["time.billing.backend"])
        get_adapter = backend_class._get_adapter

        def recording_sleeps(backend, **config):
            adapter = get_adapter(backend, **config)
            adapter.http._sleep = self.sleeps.append
            return adapter

        self.patch(backend_class, "_get_adapter", recording_sleeps)
        # The first page and the users, then the provider asks to wait.
        self.fake.pass_next(2)

    def test_sync_now_hands_a_long_wait_to_the_background(self):
        cron = self.env.ref("time_billing_bridge.ir_cron_time_billing_sync")
        self.fake.fail_next(429, headers={"Retry-After": "120"})
        before = fields.Datetime.now()
        run = self.sync()
        after = fields.Datetime.now()
        self.assertFalse([wait for wait in self.sleeps if wait > 5], self.sleeps)
        self.assertEqual(run.state, "partial")
        self.assertEqual(run.page_count, 1)
        self.assertIn("continues in the background at", run.message)
        self.assertFalse(self.backend.last_error, "not a failure")
        self.assertEqual(self.backend.sync_resume_attempts, 0)
        # The resume point is kept, and the cron comes back when allowed.
        self.assertTrue(self.backend.sync_resume_token)
        resume_at = self.backend.next_sync_date
        self.assertTrue(
            before + timedelta(seconds=119)
            <= resume_at
            <= after + timedelta(seconds=121)
        )
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "=", resume_at)]
        )
        self.assertEqual(len(trigger), 1)
        # The background synchronisation continues after the imported page.
        self.fake.reset_log()
        again = self.sync(trigger="cron")
        self.assertEqual(again.state, "done")
        self.assertIn("cursor", self.fake.requests_to("/time_entries")[0].params)
        self.assertEqual(self.backend.entry_count, 5)

    def test_sync_now_waits_a_short_while_in_the_request(self):
        self.fake.fail_next(429, headers={"Retry-After": "3"})
        run = self.sync()
        self.assertEqual(self.sleeps, [3.0])
        self.assertEqual(run.state, "done")

    def test_the_scheduled_sync_may_wait_longer(self):
        self.fake.fail_next(429, headers={"Retry-After": "60"})
        run = self.sync(trigger="cron")
        self.assertEqual(self.sleeps, [60.0])
        self.assertEqual(run.state, "done")
        self.assertEqual(self.backend.entry_count, 5)


@tagged("post_install", "-at_install")
class TestAdapterPaging(ProviderCase):
    """Listings an adapter reads whole, without handing out pages."""

    provider = "harvest"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeHarvest())
        self.fake.generate(3, seed=1)

    def test_harvest_users_with_a_repeated_next_link(self):
        self.fake.break_paging("users", "repeat")
        adapter = self.make_adapter(self.fake)
        with self.assertRaisesRegex(ProviderError, "same next page twice"):
            list(adapter.iter_pages())
        self.assertEqual(len(self.fake.requests_to("/users")), 2)

    def test_harvest_users_that_never_end(self):
        self.fake.break_paging("users", "endless")
        adapter = self.make_adapter(self.fake, max_pages=3)
        with self.assertRaisesRegex(ProviderError, "more than 3 pages"):
            list(adapter.iter_pages())
        self.assertEqual(len(self.fake.requests_to("/users")), 4)

    def test_the_page_limit_is_generous_by_default(self):
        adapter = get_adapter_class("harvest")(AdapterConfig())
        self.assertEqual(adapter.config.max_pages, 10_000)
