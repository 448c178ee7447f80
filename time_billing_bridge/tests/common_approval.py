# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import new_test_user

from .common import TimeBillingCommon


class ApprovalCommon(TimeBillingCommon):
    """People who log, approve and manage time, on a monthly contract."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sam = new_test_user(
            cls.env,
            login="tbb_sam",
            name="Sam (user)",
            groups="hr_timesheet.group_hr_timesheet_user",
            email="sam.user@example.com",
        )
        cls.employee_senior.user_id = cls.sam
        cls.approver = new_test_user(
            cls.env,
            login="tbb_approver",
            name="Ann Approver",
            groups="time_billing_bridge.group_time_billing_user",
            email="ann@example.com",
        )
        # Changing other people's time needs the timesheet approver right too.
        cls.billing_manager.group_ids += cls.env.ref(
            "hr_timesheet.group_hr_timesheet_approver"
        )
        cls.contract_a.write(
            {
                "approver_id": cls.approver.id,
                "billing_period": "monthly",
                "approval_hours_threshold": 8.0,
            }
        )
        cls.activity_type = cls.env.ref(
            "time_billing_bridge.mail_act_time_billing_approval"
        )

    def _approval_activities(self, contract=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "time.billing.contract"),
                ("res_id", "=", (contract or self.contract_a).id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def _period(self, day, contract=None):
        return self.env["time.billing.period"]._get_for_date(
            contract or self.contract_a, day
        )
