# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common_approval import ApprovalCommon


class InvoiceCommon(ApprovalCommon, AccountTestInvoicingCommon):
    """A company with a chart of accounts, sales journal and taxes (Odoo's
    own accounting test base), a service product billed by the hour, and
    contract A billed monthly at 100.00 an hour."""

    @classmethod
    def setup_independent_user(cls):
        # The fixtures of the billing tests are made by the superuser, in the
        # new company with its chart of accounts.
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hour = cls.env.ref("uom.product_uom_hour")
        cls.service = cls.env["product.product"].create(
            {
                "name": "Professional services",
                "type": "service",
                "uom_id": cls.hour.id,
                "list_price": 0.0,
                "taxes_id": [Command.set(cls.tax_sale_a.ids)],
            }
        )
        cls.company.time_billing_product_id = cls.service
        cls.task_b = cls.env["project.task"].create(
            {"name": "Task B", "project_id": cls.project_a.id}
        )
        cls.accountant = cls.env["res.users"].create(
            {
                "name": "Ada Accountant",
                "login": "tbb_accountant",
                "email": "ada@example.com",
                "group_ids": [
                    Command.link(cls.env.ref("account.group_account_invoice").id)
                ],
            }
        )

    def _run(self, date_to, contract=None, **kwargs):
        """An invoice run of ``contract`` (A by default) up to ``date_to``."""
        return self.env["time.billing.invoice.run"]._run(
            contract or self.contract_a, date_to, **kwargs
        )

    def _post(self, invoice):
        invoice.invoice_date = invoice.invoice_date or "2026-04-02"
        invoice.action_post()
        return invoice

    def _reverse(self, invoice, keep=None, modify=False):
        """Credit ``invoice`` with Odoo's wizard, keeping only the credit
        note lines whose name contains one of ``keep`` (a partial credit);
        return the credit note (posted) or the new draft (``modify``)."""
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Correction"})
        )
        if modify:
            action = wizard.modify_moves()
            return self.env["account.move"].browse(action["res_id"])
        action = wizard.refund_moves()
        refund = self.env["account.move"].browse(action["res_id"])
        if keep is not None:
            refund.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
                and not any(text in line.name for text in keep)
            ).unlink()
        refund.action_post()
        return refund
