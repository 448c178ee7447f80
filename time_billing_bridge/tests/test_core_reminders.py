# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo.tests import BaseCase, tagged

from ..tools.reminders import (
    ReminderLevel,
    ReminderPlan,
    level_due_date,
    next_manual_level,
    next_reminder,
    plan_reminders,
)

INVOICED = date(2026, 3, 2)
DUE = date(2026, 4, 1)
EMAIL = ReminderLevel(1, 1, 25)  # day 25 after the invoice date
ESCALATION = ReminderLevel(2, 2, 35)  # day 35 after the invoice date
LEVELS = (EMAIL, ESCALATION)


def plan(today, handled=(), sent=(), levels=LEVELS):
    return plan_reminders(
        levels,
        invoice_date=INVOICED,
        due_date=DUE,
        handled=set(handled),
        sent=set(sent),
        today=today,
    )


@tagged("post_install", "-at_install")
class TestReminderPlan(BaseCase):
    def test_due_dates_count_from_the_invoice_or_the_due_date(self):
        self.assertEqual(level_due_date(EMAIL, INVOICED, DUE), date(2026, 3, 27))
        after_due = ReminderLevel(3, 3, 5, "due_date")
        self.assertEqual(level_due_date(after_due, INVOICED, DUE), date(2026, 4, 6))
        before_due = ReminderLevel(4, 4, -3, "due_date")
        self.assertEqual(level_due_date(before_due, INVOICED, DUE), date(2026, 3, 29))
        # Without a due date, the invoice date stands in.
        self.assertEqual(level_due_date(after_due, INVOICED, None), date(2026, 3, 7))
        with self.assertRaises(ValueError):
            level_due_date(ReminderLevel(5, 5, 1, "end_of_month"), INVOICED, DUE)

    def test_each_level_on_its_day_and_only_once(self):
        self.assertEqual(plan(date(2026, 3, 26)), ReminderPlan(None))
        self.assertEqual(plan(date(2026, 3, 27)), ReminderPlan(1))
        self.assertEqual(plan(date(2026, 3, 28), {1}, {1}), ReminderPlan(None))
        self.assertEqual(plan(date(2026, 4, 6), {1}, {1}), ReminderPlan(2))
        self.assertEqual(plan(date(2026, 9, 1), {1, 2}, {1, 2}), ReminderPlan(None))

    def test_several_levels_due_at_once_send_the_highest_and_skip_the_others(self):
        self.assertEqual(plan(date(2026, 5, 1)), ReminderPlan(2, (1,)))
        three = (*LEVELS, ReminderLevel(7, 3, 45))
        self.assertEqual(plan(date(2026, 5, 1), levels=three), ReminderPlan(7, (1, 2)))

    def test_a_reminder_never_goes_back_down(self):
        # A milder level added after the escalation was sent is skipped.
        late_mild = ReminderLevel(9, 1, 40)
        levels = (late_mild, ReminderLevel(2, 2, 35))
        self.assertEqual(
            plan(date(2026, 4, 11), {2}, {2}, levels=levels), ReminderPlan(None, (9,))
        )

    def test_next_reminder_for_the_invoice_form(self):
        kwargs = {"invoice_date": INVOICED, "due_date": DUE}
        self.assertEqual(
            next_reminder(
                LEVELS, handled=set(), sent=set(), today=date(2026, 3, 10), **kwargs
            ),
            (1, date(2026, 3, 27)),
        )
        self.assertEqual(
            next_reminder(
                LEVELS, handled={1}, sent={1}, today=date(2026, 3, 30), **kwargs
            ),
            (2, date(2026, 4, 6)),
        )
        # Overdue levels go out today: the highest of them.
        self.assertEqual(
            next_reminder(
                LEVELS, handled=set(), sent=set(), today=date(2026, 5, 1), **kwargs
            ),
            (2, date(2026, 5, 1)),
        )
        self.assertIsNone(
            next_reminder(
                LEVELS, handled={1, 2}, sent={2}, today=date(2026, 5, 1), **kwargs
            )
        )

    def test_send_now_takes_the_next_level_up(self):
        self.assertEqual(next_manual_level(LEVELS, handled=set(), sent=set()), 1)
        self.assertEqual(next_manual_level(LEVELS, handled={1}, sent={1}), 2)
        # Skipped levels below the one sent are not sent afterwards.
        self.assertIsNone(next_manual_level(LEVELS, handled={1, 2}, sent={2}))
        self.assertIsNone(next_manual_level((), handled=set(), sent=set()))
