# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

PROVIDER_SELECTION = [
    ("harvest", "Harvest"),
    ("toggl", "Toggl Track"),
    ("clockify", "Clockify"),
    ("tempo", "Jira Tempo"),
    ("csv", "CSV / Excel file"),
]

# Public API roots; a backend may override them (self-hosted, proxy, tests).
PROVIDER_DEFAULT_URLS = {
    "harvest": "https://api.harvestapp.com/v2",
    "toggl": "https://api.track.toggl.com",
    "clockify": "https://api.clockify.me/api/v1",
    "tempo": "https://api.tempo.io/4",
    "csv": False,
}


class TimeBillingBackend(models.Model):
    _name = "time.billing.backend"
    _description = "Time Billing Backend"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    provider = fields.Selection(
        selection=PROVIDER_SELECTION,
        required=True,
        default="csv",
        tracking=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    responsible_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Receives an activity when this backend fails to synchronise.",
        tracking=True,
    )
    api_url = fields.Char(
        string="API URL",
        compute="_compute_api_url",
        store=True,
        readonly=False,
        help="The provider's public API by default. Override it for a "
        "self-hosted server or a proxy.",
    )
    api_token = fields.Char(
        string="API Token",
        groups="time_billing_bridge.group_time_billing_manager",
        copy=False,
        help="Harvest personal access token, Toggl API token, Clockify API key "
        "or Tempo API token.",
    )
    account_ref = fields.Char(
        string="Account / Workspace",
        help="Harvest account ID, or Toggl / Clockify workspace ID.",
    )
    webhook_secret = fields.Char(
        groups="time_billing_bridge.group_time_billing_manager",
        copy=False,
        help="Shared secret used to verify the signature of webhook calls.",
    )
    default_project_id = fields.Many2one(
        comodel_name="project.project",
        check_company=True,
        help="Project for entries whose external project has no mapping. "
        "Leave empty to hold such entries as exceptions.",
    )
    last_sync_date = fields.Datetime(
        string="Synchronised Up To",
        copy=False,
        readonly=True,
        help="Entries updated at the source after this moment are fetched by "
        "the next synchronisation.",
    )
    mapping_ids = fields.One2many(
        comodel_name="time.billing.mapping",
        inverse_name="backend_id",
    )
    entry_ids = fields.One2many(
        comodel_name="time.billing.entry",
        inverse_name="backend_id",
    )
    mapping_count = fields.Integer(compute="_compute_counts")
    entry_count = fields.Integer(compute="_compute_counts")
    exception_count = fields.Integer(compute="_compute_counts")
    sync_run_ids = fields.One2many(
        comodel_name="time.billing.sync.run",
        inverse_name="backend_id",
    )
    sync_run_count = fields.Integer(compute="_compute_counts")

    _name_company_uniq = models.Constraint(
        "UNIQUE(name, company_id)",
        "A backend with this name already exists in this company.",
    )

    @api.depends("provider")
    def _compute_api_url(self):
        for backend in self:
            if not backend.api_url or backend.api_url in PROVIDER_DEFAULT_URLS.values():
                backend.api_url = PROVIDER_DEFAULT_URLS.get(backend.provider) or False

    @api.depends("entry_ids.state", "mapping_ids", "sync_run_ids")
    def _compute_counts(self):
        counts = {}
        for model, fname in (
            ("time.billing.mapping", "mapping_count"),
            ("time.billing.entry", "entry_count"),
            ("time.billing.sync.run", "sync_run_count"),
        ):
            counts[fname] = dict(
                self.env[model]._read_group(
                    [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
                )
            )
        counts["exception_count"] = dict(
            self.env["time.billing.entry"]._read_group(
                [("backend_id", "in", self.ids), ("state", "=", "exception")],
                ["backend_id"],
                ["__count"],
            )
        )
        for backend in self:
            for fname, by_backend in counts.items():
                backend[fname] = by_backend.get(backend, 0)

    def _action_open_related(self, model, name, extra_domain=None):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("backend_id", "=", self.id)] + (extra_domain or []),
            "context": {"default_backend_id": self.id},
        }

    def action_view_mappings(self):
        return self._action_open_related("time.billing.mapping", self.env._("Mappings"))

    def action_view_entries(self):
        return self._action_open_related(
            "time.billing.entry", self.env._("Imported Entries")
        )

    def action_view_exceptions(self):
        return self._action_open_related(
            "time.billing.entry",
            self.env._("Import Exceptions"),
            [("state", "=", "exception")],
        )

    def action_view_sync_runs(self):
        return self._action_open_related(
            "time.billing.sync.run", self.env._("Synchronisations")
        )
