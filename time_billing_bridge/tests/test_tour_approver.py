# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..const import ACTIVITY_APPROVAL


@tagged("post_install", "-at_install")
class TestTourApprover(HttpCase):
    """An approver, a billing user and nothing more, answers the activity that
    asks them to approve time: approves three entries from the list and rejects
    the fourth from its form, with a reason (tour
    ``time_billing_approver_reviews_time``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = new_test_user(
            cls.env,
            login="tbb_tour_approver",
            name="Alex Approver",
            groups="base.group_user,time_billing_bridge.group_time_billing_user",
            email="alex.approver@example.com",
        )
        other_approver = new_test_user(
            cls.env,
            login="tbb_tour_other_approver",
            name="Olga Other",
            groups="base.group_user,time_billing_bridge.group_time_billing_user",
        )
        client = cls.env["res.partner"].create(
            {"name": "Tour Client", "is_company": True, "email": "c@client.example"}
        )
        project, other_project = cls.env["project.project"].create(
            [
                {"name": "Tour Project", "partner_id": client.id},
                {"name": "Other Tour Project", "partner_id": client.id},
            ]
        )
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Tess Timesheet", "work_email": "tess@example.com"}
        )
        today = fields.Date.today()
        terms = {
            "partner_id": client.id,
            "date_start": today - timedelta(days=40),
            "default_rate": 100.0,
            "billing_period": "monthly",
            "approval_hours_threshold": 1.0,
            "state": "active",
        }
        cls.contract, other_contract = cls.env["time.billing.contract"].create(
            [
                {
                    **terms,
                    "name": "Tour Contract",
                    "project_ids": [Command.set(project.ids)],
                    "approver_id": cls.approver.id,
                },
                {
                    **terms,
                    "name": "Other Tour Contract",
                    "project_ids": [Command.set(other_project.ids)],
                    "approver_id": other_approver.id,
                },
            ]
        )
        # Every entry is above the 1 h threshold: all four wait for the approver.
        cls.lines = cls.env["account.analytic.line"].create(
            [
                {
                    "name": name,
                    "employee_id": cls.employee.id,
                    "project_id": project.id,
                    "date": today,
                    "unit_amount": hours,
                }
                for name, hours in (
                    ("Workshop", 2.0),
                    ("Design review", 3.0),
                    ("Client call", 1.5),
                    ("Travel to site", 4.0),
                )
            ]
        )
        # Time of a contract somebody else approves stays out of the way.
        cls.other_line = cls.env["account.analytic.line"].create(
            {
                "name": "Other work",
                "employee_id": cls.employee.id,
                "project_id": other_project.id,
                "date": today,
                "unit_amount": 5.0,
            }
        )

    def _approval_activities(self, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "time.billing.contract"),
                    ("res_id", "=", self.contract.id),
                    ("activity_type_id", "=", self.env.ref(ACTIVITY_APPROVAL).id),
                    ("active", "=", active),
                ]
            )
        )

    def test_approver_reviews_time_from_the_activity(self):
        self.assertEqual(set(self.lines.mapped("billing_state")), {"to_approve"})
        activity = self._approval_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.approver)

        self.start_tour(
            "/odoo", "time_billing_approver_reviews_time", login="tbb_tour_approver"
        )

        self.env.invalidate_all()
        approved = self.lines.filtered(lambda line: line.name != "Travel to site")
        rejected = self.lines - approved
        self.assertEqual(approved.mapped("billing_state"), ["approved"] * 3)
        self.assertEqual(approved.billing_reviewer_id, self.approver)
        self.assertEqual(rejected.billing_state, "rejected")
        self.assertEqual(rejected.billing_reviewer_id, self.approver)
        self.assertEqual(
            rejected.billing_rejection_reason,
            "Travel is not billable on this contract",
        )
        # Nothing waits anymore: the activity is done, not deleted.
        self.assertFalse(self._approval_activities())
        self.assertEqual(self._approval_activities(active=False), activity)
        # The other contract's time is untouched.
        self.assertEqual(self.other_line.billing_state, "to_approve")
