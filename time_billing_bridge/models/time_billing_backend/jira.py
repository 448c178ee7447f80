# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Jira site of a Tempo backend: a worklog names only its Jira issue, so
the project of an issue not mapped to a task is read from Jira (see
``providers/jira.py``). The API token is a secret like the backend's own."""

import dataclasses

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ...const import GROUP_MANAGER
from ...providers.redact import redact, secret_forms
from ...providers.urls import UnsafeUrlError, check_url


class TimeBillingBackend(models.Model):
    _inherit = "time.billing.backend"

    jira_site_url = fields.Char(
        string="Jira Site",
        help="The address of the Jira Cloud site the Tempo worklogs belong to, "
        "e.g. https://your-company.atlassian.net. With a Jira user's e-mail and "
        "API token, the project of a worklog's issue is read from Jira when the "
        "issue is not mapped to a task.",
    )
    jira_user_email = fields.Char(
        string="Jira E-mail",
        groups=GROUP_MANAGER,
        copy=False,
        help="E-mail address of the Atlassian account whose API token is below.",
    )
    jira_api_token = fields.Char(
        string="Jira API Token",
        groups=GROUP_MANAGER,
        copy=False,
        help="API token of that Atlassian account (id.atlassian.com > Security > "
        "API tokens); the account must be able to browse the projects.",
    )

    @api.constrains("jira_site_url")
    def _check_jira_site_url(self):
        """The Jira site receives the Jira token: checked like the API URL."""
        policy = self._get_url_policy()
        for backend in self.filtered("jira_site_url"):
            try:
                check_url(backend.jira_site_url.strip(), resolve_host=False, **policy)
            except UnsafeUrlError as err:
                raise ValidationError(
                    self.env._(
                        "The Jira site of backend %(backend)s is refused: %(reason)s",
                        backend=backend.display_name,
                        reason=str(err),
                    )
                ) from err

    def _get_adapter_config(self):
        config = super()._get_adapter_config()
        if self.provider != "tempo" or not self.jira_site_url:
            return config
        mapped = self.env["time.billing.mapping"].search_fetch(
            [
                ("backend_id", "=", self.id),
                ("kind", "=", "task"),
                ("task_id", "!=", False),
            ],
            ["external_ref"],
        )
        options = dict(
            config.options or {},
            mapped_issue_refs=sorted(mapped.mapped("external_ref")),
        )
        return dataclasses.replace(
            config,
            options=options,
            linked_url=self.jira_site_url.strip(),
            linked_user=(self.jira_user_email or "").strip(),
            linked_token=self.jira_api_token or "",
        )

    def _redact_secrets(self, text):
        text = super()._redact_secrets(text)
        tokens = self.sudo().mapped("jira_api_token")
        return redact(text, secret_forms(*filter(None, tokens)))
