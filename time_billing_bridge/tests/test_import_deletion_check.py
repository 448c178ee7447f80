# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time deleted at a source without a deletion feed (Harvest, Clockify,
Tempo, Clio, ClickUp): the daily re-read of the backend's window, through
the real adapters over HTTP against the local fakes. The checks shared by
every provider are in :mod:`.common_deletion_check`."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..providers import get_adapter_class
from .common_deletion_check import DeletionCheckCase, PersonByPersonChecks
from .common_import import ImportCommon
from .fakes import (
    FakeClickUp,
    FakeClio,
    FakeClockify,
    FakeHarvest,
    FakeHubstaff,
    FakeMonday,
    FakeTempo,
)


@tagged("post_install", "-at_install")
class TestDeletionCheckHarvest(DeletionCheckCase):
    fake_class = FakeHarvest
    provider = "harvest"

    def test_once_a_day_and_off_at_zero(self):
        record = self.add(2)
        first = self.sync()
        self.assertIn("Deleted time checked", first.message)
        self.fake.delete(record["id"])
        # Checked less than a day ago: not again.
        second = self.sync()
        self.assertNotIn("Deleted time checked", second.message)
        self.assertEqual(self.entry(record["id"]).state, "imported")
        self.backend.deletion_check_days = 0
        self.check_due()
        third = self.sync()
        self.assertNotIn("Deleted time", third.message)
        self.assertEqual(self.entry(record["id"]).state, "imported")
        self.assertFalse(self.backend.deletion_check_date)

    @mute_logger(
        "odoo.addons.time_billing_bridge.models.time_billing_backend.reconcile"
    )
    def test_source_suddenly_listing_nothing_is_refused(self):
        records = [self.add(1 + index % 20) for index in range(24)]
        self.sync()
        for record in records[:21]:
            self.fake.delete(record["id"])
        self.check_due()
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertIn("Deleted time not removed", run.message)
        self.assertIn("no longer lists 21 of the 24 entries", run.message)
        self.assertEqual(run.deleted_count, 0)
        self.assertEqual(self.backend.entry_ids.mapped("state"), ["imported"] * 24)
        self.assertIn("Deleted time not removed", self.backend.message_ids[0].body)
        # Checked (and refused) today: not again before tomorrow.
        self.assertTrue(self.backend.deletion_check_date)


@tagged("post_install", "-at_install")
class TestDeletionCheckClockify(PersonByPersonChecks, DeletionCheckCase):
    fake_class = FakeClockify
    provider = "clockify"


@tagged("post_install", "-at_install")
class TestDeletionCheckTempo(DeletionCheckCase):
    fake_class = FakeTempo
    provider = "tempo"


@tagged("post_install", "-at_install")
class TestDeletionCheckClio(DeletionCheckCase):
    fake_class = FakeClio
    provider = "clio"


@tagged("post_install", "-at_install")
class TestDeletionCheckClickUp(PersonByPersonChecks, DeletionCheckCase):
    fake_class = FakeClickUp
    provider = "clickup"


@tagged("post_install", "-at_install")
class TestDeletionCheckFeeds(ImportCommon):
    def test_only_sources_without_a_deletion_feed_are_read_again(self):
        checked = {
            provider
            for provider in ("harvest", "toggl", "clockify", "tempo", "clio")
            + ("clickup", "quickbooks_time")
            if get_adapter_class(provider).lists_present_entries
        }
        self.assertEqual(checked, {"harvest", "clockify", "tempo", "clio", "clickup"})
        self.backend.provider = "csv"
        self.assertFalse(self.backend.checks_deletions)


@tagged("post_install", "-at_install")
class TestDeletionCheckMonday(DeletionCheckCase):
    fake_class = FakeMonday
    provider = "monday"

    def external_id(self, record):
        return self.fake.external_id(record)


@tagged("post_install", "-at_install")
class TestDeletionCheckHubstaff(DeletionCheckCase):
    """A Hubstaff entry is a person's day on a task: it is gone when all of
    that day's time is."""

    fake_class = FakeHubstaff
    provider = "hubstaff"

    def external_id(self, record):
        task = record["task_id"] or 0
        return f"{record['user_id']}:{record['project_id']}:{task}:{record['date']}"
