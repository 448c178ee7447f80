# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import dataclasses
import hashlib
import json
import logging
from datetime import timedelta, timezone

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.tools import mute_logger

from ..const import (
    DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS,
    PARAM_WEBHOOK_EVENT_RETENTION_DAYS,
)
from ..exceptions import ProviderError
from ..providers import get_adapter_class
from ..providers.generic import parse_generic_payload

_logger = logging.getLogger(__name__)

# Defaults of the system parameters read by the webhook endpoint.
DEFAULT_WEBHOOK_MAX_BYTES = 1024 * 1024
DEFAULT_WEBHOOK_MAX_ENTRIES = 1000
DEFAULT_WEBHOOK_REPLAY_WINDOW = 300
# Events whose call carried no signed timestamp (Clockify) cannot be refused as
# too old: their digest is kept this long so that a replayed call stays a no-op.
UNTIMED_EVENT_RETENTION = timedelta(days=7)
# Kept a little longer than the replay window, so that a call at the edge of
# the window still meets its digest.
REPLAY_WINDOW_MARGIN = timedelta(hours=1)
# A deletion is confirmed at the source while the provider waits for the
# answer: one quick attempt.
CONFIRM_MAX_WAIT = 2.0
CONFIRM_DEADLINE = 15.0

WEBHOOK_EVENT_STATES = [
    ("processed", "Processed"),
    ("ignored", "Ignored"),
    ("failed", "Unreadable"),
]


class TimeBillingWebhookEvent(models.Model):
    """One webhook call accepted by the endpoint, kept to refuse replays.

    The row is inserted before the call is processed, in the same
    transaction: a second delivery of the same event (provider retry, replay)
    meets the unique key and becomes a no-op, including when both arrive at
    the same time.
    """

    _name = "time.billing.webhook.event"
    _description = "Time Billing Webhook Event"
    _order = "id desc"
    _rec_name = "event_ref"
    _check_company_auto = True

    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    digest = fields.Char(
        required=True,
        readonly=True,
        help="SHA-256 of the signed content of the call (body, and timestamp "
        "or event type when the provider sends them).",
    )
    event_ref = fields.Char(
        string="Event",
        readonly=True,
        help="Event id and type as the provider sent them.",
    )
    event_date = fields.Datetime(
        readonly=True, help="When the provider says it sent the event (signed)."
    )
    expire_date = fields.Datetime(
        required=True,
        index=True,
        readonly=True,
        help="Until this moment the record refuses a replay of the call; after "
        "it, the record is deleted once it is older than the retention period "
        "of webhook events (the replay window refuses older calls by then).",
    )
    state = fields.Selection(
        selection=WEBHOOK_EVENT_STATES, default="processed", readonly=True
    )
    sync_run_id = fields.Many2one(
        comodel_name="time.billing.sync.run",
        ondelete="set null",
        readonly=True,
    )
    message = fields.Text(readonly=True)
    payload = fields.Text(
        readonly=True, help="The body of an event that could not be read."
    )

    _backend_digest_uniq = models.Constraint(
        "UNIQUE(backend_id, digest)",
        "This webhook event was already received.",
    )

    @api.model
    def _make_digest(self, *parts):
        """Digest identifying an event: SHA-256 over ``parts`` (str or bytes)."""
        sha = hashlib.sha256()
        for part in parts:
            if isinstance(part, str):
                part = part.encode()
            sha.update(part or b"")
            # Separator, so that ("ab", "c") and ("a", "bc") differ.
            sha.update(b"\0")
        return sha.hexdigest()

    @api.model
    def _get_replay_window(self):
        """Seconds a signed timestamp may lie away from now."""
        return self._get_int_param(
            "time_billing_bridge.webhook_replay_window", DEFAULT_WEBHOOK_REPLAY_WINDOW
        )

    @api.model
    def _get_max_bytes(self):
        """Largest webhook body accepted, in bytes."""
        return self._get_int_param(
            "time_billing_bridge.webhook_max_bytes", DEFAULT_WEBHOOK_MAX_BYTES
        )

    @api.model
    def _get_max_entries(self):
        """Most entries one delivery may carry (pushed lists of entries)."""
        return self._get_int_param(
            "time_billing_bridge.webhook_max_entries", DEFAULT_WEBHOOK_MAX_ENTRIES
        )

    @api.model
    def _get_int_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    @api.model
    def _claim(self, backend, digest, event_ref="", event_date=None):
        """Record the event; return it, or None if it was already received.

        Runs in a savepoint: a concurrent delivery of the same event waits for
        the first transaction and then meets the unique key here.
        """
        now = fields.Datetime.now()
        if event_date and event_date.tzinfo:
            event_date = event_date.astimezone(timezone.utc).replace(tzinfo=None)
        if event_date:
            expire = now + timedelta(seconds=self._get_replay_window())
            expire += REPLAY_WINDOW_MARGIN
        else:
            expire = now + UNTIMED_EVENT_RETENTION
        domain = [("backend_id", "=", backend.id), ("digest", "=", digest)]
        if self.search_count(domain, limit=1):
            return None
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                return self.create(
                    {
                        "backend_id": backend.id,
                        "digest": digest,
                        "event_ref": (event_ref or "")[:255],
                        "event_date": event_date,
                        "expire_date": expire,
                    }
                )
        except IntegrityError:
            return None

    @api.model
    def _receive(
        self, backend, payload, headers=None, digest="", event_ref="", event_date=None
    ):
        """Import one verified webhook event; return the JSON answer.

        The answer is a dict; its ``http_status`` key, when present, is the
        HTTP status to answer with (200 otherwise).
        """
        event = self._claim(backend, digest, event_ref=event_ref, event_date=event_date)
        if not event:
            return {"status": "duplicate"}
        try:
            page = self._parse_payload(backend, payload, headers or {})
        except (ProviderError, ValueError, TypeError, KeyError) as err:
            _logger.warning(
                "Webhook event for backend %s cannot be read: %s", backend.id, err
            )
            event.write(
                {
                    "state": "failed",
                    "message": str(err),
                    "payload": json.dumps(payload, indent=1, ensure_ascii=False),
                }
            )
            return {"http_status": 400, "error": "unreadable_payload"}
        if page.deleted_ids:
            try:
                page = self._confirm_deletions(backend, event, page)
            except ProviderError as err:
                # Whether the entries are gone is unknown: forget the call, so
                # that its next delivery is tried again.
                _logger.warning(
                    "Webhook deletion for backend %s not confirmed at the source: %s",
                    backend.id,
                    backend._redact_secrets(str(err)),
                )
                event.unlink()
                return {"http_status": 503, "error": "source_unavailable"}
        if not (page.entries or page.errors or page.deleted_ids):
            event.state = "ignored"
            return {"status": "ignored"}
        run = backend._start_sync_run("webhook")
        counts = backend._process_page(page, run)
        run._finish()
        event.sync_run_id = run
        return {"status": "processed", "counts": counts}

    @api.model
    def _confirm_deletions(self, backend, event, page):
        """``page`` without the deletions the source does not confirm.

        Asked within the provider's request, so with one quick attempt; raises
        ProviderError when the source cannot answer.
        """
        adapter_class = get_adapter_class(backend.provider)
        if not (adapter_class and getattr(adapter_class, "supports_webhooks", False)):
            return page
        config = backend.sudo()._get_adapter_config()
        adapter = adapter_class(
            dataclasses.replace(
                config,
                max_retries=1,
                max_retry_wait=CONFIRM_MAX_WAIT,
                deadline=min(config.deadline, CONFIRM_DEADLINE),
            )
        )
        try:
            gone = set(adapter.confirm_deleted(page.deleted_ids))
        finally:
            adapter.close()
        kept = [
            external_id for external_id in page.deleted_ids if external_id not in gone
        ]
        if kept:
            _logger.warning(
                "Webhook call for backend %s reports %s deleted, but the source "
                "still has it: not deleted",
                backend.id,
                ", ".join(kept),
            )
            event.message = self.env._(
                "Reported deleted, but still at the source, so not deleted: "
                "%(ids)s. If nobody deleted it, the webhook's token may be "
                "known to others: replace it.",
                ids=", ".join(kept),
            )
        return dataclasses.replace(
            page, deleted_ids=[i for i in page.deleted_ids if i in gone]
        )

    @api.model
    def _parse_payload(self, backend, payload, headers):
        """Page of entries carried by one event. Hook for extensions.

        Providers with a webhook scheme of their own parse their events; the
        other backends receive the neutral format of ``providers/generic.py``.
        """
        adapter_class = get_adapter_class(backend.provider)
        if adapter_class and getattr(adapter_class, "supports_webhooks", False):
            return backend._get_adapter().parse_webhook(payload, headers=headers)
        return parse_generic_payload(payload)

    @api.autovacuum
    def _gc_expired_events(self):
        """Forget events the replay window refuses anyway, once they are
        older than the retention period (system parameter
        ``time_billing_bridge.webhook_event_retention_days``)."""
        now = fields.Datetime.now()
        days = self._get_int_param(
            PARAM_WEBHOOK_EVENT_RETENTION_DAYS, DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS
        )
        expired = self.search(
            [
                ("expire_date", "<", now),
                ("create_date", "<", now - timedelta(days=days)),
            ],
            limit=10000,
        )
        expired.unlink()
        _logger.debug("Removed %d expired webhook events", len(expired))
        return len(expired), len(expired) == 10000
