# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon

from ..const import PARAM_ALLOW_HTTP, PARAM_ALLOW_PRIVATE


def allow_local_api_urls(env):
    """Let backends call the fake providers, which listen on http://127.0.0.1
    (the attack tests in test_provider_urls turn it off again)."""
    params = env["ir.config_parameter"].sudo()
    params.set_param(PARAM_ALLOW_HTTP, "1")
    params.set_param(PARAM_ALLOW_PRIVATE, "1")


class TimeBillingCommon(BaseCommon):
    """Clients, projects, employees and a contract shared by the tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        allow_local_api_urls(cls.env)
        cls.company = cls.env.company
        cls.billing_user = new_test_user(
            cls.env,
            login="tbb_user",
            groups="time_billing_bridge.group_time_billing_user",
            email="tbb_user@example.com",
        )
        cls.billing_manager = new_test_user(
            cls.env,
            login="tbb_manager",
            groups="time_billing_bridge.group_time_billing_manager",
            email="tbb_manager@example.com",
        )
        cls.client_a = cls.env["res.partner"].create(
            {"name": "Client A", "is_company": True, "email": "a@client.example"}
        )
        cls.client_b = cls.env["res.partner"].create(
            {"name": "Client B", "is_company": True, "email": "b@client.example"}
        )
        cls.job_senior, cls.job_junior = cls.env["hr.job"].create(
            [{"name": "Senior (test)"}, {"name": "Junior (test)"}]
        )
        cls.employee_senior, cls.employee_junior = cls.env["hr.employee"].create(
            [
                {
                    "name": "Sam Senior",
                    "work_email": "sam@example.com",
                    "job_id": cls.job_senior.id,
                },
                {
                    "name": "Jo Junior",
                    "work_email": "jo@example.com",
                    "job_id": cls.job_junior.id,
                },
            ]
        )
        cls.project_a, cls.project_b = cls.env["project.project"].create(
            [
                {"name": "Project A", "partner_id": cls.client_a.id},
                {"name": "Project B", "partner_id": cls.client_b.id},
            ]
        )
        cls.task_a = cls.env["project.task"].create(
            {"name": "Task A", "project_id": cls.project_a.id}
        )
        cls.contract_a = cls.env["time.billing.contract"].create(
            {
                "name": "Contract A",
                "partner_id": cls.client_a.id,
                "project_ids": [Command.set(cls.project_a.ids)],
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                "default_rate": 100.0,
                "state": "active",
            }
        )

    @classmethod
    def _create_timesheet(
        cls, employee=None, project=None, date="2026-03-02", hours=1.0, **vals
    ):
        return cls.env["account.analytic.line"].create(
            {
                "name": vals.pop("name", "Work"),
                "employee_id": (employee or cls.employee_senior).id,
                "project_id": (project or cls.project_a).id,
                "date": date,
                "unit_amount": hours,
                **vals,
            }
        )

    @staticmethod
    def _set_billing_state(lines, state, **vals):
        """Move ``lines`` to billing ``state`` through the pipeline's door, as
        review and invoicing do: time is waiting before it is approved or
        rejected, and approved before it is invoiced."""
        lines = lines.sudo()
        if state in ("approved", "rejected", "invoiced"):
            lines.filtered(lambda line: not line.billing_state)._billing_set_state(
                "to_approve", {"billing_review_note": "Waiting (test)"}
            )
        if state == "invoiced":
            lines.filtered(
                lambda line: line.billing_state == "to_approve"
            )._billing_set_state("approved")
        if state == "rejected":
            vals.setdefault("billing_rejection_reason", "Rejected (test)")
        lines.filtered(lambda line: line.billing_state != state)._billing_set_state(
            state, vals
        )
