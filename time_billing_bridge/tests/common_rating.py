# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


from odoo import Command

from .common import TimeBillingCommon


class RatingCommon(TimeBillingCommon):
    """A contract on its own project; time is held for the approver.

    The contract's hours threshold is tiny so every entry waits in
    ``to_approve`` whatever the routing does: the tests then decide themselves
    which lines are approved.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create(
            {"name": "Rated project", "partner_id": cls.client_b.id}
        )
        cls.task_hearing, cls.task_travel = cls.env["project.task"].create(
            [
                {"name": "Hearing preparation", "project_id": cls.project.id},
                {"name": "Travel", "project_id": cls.project.id},
            ]
        )
        cls.contract = cls.env["time.billing.contract"].create(
            {
                "name": "Rated contract",
                "partner_id": cls.client_b.id,
                "project_ids": [Command.set(cls.project.ids)],
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                "default_rate": 100.0,
                "rounding_increment": 6,
                "rounding_method": "up",
                "billing_period": "monthly",
                "approval_hours_threshold": 0.01,
                "user_id": cls.billing_manager.id,
                "state": "active",
            }
        )
        cls._seq = 0

    @classmethod
    def _line(cls, hours=1.0, day="2026-03-02", employee=None, **vals):
        # Distinct descriptions: identical entries would be duplicates.
        cls._seq += 1
        return cls._create_timesheet(
            employee=employee,
            project=cls.project,
            date=day,
            hours=hours,
            name=vals.pop("name", f"Work {cls._seq}"),
            **vals,
        )

    def _rule(self, **vals):
        return self.env["time.billing.rate.rule"].create(
            {"contract_id": self.contract.id, **vals}
        )

    def _priced(self, line):
        return (line.billable_hours, line.billing_rate, line.billing_amount)
