# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

# Waits until the web client has rendered a view matching ``selector`` and
# the field ``field`` inside it, then signals success. Any JavaScript error or
# console.error on the way fails the test.
WAIT_FOR_VIEW = """
const deadline = Date.now() + 30000;
(function check() {
    const view = document.querySelector(%(selector)r);
    if (view && view.querySelector(%(field)r)) {
        console.log("test successful");
    } else if (Date.now() > deadline) {
        console.error("The view did not render: " + %(selector)r);
    } else {
        setTimeout(check, 100);
    }
})();
"""


@tagged("post_install", "-at_install")
class TestWebClient(HttpCase):
    """The addon's screens render in the real web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partner = cls.env["res.partner"].create({"name": "UI Client"})
        project = cls.env["project.project"].create({"name": "UI Project"})
        job = cls.env["hr.job"].create({"name": "UI Role"})
        cls.contract = cls.env["time.billing.contract"].create(
            {
                "name": "UI Contract",
                "partner_id": partner.id,
                "project_ids": [Command.set(project.ids)],
                "default_rate": 100,
                "rate_rule_ids": [Command.create({"job_id": job.id, "rate": 150})],
            }
        )
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "UI Harvest", "provider": "harvest", "account_ref": "42"}
        )

    def _check_renders(self, url, selector, field):
        self.browser_js(
            url,
            WAIT_FOR_VIEW % {"selector": selector, "field": field},
            login="admin",
            timeout=90,
        )

    def test_contract_form(self):
        self._check_renders(
            f"/odoo/action-time_billing_bridge.time_billing_contract_action/"
            f"{self.contract.id}",
            ".o_form_view",
            "div[name='rate_rule_ids'] .o_data_row",
        )

    def test_backend_form(self):
        self._check_renders(
            f"/odoo/action-time_billing_bridge.time_billing_backend_action/"
            f"{self.backend.id}",
            ".o_form_view",
            "div[name='api_url']",
        )

    def test_billing_lists(self):
        for action in (
            "account_analytic_line_billing_action",
            "time_billing_entry_exception_action",
            "time_billing_mapping_action",
            "time_billing_sync_run_action",
        ):
            with self.subTest(action=action):
                self._check_renders(
                    f"/odoo/action-time_billing_bridge.{action}",
                    ".o_action_manager",
                    ".o_list_view, .o_view_nocontent",
                )

    def test_time_line_form(self):
        # Time above the threshold waits; admin, a billing manager, may
        # approve it from the form.
        today = fields.Date.today()
        self.contract.write(
            {
                "state": "active",
                "date_start": today - timedelta(days=40),
                "approval_hours_threshold": 1.0,
            }
        )
        project = self.contract.project_ids
        employee = self.env["hr.employee"].create({"name": "UI Person"})
        line = self.env["account.analytic.line"].create(
            {
                "name": "Workshop",
                "employee_id": employee.id,
                "project_id": project.id,
                "date": today,
                "unit_amount": 2.5,
            }
        )
        self.assertEqual(line.billing_state, "to_approve")
        self._check_renders(
            f"/odoo/action-time_billing_bridge.account_analytic_line_to_approve_action/"
            f"{line.id}",
            ".o_form_view",
            ".o_form_statusbar button[name='action_billing_approve']",
        )
        self._check_renders(
            "/odoo/action-time_billing_bridge.account_analytic_line_to_bill_action",
            ".o_action_manager",
            "button[name='action_billing_open_invoice_wizard']",
        )
