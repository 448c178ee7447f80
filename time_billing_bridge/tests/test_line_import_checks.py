# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dataclasses import replace
from datetime import datetime

from odoo.tests import tagged

from .common_import import ImportCommon, make_entry


@tagged("post_install", "-at_install")
class TestBillingImportChecks(ImportCommon):
    """Billing checks on time arriving through the importer, which creates the
    lines before it links their staging entries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.toggl = cls.env["time.billing.backend"].create(
            {"name": "Toggl (import test)", "provider": "toggl", "account_ref": "7"}
        )

    def timed(self, external_id, start, stop, **values):
        """An entry whose source recorded its start and end (UTC)."""
        entry = make_entry(external_id, **values)
        return replace(
            entry,
            start=datetime.fromisoformat(start),
            end=datetime.fromisoformat(stop),
            raw={**entry.raw, "start": start, "stop": stop},
        )

    def test_imported_time_repeating_typed_time_is_a_duplicate(self):
        typed = self._create_timesheet(hours=1.5, name="Design review")
        self.process(make_entry(1))
        line = self.entry(1).timesheet_id
        self.assertEqual(line.billing_state, "exception")
        self.assertEqual(
            line.billing_note, f"Duplicate of line #{typed.id} entered in Odoo"
        )
        self.assertEqual(typed.billing_state, "to_approve")  # grace period

    def test_pages_of_one_source_are_not_duplicates_of_each_other(self):
        self.process(make_entry(1))
        self.process(make_entry(2))  # the same work logged twice in Harvest
        first, second = self.entry(1).timesheet_id, self.entry(2).timesheet_id
        self.assertEqual(
            (first.billing_state, second.billing_state), ("to_approve",) * 2
        )
        # The same entry arriving from Toggl too is a duplicate of the first.
        self.process(make_entry("t-1"), backend=self.toggl)
        from_toggl = self.entry("t-1", backend=self.toggl).timesheet_id
        self.assertEqual(from_toggl.billing_state, "exception")
        self.assertEqual(
            from_toggl.billing_note,
            f"Duplicate of line #{first.id} imported from Harvest (import test)",
        )

    def test_time_the_source_does_not_bill_is_not_billed(self):
        self.process(
            make_entry(1, billable=False),
            make_entry(2, description="Client call"),
        )
        free, billed = self.entry(1).timesheet_id, self.entry(2).timesheet_id
        self.assertEqual(free.billing_state, "non_billable")
        self.assertEqual((free.billable_hours, free.billing_amount), (0.0, 0.0))
        self.assertEqual(billed.billing_state, "to_approve")  # grace period
        self.assertGreater(billed.billing_amount, 0.0)
        # The source bills it after all: the next import prices it.
        self.process(make_entry(1, billable=True, updated_at=datetime(2026, 3, 3)))
        self.assertEqual(free.billing_state, "to_approve")
        self.assertEqual(free.billing_amount, billed.billing_amount)

    def test_overlapping_start_and_end_times_of_imported_time(self):
        self.process(
            self.timed(
                "t-1",
                "2026-03-02T09:00:00+00:00",
                "2026-03-02T11:00:00+00:00",
                hours=2.0,
                description="Workshop",
            ),
            backend=self.toggl,
        )
        self.process(
            self.timed(
                "t-2",
                "2026-03-02T10:30:00+00:00",
                "2026-03-02T12:00:00+00:00",
                hours=1.5,
                description="Notes",
            ),
            self.timed(
                "t-3",
                "2026-03-02T12:00:00+00:00",
                "2026-03-02T13:00:00+00:00",
                hours=1.0,
                description="Lunch talk",
            ),
            backend=self.toggl,
        )
        workshop = self.entry("t-1", backend=self.toggl).timesheet_id
        notes = self.entry("t-2", backend=self.toggl).timesheet_id
        talk = self.entry("t-3", backend=self.toggl).timesheet_id
        self.assertEqual(
            notes.billing_warning,
            f"Overlaps '{workshop.name}' (02:00 h) of the same person.",
        )
        self.assertFalse(talk.billing_warning)  # starts when the notes end
        self.assertEqual(notes.billing_state, "to_approve")
