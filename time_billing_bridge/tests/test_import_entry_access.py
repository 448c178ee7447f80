# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_import import ImportCommon, make_entry

BY_HAND = "Imported entries change only through their actions"


@tagged("post_install", "-at_install")
class TestEntriesChangeThroughTheirActions(ImportCommon):
    """Attack: edit a staging entry so that re-processing it rewrites
    somebody else's timesheet line; and its refusal."""

    def test_nobody_points_an_entry_at_another_line(self):
        # An entry waiting for a mapping, and somebody else's line.
        self.process(
            make_entry(
                1, user_ref="u-x", user_name="Nobody Known", user_email="x@example.com"
            )
        )
        waiting = self.entry(1)
        self.assertEqual(waiting.state, "exception")
        victim = self._create_timesheet(
            employee=self.employee_junior, date="2026-03-05", hours=2.0, name="Audit"
        )
        attacks = {
            "timesheet_id": victim.id,
            "hours": 40.0,
            "external_user_ref": "u-sam",
            "state": "imported",
            "payload": '{"id": 1, "hours": 40}',
        }
        self.billing_user.group_ids += self.env.ref(
            "hr_timesheet.group_hr_timesheet_approver"
        )
        for user in (self.billing_user, self.billing_manager, self.env.user):
            for fname, value in attacks.items():
                with (
                    self.subTest(user=user.login, field=fname),
                    self.assertRaisesRegex(UserError, BY_HAND),
                    self.env.cr.savepoint(),
                ):
                    waiting.with_user(user).write({fname: value})
        # Nor by creating an entry of one's own that points at the line.
        with self.assertRaisesRegex(UserError, BY_HAND):
            self.Entry.with_user(self.billing_manager).create(
                {
                    "backend_id": self.backend.id,
                    "external_id": "forged",
                    "state": "exception",
                    "timesheet_id": victim.id,
                }
            )
        # Re-processing still works, through the action, and leaves the line be.
        waiting.with_user(self.billing_user).action_reprocess()
        self.assertEqual(waiting.state, "exception")
        self.assertFalse(waiting.timesheet_id)
        self.assertEqual(
            (victim.unit_amount, victim.employee_id, victim.name),
            (2.0, self.employee_junior, "Audit"),
        )
