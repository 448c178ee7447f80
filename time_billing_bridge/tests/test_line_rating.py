# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Pricing timesheet lines against their contract, in the database."""

from datetime import date, datetime, time

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from .common_rating import RatingCommon


@tagged("post_install", "-at_install")
class TestRating(RatingCommon):
    def test_typed_time_is_priced(self):
        line = self._line(hours=1.03)
        self.assertEqual(line.billing_contract_id, self.contract)
        self.assertEqual(line.unit_amount, 1.03)  # the raw time stays
        self.assertEqual(self._priced(line), (1.1, 100.0, 110.0))
        self.assertEqual(line.billing_period_start, date(2026, 3, 1))
        self.assertEqual(
            line.billing_note,
            "Rate $\xa0100.00 (contract default); 01:02 h rounded up to 01:06 h "
            "(6-minute steps)",
        )
        self.assertFalse(line.billing_hold_reason)
        line.unit_amount = 2
        self.assertEqual(self._priced(line), (2.0, 100.0, 200.0))
        self.assertEqual(line.billing_note, "Rate $\xa0100.00 (contract default)")

    def test_precedence_and_note(self):
        senior = self.employee_senior
        self._rule(job_id=self.job_senior.id, rate=280)
        self._rule(employee_id=senior.id, rate=300)
        self._rule(
            employee_id=senior.id,
            task_id=self.task_hearing.id,
            rate=220,
            date_from="2026-01-01",
        )
        self._rule(task_id=self.task_travel.id, rate=90)
        hearing = self._line(task_id=self.task_hearing.id)
        travel = self._line(task_id=self.task_travel.id)
        junior_travel = self._line(
            employee=self.employee_junior, task_id=self.task_travel.id
        )
        junior = self._line(employee=self.employee_junior)
        self.assertEqual(
            [line.billing_rate for line in (hearing, travel, junior_travel, junior)],
            [220, 300, 90, 100],
        )
        self.assertEqual(
            hearing.billing_note,
            "Rate $\xa0220.00 from 'Sam Senior on Hearing preparation' "
            "(valid from 01/01/2026)",
        )
        self.assertEqual(travel.billing_note, "Rate $\xa0300.00 from 'Sam Senior'")

    def test_role_follows_the_date_of_the_entry(self):
        self._rule(job_id=self.job_junior.id, rate=150)
        self._rule(job_id=self.job_senior.id, rate=250)
        junior = self.employee_junior
        # The first version is dated when the employee was created: move it
        # back so that spring is covered by the junior role.
        junior.version_ids.date_version = date(2025, 1, 1)
        junior.create_version(
            {"date_version": date(2026, 6, 1), "job_id": self.job_senior.id}
        )
        before = self._line(employee=junior, day="2026-05-29")
        after = self._line(employee=junior, day="2026-06-01")
        self.assertEqual((before.billing_rate, after.billing_rate), (150, 250))

    def test_date_effective_rows(self):
        senior = self.employee_senior
        self._rule(employee_id=senior.id, rate=200, date_to="2026-06-30")
        self._rule(employee_id=senior.id, rate=230, date_from="2026-07-01")
        last_day = self._line(day="2026-06-30")
        next_day = self._line(day="2026-07-01")
        self.assertEqual((last_day.billing_rate, next_day.billing_rate), (200, 230))
        self.assertEqual(
            last_day.billing_note,
            "Rate $\xa0200.00 from 'Sam Senior' (valid until 06/30/2026)",
        )

    def test_note_in_the_language_of_whoever_logs_the_time(self):
        euro = self._enable_currency("EUR")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.contract.write({"currency_id": euro.id})
        self._rule(employee_id=self.employee_senior.id, rate=1200, date_to="2026-06-30")
        line = (
            self.env["account.analytic.line"]
            .with_context(lang="fr_FR")
            .create(
                {
                    "name": "Audit",
                    "employee_id": self.employee_senior.id,
                    "project_id": self.project.id,
                    "date": "2026-06-30",
                    "unit_amount": 1.0,
                }
            )
        )
        # French writes 1 200,00 € (narrow spaces) and the day first.
        note = line.billing_note.replace("\u202f", " ").replace("\xa0", " ")
        self.assertIn("1 200,00 €", note)
        self.assertIn("30/06/2026", note)

    def test_non_billable_task_and_source(self):
        rule = self._rule(task_id=self.task_travel.id, billable=False)
        travel = self._line(hours=3, task_id=self.task_travel.id)
        self.assertEqual(travel.billing_state, "non_billable")
        self.assertEqual(self._priced(travel), (0, 0, 0))
        self.assertEqual(travel.billing_note, "Not billable: rate card line 'Travel'")
        # Making travel billable again prices the line and hands it back to
        # routing.
        rule.write({"billable": True, "rate": 80})
        self.assertNotEqual(travel.billing_state, "non_billable")
        self.assertEqual(self._priced(travel), (3, 80, 240))
        untracked = self._line(billing_source_billable=False)
        self.assertEqual(untracked.billing_state, "non_billable")
        untracked.billing_source_billable = True
        self.assertEqual(untracked.billing_amount, 100)

    def test_public_holiday_from_the_company_calendar(self):
        self.contract.holiday_multiplier = 2.0
        calendar = self.employee_senior.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC")

        def utc(day, moment):
            local = tz.localize(datetime.combine(day, moment))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        holiday = date(2026, 3, 4)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": False,
                "company_id": self.company.id,
                "date_from": utc(holiday, time.min),
                "date_to": utc(holiday, time(23, 59, 59)),
                "resource_id": False,
            }
        )
        # Someone's own time off is not a public holiday.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Personal",
                "calendar_id": calendar.id,
                "date_from": utc(date(2026, 3, 5), time.min),
                "date_to": utc(date(2026, 3, 5), time(23, 59, 59)),
                "resource_id": self.employee_senior.resource_id.id,
            }
        )
        lines = [
            self._line(day=day) for day in ("2026-03-03", "2026-03-04", "2026-03-05")
        ]
        self.assertEqual([line.billing_amount for line in lines], [100, 200, 100])
        self.assertEqual(
            lines[1].billing_note,
            "Rate $\xa0100.00 (contract default); Public holiday ×2",
        )

    def test_weekend_and_daily_overtime_follow_the_order_of_entries(self):
        self.contract.write(
            {
                "weekend_multiplier": 1.5,
                "overtime_daily_hours": 8,
                "overtime_multiplier": 1.25,
            }
        )
        first = self._line(hours=5)
        second = self._line(hours=4)
        other_person = self._line(hours=4, employee=self.employee_junior)
        saturday = self._line(hours=2, day="2026-03-07")
        self.assertEqual(first.billing_amount, 500)
        # 3 h normal, then 1 h beyond 8 h that day: 300 + 125.
        self.assertEqual(second.billing_amount, 425)
        self.assertEqual(
            second.billing_note,
            "Rate $\xa0100.00 (contract default); Overtime ×1.25 on 01:00 h "
            "(beyond 08:00 h a day)",
        )
        self.assertEqual(other_person.billing_amount, 400)
        self.assertEqual(saturday.billing_amount, 300)
        # Shortening the first entry frees room for the second, which is
        # priced again although it was not edited.
        first.unit_amount = 4
        self.assertEqual(second.billing_amount, 400)
        # Deleting it does too.
        first.unit_amount = 6
        self.assertEqual(second.billing_amount, 450)
        first.unlink()
        self.assertEqual(second.billing_amount, 400)

    def test_currency_rounding_of_the_contract(self):
        yen = self._enable_currency("JPY")
        self.contract.write({"currency_id": yen.id, "default_rate": 3333})
        line = self._line(hours=0.1)
        self.assertEqual(line.billing_currency_id, yen)
        self.assertEqual(line.billing_amount, 333)
        self.assertEqual(line.billing_note, "Rate ¥\xa03,333 (contract default)")

    def test_discount(self):
        self.contract.discount = 12.5
        line = self._line(hours=1.03)
        self.assertEqual(self._priced(line), (1.1, 100, 96.25))
        self.assertTrue(line.billing_note.endswith("; Discount 12.5%"))


@tagged("post_install", "-at_install")
class TestRerating(RatingCommon):
    def test_rate_change_reprices_open_time_only(self):
        rule = self._rule(employee_id=self.employee_senior.id, rate=200)
        open_line, approved, invoiced, rejected = (
            self._line(hours=2) for _ in range(4)
        )
        self._set_billing_state(approved, "approved")
        self._set_billing_state(invoiced, "invoiced")
        self._set_billing_state(rejected, "rejected")
        self.assertEqual(self.contract.rerate_line_count, 1)
        rule.rate = 250
        self.assertEqual(open_line.billing_amount, 500)
        self.assertEqual(approved.billing_amount, 400)
        self.assertEqual(invoiced.billing_amount, 400)
        self.assertEqual(rejected.billing_amount, 400)
        self.assertEqual(approved.billing_state, "approved")
        # A new dated row, the contract's default, a deleted row: the same.
        rule.date_to = "2026-02-28"
        self.assertEqual(open_line.billing_amount, 200)
        self.assertEqual(approved.billing_amount, 400)
        rule.unlink()
        self.contract.default_rate = 120
        self.assertEqual(open_line.billing_amount, 240)
        self.assertEqual(approved.billing_amount, 400)
        # Editing the rejected line prices it again.
        rejected.unit_amount = 1
        self.assertEqual(rejected.billing_amount, 120)

    def test_form_announces_how_many_lines_saving_reprices(self):
        self._line()
        self._line(employee=self.employee_junior)
        self._set_billing_state(self._line(), "approved")
        with Form(self.contract) as form:
            self.assertFalse(form.rerate_pending)
            self.assertEqual(form.rerate_line_count, 2)
            form.default_rate = 150
            self.assertTrue(form.rerate_pending)
            form.default_rate = 100
            self.assertFalse(form.rerate_pending)
            with form.rate_rule_ids.new() as rule:
                rule.job_id = self.job_junior
                rule.rate = 90
            self.assertTrue(form.rerate_pending)
        junior = self.contract.timesheet_ids.filtered(
            lambda line: line.employee_id == self.employee_junior
        )
        self.assertEqual(junior.billing_amount, 90)

    def test_action_rerate(self):
        line = self._line()
        # Prices written behind the contract's back are put right.
        line._billing_write({"billing_rate": 1, "billing_amount": 1})
        action = self.contract.action_rerate()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("1 open time lines", action["params"]["message"])
        self.assertEqual(line.billing_amount, 100)

    def test_contract_picks_up_time_logged_before_it_existed(self):
        project = self.env["project.project"].create({"name": "Later"})
        line = self._create_timesheet(project=project, name="Early work")
        self.assertFalse(line.billing_contract_id)
        contract = self.env["time.billing.contract"].create(
            {
                "name": "Late contract",
                "partner_id": self.client_b.id,
                "project_ids": [Command.set(project.ids)],
                "date_start": "2026-01-01",
                "default_rate": 75,
            }
        )
        self.assertEqual(line.billing_contract_id, contract)
        self.assertEqual(line.billing_amount, 75)

    def test_time_leaving_the_contract_loses_its_price(self):
        line = self._line(hours=2, day="2026-01-15")
        self.assertEqual(line.billing_amount, 200)
        self.contract.date_start = "2026-02-01"
        self.assertFalse(line.billing_contract_id)
        self.assertEqual((line.billable_hours, line.billing_amount), (0, 0))
        self.assertFalse(line.billing_period_start)
        # Moving the engagement's start back brings it in again.
        self.contract.date_start = "2026-01-01"
        self.assertEqual(line.billing_contract_id, self.contract)
        self.assertEqual(line.billing_amount, 200)
        self.assertEqual(line.billing_period_start, date(2026, 1, 1))

    def test_batch_query_count_is_bounded(self):
        self.contract.write(
            {
                "cap_type": "amount",
                "cap_value": 100000,
                "overtime_daily_hours": 8,
                "overtime_multiplier": 1.5,
                "holiday_multiplier": 2,
            }
        )
        self._rule(job_id=self.job_senior.id, rate=200)

        def queries_to_rate(count):
            lines = self.env["account.analytic.line"].browse(
                [self._line(day=f"2026-04-{1 + n % 28:02d}").id for n in range(count)]
            )
            lines._billing_write({"billable_hours": 0, "billing_amount": 0})
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            lines._billing_rate()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        small, large = queries_to_rate(3), queries_to_rate(30)
        # Reads are batched per step, not per line; updates are grouped by
        # identical values (here every line has the same price).
        self.assertLessEqual(large, small + 2)
        self.assertLessEqual(small, 25)


@tagged("post_install", "-at_install")
class TestCapsAndRetainer(RatingCommon):
    def test_period_cap_crossed_inside_one_entry_is_written_off(self):
        self.contract.write(
            {
                "cap_type": "hours",
                "cap_value": 10,
                "cap_scope": "period",
                "cap_action": "write_off",
            }
        )
        before = self._line(hours=8)
        crossing = self._line(hours=3, day="2026-03-03")
        after = self._line(hours=1, day="2026-03-04")
        april = self._line(hours=1, day="2026-04-01")
        self.assertEqual(self._priced(crossing), (2, 100, 200))
        self.assertEqual(
            crossing.billing_hold_reason,
            "Crosses the cap of 10:00 h per billing period (08:00 h used before): "
            "billed up to the cap, 01:00 h written off",
        )
        self.assertIn(crossing.billing_hold_reason, crossing.billing_note)
        self.assertEqual(self._priced(after), (0, 100, 0))
        self.assertEqual(
            after.billing_hold_reason,
            "Cap of 10:00 h per billing period reached before this entry: all of "
            "it written off (01:00 h)",
        )
        self.assertEqual(self._priced(april), (1, 100, 100))
        self.assertFalse(april.billing_hold_reason)
        with freeze_time("2026-03-20"):
            self.contract.invalidate_recordset()
            self.assertEqual(self.contract.cap_period_start, date(2026, 3, 1))
            self.assertEqual(self.contract.cap_consumed, 10)
            self.assertEqual(self.contract.cap_remaining, 0)
        # Shortening the first entry gives room back to the later ones.
        before.unit_amount = 6
        self.assertEqual(self._priced(crossing), (3, 100, 300))
        self.assertEqual(self._priced(after), (1, 100, 100))
        self.assertFalse(after.billing_hold_reason)

    def test_amount_cap_held_as_a_whole(self):
        self.contract.write(
            {"cap_type": "amount", "cap_value": 1000, "cap_action": "hold"}
        )
        approved = self._line(hours=8)
        self._set_billing_state(approved, "approved")
        crossing = self._line(hours=3, day="2026-03-03")
        self.assertEqual(self._priced(crossing), (3, 100, 300))
        self.assertEqual(
            crossing.billing_hold_reason,
            "Crosses the cap of $\xa01,000.00 ($\xa0800.00 used before): "
            "held as a whole "
            "for approval",
        )
        self.assertEqual(self.contract.cap_consumed, 1100)
        self.assertEqual(self.contract.cap_remaining, -100)
        self.assertEqual(self.contract.cap_percent, 110)
        # Raising the cap releases the hold.
        self.contract.cap_value = 2000
        self.assertFalse(crossing.billing_hold_reason)
        self.assertEqual(self.contract.cap_percent, 55)

    def test_retainer_alert_once_per_crossing(self):
        self.contract.write(
            {
                "billing_mode": "retainer",
                "retainer_size": 10,
                "retainer_unit": "hours",
                "retainer_alert_percent": 80,
                "retainer_exhausted_action": "flag",
            }
        )
        activity_type = self.env.ref(
            "time_billing_bridge.mail_act_time_billing_budget_alert"
        )

        def alerts():
            return self.contract.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )

        self._line(hours=5)
        self.assertFalse(alerts())
        big = self._line(hours=4, day="2026-03-03")
        self.assertEqual(len(alerts()), 1)
        self.assertEqual(alerts().user_id, self.billing_manager)
        self.assertEqual(alerts().summary, "Retainer 90% used")
        self.assertEqual(self.contract.retainer_remaining, 1)
        self.assertEqual(self.contract.retainer_percent, 90)
        beyond = self._line(hours=2, day="2026-03-04")
        self.assertEqual(len(alerts()), 1)  # still the same crossing
        self.assertEqual(beyond.billing_amount, 200)  # flag: billed hourly
        self.assertFalse(beyond.billing_hold_reason)
        self.assertEqual(
            beyond.billing_note,
            "Rate $\xa0100.00 (contract default); Retainer of 10:00 h used up: "
            "01:00 h beyond it billed hourly",
        )
        # Falling back under the alert level re-arms it.
        big.unlink()
        beyond.unlink()
        self.assertFalse(self.contract.retainer_alert_sent)
        self._line(hours=4, day="2026-03-05")
        self.assertEqual(len(alerts()), 2)

    def test_exhausted_retainer_stops(self):
        self.contract.write(
            {
                "billing_mode": "retainer",
                "retainer_size": 1000,
                "retainer_unit": "amount",
                "retainer_alert_percent": 0,
                "retainer_exhausted_action": "stop",
            }
        )
        inside = self._line(hours=9)
        crossing = self._line(hours=2, day="2026-03-03")
        self.assertFalse(inside.billing_hold_reason)
        self.assertEqual(
            crossing.billing_hold_reason,
            "Retainer of $\xa01,000.00 used up: held for approval "
            "($\xa0100.00 beyond it)",
        )
        alert_type = self.env.ref(
            "time_billing_bridge.mail_act_time_billing_budget_alert"
        )
        # The alert is disabled.
        self.assertNotIn(alert_type, self.contract.activity_ids.activity_type_id)


@tagged("post_install", "-at_install")
class TestRatingAccess(RatingCommon):
    def test_employee_logging_own_time_prices_it(self):
        """Pricing reads the whole contract, whoever logs the time."""
        user = new_test_user(
            self.env,
            login="tbb_timesheet_user",
            groups="hr_timesheet.group_hr_timesheet_user",
        )
        self.employee_junior.user_id = user
        self.contract.write(
            {"cap_type": "hours", "cap_value": 5, "cap_action": "write_off"}
        )
        self._line(hours=4)  # someone else's time, invisible to the user
        line = (
            self.env["account.analytic.line"]
            .with_user(user)
            .create(
                {
                    "name": "Own work",
                    "project_id": self.project.id,
                    "employee_id": self.employee_junior.id,
                    "date": "2026-03-03",
                    "unit_amount": 3,
                }
            )
        )
        self.assertEqual(line.sudo().billable_hours, 1)
