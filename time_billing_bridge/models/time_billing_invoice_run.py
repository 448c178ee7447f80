# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_datetime

from ..const import GROUP_USER, INVOICE_RUN_TRIGGERS, INVOICE_SKIP_REASONS

ACCOUNTANT_GROUP = "account.group_account_invoice"


class TimeBillingInvoiceRun(models.Model):
    """One invoice run: which contracts it looked at, the draft invoices it
    made, and what it left out and why. Running the same periods again adds
    nothing: a period with a live invoice is not invoiced again."""

    _name = "time.billing.invoice.run"
    _description = "Time Billing Invoice Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(
        string="Run On", required=True, readonly=True, default=fields.Datetime.now
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Run By",
        readonly=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        comodel_name="res.company", required=True, readonly=True, index=True
    )
    trigger = fields.Selection(
        selection=INVOICE_RUN_TRIGGERS, required=True, readonly=True, default="manual"
    )
    date_to = fields.Date(
        string="Time Up To",
        required=True,
        readonly=True,
        help="Billing periods ended by this day are invoiced (a manual run also "
        "invoices the current period, up to this day).",
    )
    include_current_period = fields.Boolean(
        string="Current Period Too",
        readonly=True,
        help="Out of cycle: the current billing period is invoiced too, up to "
        "the run's day.",
    )
    contract_ids = fields.Many2many(
        comodel_name="time.billing.contract",
        relation="time_billing_invoice_run_contract_rel",
        column1="run_id",
        column2="contract_id",
        string="Contracts",
        readonly=True,
    )
    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="billing_run_id",
        string="Invoices",
        readonly=True,
    )
    invoice_count = fields.Integer(compute="_compute_counts")
    skip_ids = fields.One2many(
        comodel_name="time.billing.invoice.run.skip",
        inverse_name="run_id",
        string="Left Out",
        readonly=True,
    )
    skip_count = fields.Integer(string="Left Out Count", compute="_compute_counts")

    @api.depends("date", "trigger")
    def _compute_display_name(self):
        labels = dict(self._fields["trigger"]._description_selection(self.env))
        for run in self:
            run.display_name = self.env._(
                "Invoice run of %(date)s (%(trigger)s)",
                date=format_datetime(self.env, run.date, dt_format="short"),
                trigger=labels.get(run.trigger, ""),
            )

    @api.depends("invoice_ids", "skip_ids")
    def _compute_counts(self):
        for run in self:
            run.invoice_count = len(run.invoice_ids)
            run.skip_count = len(run.skip_ids)

    @api.model
    def _run(self, contracts, date_to=None, trigger="manual", include_current=False):
        """Draft the invoices of ``contracts`` up to ``date_to`` (default
        today), the current periods too with ``include_current``; return the
        runs, one per company.

        Drafting is the pipeline's work, done as superuser in each contract's
        company; who may ask for it is checked here: billing staff and
        accountants.
        """
        user = self.env.user
        if not (
            self.env.su
            or user.has_group(GROUP_USER)
            or user.has_group(ACCOUNTANT_GROUP)
        ):
            raise AccessError(
                self.env._("Only billing staff and accountants can run invoicing.")
            )
        # Drafting runs as superuser: the contracts must be in the companies
        # the user works in, as their record rules would require.
        outside = contracts.sudo().company_id - self.env.companies
        if outside and not self.env.su:
            raise AccessError(
                self.env._(
                    "You cannot run invoicing for %(companies)s: switch to the "
                    "company first.",
                    companies=", ".join(outside.mapped("name")),
                )
            )
        date_to = fields.Date.to_date(date_to) or fields.Date.context_today(self)
        runs = self.browse()
        for company, group in contracts.sudo().grouped("company_id").items():
            run = (
                self.sudo()
                .with_company(company)
                .create(
                    {
                        "company_id": company.id,
                        "trigger": trigger,
                        "date_to": date_to,
                        "include_current_period": include_current,
                        "contract_ids": [(6, 0, group.ids)],
                        "user_id": user.id,
                    }
                )
            )
            group.with_company(company)._billing_invoice(run)
            runs |= run
        return runs

    def _add_skip(self, contract, reason, period=None, detail=None, lines=None):
        """Record what this run left out of ``contract``, and why."""
        self.ensure_one()
        self.env["time.billing.invoice.run.skip"].sudo().create(
            {
                "run_id": self.id,
                "contract_id": contract.id,
                "period_id": period.id if period else False,
                "reason": reason,
                "detail": detail or False,
                "line_count": len(lines) if lines else 0,
                "hours": sum(lines.mapped("unit_amount")) if lines else 0.0,
            }
        )

    def _add_skip_lines(self, contract, period, lines):
        """Record the time of ``period`` left out because it waits for
        approval or is in exception."""
        for state, reason, detail in (
            (
                "to_approve",
                "waiting",
                self.env._("Billed on the next invoice once approved."),
            ),
            (
                "exception",
                "exception",
                self.env._("Fix the exceptions: the time is billed once it is."),
            ),
        ):
            group = lines.filtered(lambda line, s=state: line.billing_state == s)
            if group:
                self._add_skip(contract, reason, period, detail, group)

    def action_view_invoices(self):
        self.ensure_one()
        return self.env["account.move"]._billing_invoices_action(
            [("billing_run_id", "=", self.id)]
        )

    def _action_open(self):
        """What to show after a run started by a button: its only invoice,
        else the run itself."""
        if len(self) == 1 and len(self.invoice_ids) == 1 and not self.skip_ids:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": self.invoice_ids.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": self.env._("Invoice Runs"),
            "domain": [("id", "in", self.ids)],
            "views": [(False, "form" if len(self) == 1 else "list"), (False, "form")],
            "res_id": self.id if len(self) == 1 else False,
        }

    @api.model
    def _cron_create_invoices(self):
        """Daily: invoice the billing periods that ended, for every contract
        that is not closed (each company on its own). A day with nothing to
        invoice nor to report leaves no run behind."""
        contracts = (
            self.env["time.billing.contract"].sudo().search([("state", "!=", "closed")])
        )
        runs = self._run(contracts, trigger="cron")
        runs.sudo().filtered(lambda run: not (run.invoice_ids or run.skip_ids)).unlink()


class TimeBillingInvoiceRunSkip(models.Model):
    """A contract, period or part of its time that a run left out, and why."""

    _name = "time.billing.invoice.run.skip"
    _description = "Time Left Out of an Invoice Run"
    _order = "run_id, id"

    run_id = fields.Many2one(
        comodel_name="time.billing.invoice.run",
        required=True,
        ondelete="cascade",
        index=True,
    )
    contract_id = fields.Many2one(
        comodel_name="time.billing.contract", required=True, ondelete="cascade"
    )
    period_id = fields.Many2one(
        comodel_name="time.billing.period", string="Billing Period", ondelete="cascade"
    )
    reason = fields.Selection(selection=INVOICE_SKIP_REASONS, required=True)
    detail = fields.Char()
    line_count = fields.Integer(string="Time Lines")
    hours = fields.Float()
