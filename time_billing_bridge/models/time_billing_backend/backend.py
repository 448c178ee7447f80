# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The backend: one connected time source and its settings.

Its adapter (settings, connection check) is in :mod:`.adapter`; the
synchronisation itself (runs, pages, locks, pauses and failures) is in
:mod:`.sync`.
"""

import secrets

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ...const import (
    DEFAULT_SYNC_MAX_PAGES,
    GROUP_MANAGER,
    PARAM_ALLOW_HTTP,
    PARAM_ALLOW_PRIVATE,
    PARAM_SYNC_MAX_PAGES,
)
from ...providers import ADAPTERS, get_adapter_class
from ...providers.redact import redact, secret_forms
from ...providers.urls import UnsafeUrlError, check_url

# Values of a boolean system parameter that mean "yes".
TRUE_VALUES = ("1", "true", "yes", "on")

PROVIDER_SELECTION = [
    ("harvest", "Harvest"),
    ("toggl", "Toggl Track"),
    ("clockify", "Clockify"),
    ("tempo", "Jira Tempo"),
    ("quickbooks_time", "QuickBooks Time"),
    ("clio", "Clio Manage"),
    ("clickup", "ClickUp"),
    ("monday", "monday.com"),
    ("hubstaff", "Hubstaff"),
    ("csv", "CSV / Excel file"),
]


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
        groups=GROUP_MANAGER,
        copy=False,
        help="Harvest personal access token, Toggl API token, Clockify API key, "
        "Tempo API token or monday.com API token. For Hubstaff, the personal "
        "access token: Hubstaff replaces it from time to time, and the new one "
        "is stored here.",
    )
    account_ref = fields.Char(
        string="Account / Workspace",
        help="Harvest account ID, Toggl / Clockify / ClickUp workspace ID, "
        "monday.com board IDs separated by commas, or Hubstaff organization ID.",
    )
    webhook_secret = fields.Char(
        groups=GROUP_MANAGER,
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
    import_without_task = fields.Boolean(
        string="Import Unknown Tasks on the Project",
        help="When the task of an entry is not found in its project, import the "
        "time on the project without a task instead of holding it as an "
        "exception.",
    )
    bill_source_approved_only = fields.Boolean(
        string="Bill Only Time Approved at the Source",
        help="Time the source has not approved (Harvest's, ClickUp's, Tempo's or "
        "QuickBooks Time's timesheet approval, a file's Approved column) waits "
        "with its reason, "
        "and its line is left out, until it is approved there: the next "
        "import brings it in.",
    )
    reports_source_approval = fields.Boolean(
        compute="_compute_reports_source_approval",
        help="Whether this kind of source tells which time it approved.",
    )
    sync_interval_minutes = fields.Integer(
        string="Synchronise Every (min)",
        default=60,
        help="How often the scheduled synchronisation imports from this backend; "
        "0 disables it (Sync Now, webhooks and files still work).",
    )
    next_sync_date = fields.Datetime(
        string="Next Synchronisation",
        copy=False,
        help="The scheduled synchronisation imports from this backend at its "
        "first run after this moment.",
    )
    last_error = fields.Text(
        string="Synchronisation Error",
        copy=False,
        readonly=True,
        help="Why the last synchronisation failed; cleared by the next success.",
    )
    last_error_date = fields.Datetime(string="Failing Since", copy=False, readonly=True)
    # Where an interrupted synchronisation resumes. They change only in the
    # transaction that commits a page, so they always match committed data.
    sync_resume_token = fields.Char(copy=False, readonly=True)
    sync_resume_since = fields.Datetime(copy=False, readonly=True)
    sync_resume_start = fields.Datetime(
        string="Interrupted Synchronisation",
        copy=False,
        readonly=True,
        help="Start of a synchronisation that did not finish; the next one "
        "resumes it after its last imported page.",
    )
    sync_resume_attempts = fields.Integer(
        string="Failed Attempts at the Resume Point",
        copy=False,
        readonly=True,
        help="Synchronisations in a row that failed without importing a page "
        "past the resume point; back to 0 when a page is imported or a "
        "synchronisation completes. At the limit (system parameter "
        "time_billing_bridge.sync_max_resume_attempts, 5 by default) the "
        "scheduled synchronisation stops retrying this backend until someone "
        "runs Sync Now or resets the resume point.",
    )
    sync_resume_run_id = fields.Many2one(
        comodel_name="time.billing.sync.run",
        copy=False,
        readonly=True,
        ondelete="set null",
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
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        help="Address to give the provider when creating the webhook.",
    )
    file_format_ids = fields.One2many(
        comodel_name="time.billing.file.format",
        inverse_name="backend_id",
        string="File Formats",
    )

    _name_company_uniq = models.Constraint(
        "UNIQUE(name, company_id)",
        "A backend with this name already exists in this company.",
    )

    @api.depends("provider")
    def _compute_api_url(self):
        """The provider's public API root (its adapter's ``default_api_url``),
        unless the backend names another one (self-hosted, proxy, tests)."""
        defaults = {
            adapter_class.default_api_url
            for adapter_class in ADAPTERS.values()
            if adapter_class.default_api_url
        }
        for backend in self:
            if not backend.api_url or backend.api_url in defaults:
                adapter_class = get_adapter_class(backend.provider)
                backend.api_url = (
                    adapter_class and adapter_class.default_api_url
                ) or False

    @api.depends("provider")
    def _compute_reports_source_approval(self):
        for backend in self:
            adapter_class = get_adapter_class(backend.provider)
            backend.reports_source_approval = backend.provider == "csv" or bool(
                adapter_class and adapter_class.reports_approval
            )

    @api.constrains("bill_source_approved_only", "provider")
    def _check_source_approval(self):
        for backend in self:
            if (
                backend.bill_source_approved_only
                and not backend.reports_source_approval
            ):
                raise ValidationError(
                    self.env._(
                        "%(provider)s does not say which time it approved: backend "
                        "%(backend)s cannot wait for approvals there.",
                        provider=backend._provider_label(),
                        backend=backend.display_name,
                    )
                )

    def _provider_label(self):
        """The provider's name as the user sees it ("Harvest")."""
        self.ensure_one()
        selection = self._fields["provider"]._description_selection(self.env)
        return dict(selection).get(self.provider, self.provider or "")

    @api.constrains("api_url", "provider")
    def _check_api_url(self):
        """An API URL receives the token: https and a public host, unless the
        system parameters allow otherwise. Host names are resolved (again)
        before each call, see :func:`...providers.urls.check_url`."""
        policy = self._get_url_policy()
        for backend in self:
            if not backend.api_url or not get_adapter_class(backend.provider):
                continue
            try:
                check_url(backend.api_url, resolve_host=False, **policy)
            except UnsafeUrlError as err:
                raise ValidationError(
                    self.env._(
                        "The API URL of backend %(backend)s is refused: %(reason)s",
                        backend=backend.display_name,
                        reason=str(err),
                    )
                ) from err

    @api.model
    def _get_url_policy(self):
        """What the system parameters allow an API URL to be."""
        params = self.env["ir.config_parameter"].sudo()
        return {
            "allow_http": (params.get_param(PARAM_ALLOW_HTTP) or "").strip().lower()
            in TRUE_VALUES,
            "allow_private": (params.get_param(PARAM_ALLOW_PRIVATE) or "")
            .strip()
            .lower()
            in TRUE_VALUES,
        }

    @api.model
    def _get_positive_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            value = float(value)
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    @api.model
    def _get_max_sync_pages(self):
        """The most pages one listing may have in a synchronisation."""
        return int(
            self._get_positive_param(PARAM_SYNC_MAX_PAGES, DEFAULT_SYNC_MAX_PAGES)
        )

    def _redact_secrets(self, text):
        """``text`` without this backend's secrets, in any form they travel
        in (plain, URL-encoded, base64 in Basic credentials)."""
        backends = self.sudo()
        secrets = backends.mapped("api_token") + backends.mapped("webhook_secret")
        return redact(text, secret_forms(*filter(None, secrets)))

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

    # ------------------------------------------------------------------
    # Webhooks and files
    # ------------------------------------------------------------------

    @api.depends("provider")
    def _compute_webhook_url(self):
        for backend in self:
            backend.webhook_url = backend.id and (
                f"{backend.get_base_url()}/time_billing_bridge/webhook/{backend.id}"
            )

    def action_generate_webhook_secret(self):
        """Fill the webhook secret with a new random value."""
        self.ensure_one()
        self.webhook_secret = secrets.token_urlsafe(32)

    def action_import_file(self):
        """Open the file import wizard on this backend."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import File"),
            "res_model": "time.billing.import.file",
            "view_mode": "form",
            "target": "new",
            "context": {"default_backend_id": self.id},
        }
