# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TimeBillingCommon


@tagged("post_install", "-at_install")
class TestContractTerms(TimeBillingCommon):
    """Contracts, their terms and rate cards, and the time they cover."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "Harvest (test)", "provider": "harvest", "account_ref": "12345"}
        )

    def test_contract_terms_are_checked(self):
        Contract = self.env["time.billing.contract"]
        base = {"name": "X", "partner_id": self.client_b.id, "date_start": "2026-01-01"}
        with (
            self.assertRaisesRegex(ValidationError, "not-to-exceed cap"),
            self.env.cr.savepoint(),
        ):
            Contract.create({**base, "billing_mode": "capped"})
        with (
            self.assertRaisesRegex(ValidationError, "a cap must be positive"),
            self.env.cr.savepoint(),
        ):
            Contract.create({**base, "cap_type": "hours", "cap_value": 0})
        with (
            self.assertRaisesRegex(ValidationError, "prepaid block"),
            self.env.cr.savepoint(),
        ):
            Contract.create({**base, "billing_mode": "retainer"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Contract.create({**base, "date_end": "2025-12-31"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Contract.create({**base, "discount": 120})

    def test_project_billed_under_one_contract_at_a_time(self):
        Contract = self.env["time.billing.contract"]
        vals = {
            "name": "Overlap",
            "partner_id": self.client_a.id,
            "project_ids": [Command.set(self.project_a.ids)],
        }
        with (
            self.assertRaisesRegex(ValidationError, "already billed under contract"),
            self.env.cr.savepoint(),
        ):
            Contract.create({**vals, "date_start": "2026-06-01"})
        # Adjacent engagements are fine, and so is a closed one.
        Contract.create({**vals, "date_start": "2027-01-01"})
        self.contract_a.action_close()
        Contract.create(
            {
                **vals,
                "name": "Replacement",
                "date_start": "2026-06-01",
                "date_end": "2026-12-31",
            }
        )

    def test_timesheet_finds_its_contract_by_project_and_date(self):
        inside = self._create_timesheet(date="2026-03-02")
        before = self._create_timesheet(date="2025-12-31")
        other_project = self._create_timesheet(project=self.project_b)
        self.assertEqual(inside.billing_contract_id, self.contract_a)
        self.assertFalse(before.billing_contract_id)
        self.assertFalse(other_project.billing_contract_id)
        # Moving the line out of the engagement dates releases it.
        inside.date = "2027-01-15"
        self.assertFalse(inside.billing_contract_id)
        self.assertEqual(self.contract_a.timesheet_count, 0)
        inside.date = "2026-04-01"
        self.assertEqual(self.contract_a.timesheet_count, 1)
        action = self.contract_a.action_view_timesheets()
        self.assertEqual(
            self.env["account.analytic.line"].search(action["domain"]), inside
        )

    def test_invoiced_time_keeps_its_contract(self):
        line = self._create_timesheet()
        self._set_billing_state(line, "invoiced")
        line.date = "2027-02-01"
        self.assertEqual(line.billing_contract_id, self.contract_a)

    def test_rate_rule_level_and_checks(self):
        Rule = self.env["time.billing.rate.rule"]
        rules = Rule.create(
            [
                {
                    "contract_id": self.contract_a.id,
                    "rate": 1,
                    "employee_id": self.employee_senior.id,
                    "task_id": self.task_a.id,
                },
                {
                    "contract_id": self.contract_a.id,
                    "rate": 2,
                    "employee_id": self.employee_senior.id,
                },
                {
                    "contract_id": self.contract_a.id,
                    "rate": 3,
                    "job_id": self.job_junior.id,
                },
                {
                    "contract_id": self.contract_a.id,
                    "rate": 4,
                    "task_id": self.task_a.id,
                },
                {"contract_id": self.contract_a.id, "rate": 5},
            ]
        )
        self.assertEqual(
            rules.mapped("level"),
            ["employee_task", "employee", "role", "task", "default"],
        )
        with (
            self.assertRaisesRegex(ValidationError, "an employee or a role, not both"),
            self.env.cr.savepoint(),
        ):
            Rule.create(
                {
                    "contract_id": self.contract_a.id,
                    "rate": 1,
                    "employee_id": self.employee_senior.id,
                    "job_id": self.job_senior.id,
                }
            )
        task_b = self.env["project.task"].create(
            {"name": "Elsewhere", "project_id": self.project_b.id}
        )
        with (
            self.assertRaisesRegex(ValidationError, "does not belong to a project"),
            self.env.cr.savepoint(),
        ):
            Rule.create(
                {"contract_id": self.contract_a.id, "rate": 1, "task_id": task_b.id}
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Rule.create(
                    {
                        "contract_id": self.contract_a.id,
                        "rate": 1,
                        "date_from": "2026-02-01",
                        "date_to": "2026-01-01",
                    }
                )

    def test_contract_defaults_come_from_settings(self):
        settings = self.env["res.config.settings"].create(
            {
                "time_billing_rounding_increment": 15,
                "time_billing_rounding_method": "nearest",
                "time_billing_period": "weekly",
            }
        )
        settings.execute()
        self.assertEqual(self.company.time_billing_rounding_increment, 15)
        contract = self.env["time.billing.contract"].create(
            {"name": "Defaults", "partner_id": self.client_b.id}
        )
        self.assertEqual(contract.rounding_increment, 15)
        self.assertEqual(contract.rounding_method, "nearest")
        self.assertEqual(contract.billing_period, "weekly")

    def test_contract_form_with_inline_rate_card(self):
        with Form(self.env["time.billing.contract"]) as form:
            form.name = "Through the form"
            form.partner_id = self.client_b
            form.project_ids.add(self.project_b)
            form.default_rate = 90
            with form.rate_rule_ids.new() as rule:
                rule.job_id = self.job_senior
                rule.rate = 150
        contract = form.record
        self.assertEqual(contract.rate_rule_ids.rate, 150)
        self.assertEqual(contract.rate_rule_ids.level, "role")
        self.assertEqual(contract.currency_id, self.company.currency_id)
