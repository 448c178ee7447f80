# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from ..tools.guard import pipeline_write
from .common_approval import ApprovalCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestBillingValidation(ApprovalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.harvest = cls.env["time.billing.backend"].create(
            {"name": "Harvest", "provider": "harvest", "account_ref": "1"}
        )
        cls.toggl = cls.env["time.billing.backend"].create(
            {"name": "Toggl Track", "provider": "toggl", "account_ref": "2"}
        )

    def _import(self, backend, external_id, start=False, end=False, **vals):
        """A line as the importer creates it: linked to its staging entry,
        which holds when the work started and ended if the source said so
        (ISO 8601, local time without an offset)."""
        with pipeline_write():
            return self._create_timesheet(
                billing_entry_ids=[
                    Command.create(
                        {
                            "backend_id": backend.id,
                            "external_id": external_id,
                            "payload": json.dumps({"id": external_id}),
                            "source_start": start,
                            "source_end": end,
                        }
                    )
                ],
                **vals,
            )

    def assertException(self, line, exception_type, message):
        self.assertEqual(line.billing_state, "exception")
        self.assertEqual(line.billing_exception_type, exception_type)
        self.assertEqual(line.billing_note, message)
        self.assertEqual(line.billing_amount, 0.0)
        self.assertEqual(line.billable_hours, 0.0)

    def test_valid_line_is_billed_in_the_period_of_its_date(self):
        line = self._create_timesheet(date="2026-03-02", hours=2.0)
        self.assertEqual(line.billing_contract_id, self.contract_a)
        self.assertEqual(line.billing_state, "approved")
        self.assertFalse(line.billing_exception_type)
        self.assertFalse(line.billing_warning)
        period = line.billing_period_id
        self.assertEqual(
            (period.date_from, period.date_to), (date(2026, 3, 1), date(2026, 3, 31))
        )
        self.assertEqual(period.display_name, "March 2026")
        other = self._create_timesheet(date="2026-03-31", hours=1.0)
        self.assertEqual(other.billing_period_id, period)
        self.assertEqual(
            self.env["time.billing.period"].search_count(
                [("contract_id", "=", self.contract_a.id)]
            ),
            1,
        )

    def test_outside_the_engagement_dates(self):
        with freeze_time("2027-02-01"):
            after = self._create_timesheet(date="2027-01-15")
        self.assertFalse(after.billing_contract_id)
        self.assertException(
            after,
            "no_contract",
            "No contract covers Project A on 01/15/2027 "
            "(contract 'Contract A' ends 12/31/2026)",
        )
        self.assertFalse(after.billing_period_id)
        before = self._create_timesheet(date="2025-12-20")
        self.assertException(
            before,
            "no_contract",
            "No contract covers Project A on 12/20/2025 "
            "(contract 'Contract A' starts 01/01/2026)",
        )
        # Moving the line into the engagement clears the exception.
        before.date = "2026-01-05"
        self.assertEqual(before.billing_state, "approved")
        # Pricing may explain the price in the note; the exception is gone.
        self.assertNotIn("No contract covers", before.billing_note or "")
        self.assertFalse(before.billing_exception_type)

    def test_closed_contract(self):
        self.contract_a.action_close()
        line = self._create_timesheet(date="2026-03-02")
        self.assertException(
            line,
            "no_contract",
            "No contract covers Project A on 03/02/2026 "
            "(contract 'Contract A' is closed)",
        )

    def test_project_without_contract_is_not_billing_business(self):
        line = self._create_timesheet(project=self.project_b, hours=0.0)
        self.assertFalse(line.billing_state)
        self.assertFalse(line.billing_note)
        self.assertFalse(line.billing_period_id)
        # Time moved off a contract's project leaves its billing behind.
        billed = self._create_timesheet(hours=2.0)
        self.assertEqual(billed.billing_state, "approved")
        billed.project_id = self.project_b
        self.assertFalse(billed.billing_contract_id)
        self.assertFalse(billed.billing_state)
        self.assertFalse(billed.billing_period_id)

    def test_durations(self):
        zero = self._create_timesheet(hours=0.0)
        self.assertException(
            zero, "duration", "Duration is zero: there is no time to bill."
        )
        negative = self._create_timesheet(hours=-1.5)
        self.assertException(
            negative,
            "duration",
            "Negative duration (-01:30 h): time cannot be billed below zero.",
        )
        too_long = self._create_timesheet(hours=25.0)
        self.assertException(
            too_long,
            "duration",
            "Duration of 25:00 h is longer than a day of 24 hours.",
        )
        full_day = self._create_timesheet(hours=24.0, date="2026-03-03")
        self.assertEqual(full_day.billing_state, "to_approve")  # above 8 h
        self.assertFalse(full_day.billing_exception_type)
        zero.unit_amount = 0.5
        self.assertEqual(zero.billing_state, "approved")

    def test_future_date_until_the_day_comes(self):
        line = self._create_timesheet(date="2026-04-13")
        self.assertException(
            line,
            "future_date",
            "Dated 04/13/2026, in the future: time is billed once it is worked.",
        )
        Line = self.env["account.analytic.line"]
        self.assertFalse(Line._billing_revalidate_due(date(2026, 4, 12)))
        with freeze_time("2026-04-13"):
            self.assertEqual(Line._billing_revalidate_due(), line)
        self.assertEqual(line.billing_state, "approved")
        self.assertEqual(line.billing_period_id.display_name, "April 2026")

    def test_late_entry_goes_to_the_next_open_period(self):
        march_line = self._create_timesheet(date="2026-03-10")
        march = march_line.billing_period_id
        march.action_close()
        self.assertEqual(march.state, "closed")
        late = self._create_timesheet(date="2026-03-14", hours=3.0)
        self.assertNotEqual(late.billing_state, "exception")
        self.assertEqual(late.billing_state, "approved")
        april = late.billing_period_id
        self.assertEqual(
            (april.date_from, april.date_to), (date(2026, 4, 1), date(2026, 4, 30))
        )
        self.assertEqual(
            late.billing_warning,
            "Late entry from 03/14/2026 (closed period March 2026), "
            "billed in April 2026",
        )
        # The line of the closed period stays where it was.
        self.assertEqual(march_line.billing_period_id, march)
        # April closes too: the next late entry goes to May.
        april.action_close()
        later = self._create_timesheet(date="2026-03-20")
        self.assertEqual(
            later.billing_warning,
            "Late entry from 03/20/2026 (closed period March 2026), billed in May 2026",
        )
        # Reopening March brings an edited line back to its own period.
        march.with_user(self.billing_manager).action_reopen()
        later.unit_amount = 1.5
        self.assertEqual(later.billing_period_id, march)
        self.assertFalse(later.billing_warning)

    def test_late_entry_without_an_open_period_left(self):
        self.contract_a.date_end = "2026-03-31"
        self._create_timesheet(date="2026-03-02").billing_period_id.action_close()
        late = self._create_timesheet(date="2026-03-14")
        self.assertException(
            late,
            "closed_period",
            "Late entry from 03/14/2026 (closed period March 2026): contract "
            "'Contract A' has no open period left to bill it in.",
        )

    def test_periods_follow_the_contract_rhythm(self):
        self.contract_a.billing_period = "weekly"
        line = self._create_timesheet(date="2026-03-11")  # a Wednesday
        period = line.billing_period_id
        self.assertEqual(
            (period.date_from, period.date_to), (date(2026, 3, 9), date(2026, 3, 15))
        )
        self.assertEqual(period.display_name, "Week 11, 2026")
        # Back to monthly: March starts after the week that already exists.
        self.contract_a.billing_period = "monthly"
        before = self._create_timesheet(date="2026-03-03")
        after = self._create_timesheet(date="2026-03-20")
        self.assertEqual(
            (before.billing_period_id.date_from, before.billing_period_id.date_to),
            (date(2026, 3, 1), date(2026, 3, 8)),
        )
        self.assertEqual(
            (after.billing_period_id.date_from, after.billing_period_id.date_to),
            (date(2026, 3, 16), date(2026, 3, 31)),
        )

    def test_same_work_from_two_sources_is_billed_once(self):
        imported = self._import(self.harvest, "h-1", hours=1.5, name="Design review")
        self.assertEqual(imported.billing_state, "approved")
        typed = self._create_timesheet(hours=1.5, name="design  REVIEW")
        self.assertException(
            typed,
            "duplicate",
            f"Duplicate of line #{imported.id} imported from Harvest",
        )
        self.assertEqual(typed.billing_duplicate_of_id, imported)
        # The other way round: typed first, imported second.
        first = self._create_timesheet(date="2026-03-03", hours=2.0, name="Audit")
        second = self._import(
            self.toggl, "t-9", date="2026-03-03", hours=2.0, name="Audit"
        )
        self.assertException(
            second, "duplicate", f"Duplicate of line #{first.id} entered in Odoo"
        )
        # Two identical entries from one source are two pieces of work.
        again = self._create_timesheet(date="2026-03-03", hours=2.0, name="Audit")
        self.assertEqual(again.billing_state, "approved")
        # Another duration is other work.
        longer = self._import(
            self.toggl, "t-10", date="2026-03-03", hours=2.5, name="Audit"
        )
        self.assertEqual(longer.billing_state, "approved")

    def test_duplicate_is_released_when_its_original_changes_or_goes(self):
        # 9 h waits for approval (above 8 h): the lines stay open to changes.
        imported = self._import(self.harvest, "h-2", hours=9.0, name="Call")
        typed = self._create_timesheet(hours=9.0, name="Call")
        self.assertEqual(typed.billing_state, "exception")
        imported.name = "Call with the client's CFO"
        self.assertEqual(typed.billing_state, "to_approve")
        self.assertFalse(typed.billing_duplicate_of_id)
        imported.name = "Call"  # the import repeats the typed line now
        self.assertException(
            imported, "duplicate", f"Duplicate of line #{typed.id} entered in Odoo"
        )
        typed.with_user(self.billing_manager).unlink()
        self.assertEqual(imported.billing_state, "to_approve")
        self.assertNotIn("Duplicate of", imported.billing_note or "")
        self.assertFalse(imported.billing_exception_type)

    def test_a_full_day_and_more_is_a_warning(self):
        morning = self._create_timesheet(hours=14.0, name="Migration")
        evening = self._create_timesheet(hours=11.0, name="Migration, night")
        self.assertEqual(
            evening.billing_warning,
            "Sam Senior logged 25:00 h on 03/02/2026: entries overlap.",
        )
        self.assertNotEqual(evening.billing_state, "exception")
        self.assertEqual(evening.billing_state, "to_approve")  # 11 h > 8 h
        self.assertFalse(morning.billing_warning)  # checked before the second
        other_day = self._create_timesheet(hours=11.0, date="2026-03-03")
        self.assertFalse(other_day.billing_warning)

    def test_overlapping_start_and_end_times_are_a_warning(self):
        def workshop(day):
            return self._import(
                self.toggl,
                f"t-{day}",
                start=f"{day}T09:00:00+00:00",
                end=f"{day}T11:00:00+00:00",
                date=day,
                hours=2.0,
                name="Workshop",
            )

        def notes(day):
            # Harvest gives local wall-clock time.
            return self._import(
                self.harvest,
                f"h-{day}",
                start=f"{day}T11:30:00",
                end=f"{day}T13:00:00",
                date=day,
                hours=1.5,
                name="Notes",
            )

        # In Brussels (UTC+1), 11:30 is 10:30 UTC: inside the workshop.
        self.employee_senior.tz = "Europe/Brussels"
        first = workshop("2026-03-02")
        second = notes("2026-03-02")
        self.assertEqual(
            second.billing_warning,
            f"Overlaps '{first.name}' (02:00 h) of the same person.",
        )
        self.assertEqual(second.billing_state, "approved")
        self.assertFalse(first.billing_warning)
        # In UTC the notes start after the workshop.
        self.employee_senior.tz = "UTC"
        workshop("2026-03-03")
        self.assertFalse(notes("2026-03-03").billing_warning)

    def test_people_who_only_log_time_run_the_pipeline(self):
        line = (
            self.env["account.analytic.line"]
            .with_user(self.sam)
            .create(
                {
                    "name": "Interview",
                    "project_id": self.project_a.id,
                    "employee_id": self.employee_senior.id,
                    "unit_amount": 9.0,
                    "date": "2026-03-02",
                }
            )
        )
        self.assertEqual(line.billing_contract_id, self.contract_a)
        self.assertEqual(line.billing_state, "to_approve")
        self.assertEqual(len(self._approval_activities()), 1)
