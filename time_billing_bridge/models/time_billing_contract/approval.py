# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who approves a contract's time, above which thresholds, and after which
grace period; the time waiting for approval. Changing any of it needs a
billing manager.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

from ...const import CTX_NO_RERATE, GROUP_MANAGER, ROUTABLE_STATES


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    approver_id = fields.Many2one(
        comodel_name="res.users",
        string="Approver",
        default=lambda self: self.env.user,
        tracking=True,
        help="Engagement manager who approves time above the thresholds and "
        "receives escalations.",
    )
    approval_hours_threshold = fields.Float(
        string="Approve Entries Above (h)",
        help="Entries longer than this wait for the approver. 0 disables the check.",
    )
    approval_amount_threshold = fields.Monetary(
        string="Approve Entries Above (amount)",
        currency_field="currency_id",
        help="Entries worth more than this wait for the approver. 0 disables "
        "the check.",
    )
    approval_budget_share = fields.Float(
        string="Approve Entries Above (% of budget)",
        help="Entries worth more than this share of the cap or retainer wait "
        "for the approver. 0 disables the check.",
    )
    auto_approve_delay = fields.Integer(
        string="Grace Period (days)",
        help="Entries below the thresholds are approved after this many days, "
        "leaving time to correct them. 0 approves them immediately.",
    )
    allow_self_approval = fields.Boolean(
        string="Approvers May Approve Their Own Time",
        tracking=True,
        help="By default nobody approves their own time, billing managers "
        "included: another approver or a billing manager does.",
    )

    can_edit_approval = fields.Boolean(
        compute="_compute_can_edit_approval",
        help="Technical: whether the current user may change the approval "
        "terms and the rate card (billing managers).",
    )

    billing_period_ids = fields.One2many(
        comodel_name="time.billing.period",
        inverse_name="contract_id",
        string="Billing Periods",
    )
    to_approve_count = fields.Integer(
        string="Time to Approve", compute="_compute_to_approve_count"
    )

    @api.depends_context("uid")
    def _compute_can_edit_approval(self):
        self.can_edit_approval = self._billing_is_manager()

    @api.model
    def _get_approval_fields(self):
        """Fields that decide who approves which time: only a billing manager
        changes them, and changing them routes the time not approved yet
        again. Hook for extensions."""
        return [
            "approver_id",
            "user_id",
            "approval_hours_threshold",
            "approval_amount_threshold",
            "approval_budget_share",
            "auto_approve_delay",
            "allow_self_approval",
        ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self._billing_is_manager():
            # A new contract may keep the default approval terms.
            approval = self._get_approval_fields()
            defaults = self.default_get(approval)
            self._billing_check_approval_terms(
                [
                    {
                        fname: value
                        for fname, value in vals.items()
                        if fname in approval and value != defaults.get(fname, False)
                    }
                    for vals in vals_list
                ]
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self._billing_is_manager():
            self._billing_check_approval_terms([vals])
        res = super().write(vals)
        if set(vals) & set(self._get_approval_fields()) and not (
            self.env.context.get(CTX_NO_RERATE)
        ):
            self._billing_reroute_open_lines()
        return res

    def _billing_is_manager(self):
        return self.env.su or self.env.user.has_group(GROUP_MANAGER)

    @api.model
    def _billing_check_approval_terms(self, vals_list):
        """Refuse changes of the approval terms by people who are not billing
        managers (the rate card checks its own lines)."""
        given = sorted(
            {fname for vals in vals_list for fname in vals}
            & set(self._get_approval_fields())
        )
        if given:
            labels = [
                self._fields[fname]._description_string(self.env) for fname in given
            ]
            raise AccessError(
                self.env._(
                    "Only a billing manager can change who approves a contract's "
                    "time and when (%(fields)s).",
                    fields=labels,
                )
            )

    def _compute_to_approve_count(self):
        counts = dict(
            self.env["account.analytic.line"]._read_group(
                [
                    ("billing_contract_id", "in", self.ids),
                    ("billing_state", "=", "to_approve"),
                ],
                ["billing_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.to_approve_count = counts.get(contract, 0)

    def _billing_reroute_open_lines(self):
        """Route again the time of these contracts not approved yet, after a
        change of thresholds, grace period or approver."""
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("billing_contract_id", "in", self.ids),
                    ("billing_state", "in", ROUTABLE_STATES),
                ]
            )
        )
        lines._billing_route()
        return lines

    def _get_billing_approver(self):
        """Who approves this contract's time above the thresholds. Hook for
        extensions (e.g. an approver per employee or per period)."""
        self.ensure_one()
        return self.approver_id or self.user_id

    def action_view_lines_to_approve(self, period=None):
        """Open the time of this contract waiting for approval, optionally of
        one billing period (a ``time.billing.period`` record or id)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.account_analytic_line_to_approve_action"
        )
        domain = Domain("billing_contract_id", "=", self.id)
        period = self.env["time.billing.period"].browse(
            period.id if isinstance(period, models.BaseModel) else period or []
        )
        if period:
            domain &= Domain("billing_period_id", "=", period.id)
            action["display_name"] = self.env._(
                "Time to Approve: %(contract)s, %(period)s",
                contract=self.display_name,
                period=period.display_name,
            )
        else:
            action["display_name"] = self.env._(
                "Time to Approve: %(contract)s", contract=self.display_name
            )
        action["domain"] = list(
            domain
            & Domain("project_id", "!=", False)
            & Domain("billing_state", "=", "to_approve")
        )
        action["context"] = {}
        return action
