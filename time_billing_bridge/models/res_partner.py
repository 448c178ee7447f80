# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Read on the commercial partner only (the reminder engine does), so it is
    # not a synchronised commercial field: syncing would read it as whoever
    # creates a contact, and its groups would refuse them.
    time_billing_no_reminders = fields.Boolean(
        string="No Payment Reminders",
        groups="time_billing_bridge.group_time_billing_user,"
        "account.group_account_invoice",
        help="This client's invoices get no payment reminders, neither from "
        "the daily job nor from Send Reminder Now. Set on the company: its "
        "contacts follow.",
    )
