# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import freeze_time, new_test_user

from ..const import REMINDER_POLICY_DEFAULT
from .common import TimeBillingCommon

CRON = "time_billing_bridge.ir_cron_time_billing_reminders"
EMAIL_TEMPLATE = "time_billing_bridge.mail_template_time_billing_reminder"
ESCALATION = "time_billing_bridge.mail_act_time_billing_reminder_escalation"


class ReminderCommon(TimeBillingCommon):
    """Real posted customer invoices billing contract A, in the company's
    chart of accounts, and the standard reminder policy as the company's
    default (an email on day 25 after the invoice date, an escalation activity
    on day 35)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company, install_demo=False
            )
        cls.income_account = cls.env["account.account"].search(
            [
                *cls.env["account.account"]._check_company_domain(company),
                ("account_type", "=", "income"),
            ],
            limit=1,
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Consulting (reminder test)",
                "type": "service",
                "property_account_income_id": cls.income_account.id,
                "taxes_id": [Command.clear()],
            }
        )
        cls.engagement_manager = new_test_user(
            cls.env,
            login="tbb_engagement",
            name="Erin Engagement",
            groups="time_billing_bridge.group_time_billing_user",
            email="erin@example.com",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="tbb_accountant",
            name="Ada Accountant",
            groups="account.group_account_invoice",
            email="ada@example.com",
        )
        cls.contract_a.approver_id = cls.engagement_manager
        cls.default_policy = cls.env.ref(REMINDER_POLICY_DEFAULT)
        company.time_billing_reminder_policy_id = cls.default_policy
        cls.email_level, cls.escalation_level = cls.default_policy.level_ids.sorted(
            "sequence"
        )
        cls.email_template = cls.env.ref(EMAIL_TEMPLATE)
        cls.cron = cls.env.ref(CRON)

    @classmethod
    def _create_invoice(
        cls,
        amount=1000.0,
        invoice_date="2026-03-02",
        contract=None,
        partner=None,
        post=True,
        **vals,
    ):
        """A customer invoice billing ``contract`` (contract A unless
        ``contract=False``), posted unless ``post=False``."""
        contract = cls.contract_a if contract is None else contract
        partner = partner or (contract.partner_id if contract else cls.client_a)
        with freeze_time(invoice_date):
            invoice = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "billing_contract_id": contract.id if contract else False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "name": "Consulting",
                                "quantity": 1.0,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                    **vals,
                }
            )
            if post:
                invoice.action_post()
        return invoice

    def _run_cron(self, day):
        """Run the daily job as the scheduler does, on ``day``."""
        with freeze_time(day), self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _register_payment(self, invoice, day, **vals):
        with freeze_time(day):
            return (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"payment_date": day, **vals})
                ._create_payments()
            )

    @staticmethod
    def _sent(invoice):
        return invoice.billing_reminder_ids.filtered(
            lambda reminder: reminder.state == "sent"
        )

    @staticmethod
    def _emails(invoice):
        """The reminder emails posted on the invoice (comments)."""
        return invoice.message_ids.filtered(
            lambda message: message.message_type == "comment"
        )

    @staticmethod
    def _notes(invoice):
        """The reminder notes logged on the invoice."""
        return invoice.message_ids.filtered(
            lambda message: "Payment reminder" in (message.body or "")
            and message.message_type == "notification"
        )

    def _escalations(self, invoice):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "=", invoice.id),
                ("activity_type_id", "=", self.env.ref(ESCALATION).id),
            ]
        )
