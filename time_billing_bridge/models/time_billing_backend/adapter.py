# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The backend's adapter: its class, its settings (secrets included), the
token a source replaces, and the connection check."""

import dataclasses

from odoo import models
from odoo.exceptions import UserError

from ...const import (
    DEFAULT_HTTP_DEADLINE,
    DEFAULT_HTTP_MAX_BYTES,
    PARAM_HTTP_DEADLINE,
    PARAM_HTTP_MAX_BYTES,
)
from ...exceptions import ProviderError
from ...providers import AdapterConfig, get_adapter_class
from ...tools.notify import notification


class TimeBillingBackend(models.Model):
    _inherit = "time.billing.backend"

    def _get_adapter_class(self):
        """The adapter class of this backend's provider.

        Hook for extensions: a module adding a provider may override it
        (``if self.provider != "x": return super()...``) instead of
        registering its class in ``providers.ADAPTERS``.
        """
        self.ensure_one()
        adapter_class = get_adapter_class(self.provider)
        if not adapter_class:
            if self.provider == "csv":
                raise UserError(
                    self.env._(
                        "Backend %(backend)s receives files: import them with "
                        "the file upload instead.",
                        backend=self.display_name,
                    )
                )
            raise UserError(
                self.env._(
                    "No connector is installed for %(provider)s.",
                    provider=self._provider_label(),
                )
            )
        return adapter_class

    def _get_adapter(self, **settings):
        """A ready-to-use adapter of this backend (the HTTP boundary).

        :param settings: ``AdapterConfig`` values that replace the backend's
            for this adapter (e.g. a shorter ``max_retry_wait`` within a web
            request)
        """
        self.ensure_one()
        config = self.sudo()._get_adapter_config()
        if settings:
            config = dataclasses.replace(config, **settings)
        adapter = self._get_adapter_class()(config)
        adapter.store_api_token = self._store_api_token
        return adapter

    def _store_api_token(self, token):
        """Keep the API token that the source gave in place of the stored one
        (Hubstaff renews its personal access token), in the caller's
        transaction: a synchronisation commits it with its next page or its
        outcome."""
        self.ensure_one()
        if token and token != self.sudo().api_token:
            self.sudo().api_token = token

    def _get_adapter_config(self):
        """The adapter settings of this backend, secrets included.

        Call it through ``sudo()`` (the secrets are manager-only fields), and
        only to build an adapter; never log its result.
        """
        self.ensure_one()
        company = self.company_id
        contact = company.email or company.website
        policy = self._get_url_policy()
        config = AdapterConfig(
            api_url=self.api_url or "",
            api_token=self.api_token or "",
            account_ref=self.account_ref or "",
            webhook_secret=self.webhook_secret or "",
            allow_http=policy["allow_http"],
            allow_private_hosts=policy["allow_private"],
            deadline=self._get_positive_param(
                PARAM_HTTP_DEADLINE, DEFAULT_HTTP_DEADLINE
            ),
            max_response_bytes=int(
                self._get_positive_param(PARAM_HTTP_MAX_BYTES, DEFAULT_HTTP_MAX_BYTES)
            ),
            max_pages=self._get_max_sync_pages(),
        )
        if contact:
            # Harvest requires a User-Agent naming the application and a
            # contact.
            config = dataclasses.replace(
                config, user_agent=f"{config.user_agent} ({contact})"
            )
        return config

    def action_check_connection(self):
        """Call the provider once with the backend's settings."""
        self.ensure_one()
        adapter = self._get_adapter()
        token = self.sudo().api_token
        try:
            description = adapter.check_connection()
        except ProviderError as err:
            message = self.env._(
                "Connection to %(backend)s failed: %(error)s",
                backend=self.display_name,
                error=self._redact_secrets(str(err)),
            )
            if self.sudo().api_token != token:
                # The source replaced the token before the failure: an error
                # would undo storing the new one, which the source may
                # already require.
                return self._connection_notification(message, "danger")
            raise UserError(message) from err
        finally:
            adapter.close()
        return self._connection_notification(
            description or self.display_name, "success"
        )

    def _connection_notification(self, message, kind):
        return notification(
            message,
            kind,
            title=self.env._("Connection successful")
            if kind == "success"
            else self.env._("Connection failed"),
            sticky=kind != "success",
        )
