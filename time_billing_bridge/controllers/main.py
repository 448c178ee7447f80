# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook endpoint: providers push time entries as they change.

One URL per backend, ``/time_billing_bridge/webhook/<backend id>``. The call
is checked in this order, and nothing is written before the signature holds:

1. the body has a length (else 411) no larger than
   ``time_billing_bridge.webhook_max_bytes`` (else 413, from the route's
   ``max_content_length``, before Odoo parses anything);
2. the backend exists, is active and has a webhook secret, and the signature
   matches (else 401, the same answer in every case, so that backend ids
   cannot be told apart from outside): Toggl's
   ``X-Webhook-Signature-256``, Clockify's ``Clockify-Signature``, or for the
   other backends ``X-Signature-256: sha256=<hex>`` over
   ``"<X-Timestamp>.<body>"``;
3. the body is JSON (else 400), carries at most
   ``time_billing_bridge.webhook_max_entries`` entries (else 413), and its
   signed timestamp lies within
   ``time_billing_bridge.webhook_replay_window`` seconds of now; a delivery
   signed earlier than that (a redelivery after an outage, or a replay) is
   answered ``200 {"status": "late"}`` and not applied: the backend's next
   synchronisation, moved to now, imports what it was about; any other
   timestamp is refused (400);
4. the same call was not received before: a repeated delivery (provider
   retry, replay, also under another unsigned event name) is answered
   ``200 {"status": "duplicate"}`` and changes nothing, so that the provider
   stops retrying;
5. deletions pushed by a provider whose calls are not signed (Clockify) are
   confirmed at the source first: an entry the source still has is not
   deleted (``200 {"status": "ignored"}``), and when the source cannot be
   asked the call is answered 503, to be delivered again.

An accepted event goes through the same import as polling does (a sync run
with the trigger "Webhook").
"""

import dataclasses
import json
import logging
import re
import time
from datetime import datetime, timezone

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..providers import get_adapter_class
from ..providers.webhooks import timestamp_is_fresh, verify_hmac_signature

_logger = logging.getLogger(__name__)

GENERIC_SIGNATURE_HEADER = "X-Signature-256"
GENERIC_TIMESTAMP_HEADER = "X-Timestamp"
GENERIC_EVENT_HEADER = "X-Event-Id"
# Refused calls are logged at most this often per backend id (seconds): a
# flood of forged calls must not flood the log.
REFUSAL_LOG_INTERVAL = 60
_last_refusal_logs = {}


def _log_refusal(backend_id, reason):
    """Log a refused call, at most once a REFUSAL_LOG_INTERVAL per backend
    id, with the number of calls refused meanwhile."""
    now = time.monotonic()
    last, count = _last_refusal_logs.get(backend_id, (None, 0))
    if last is not None and now - last < REFUSAL_LOG_INTERVAL:
        _last_refusal_logs[backend_id] = (last, count + 1)
        return
    if len(_last_refusal_logs) > 10000:
        _last_refusal_logs.clear()
    _last_refusal_logs[backend_id] = (now, 0)
    _logger.warning(
        "Webhook call for backend %s refused: %s (%s more refused in the last %s s)",
        backend_id,
        reason,
        count,
        REFUSAL_LOG_INTERVAL,
    )


def _max_content_length(controller):
    """The largest body Odoo reads for this route, forms included."""
    return request.env["time.billing.webhook.event"].sudo()._get_max_bytes()


class TimeBillingWebhookController(http.Controller):
    @http.route(
        "/time_billing_bridge/webhook/<int:backend_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=_max_content_length,
    )
    def time_billing_webhook(self, backend_id, **kwargs):
        Event = request.env["time.billing.webhook.event"].sudo()
        content_length = request.httprequest.content_length
        if content_length is None:
            # Bodies of unknown length (chunked) could be of any size.
            return self._reply(411, error="length_required")
        # Larger bodies than time_billing_bridge.webhook_max_bytes never get
        # here: the route's max_content_length makes Odoo answer 413 before
        # it parses them.

        # Only the backend's own fields are read with sudo before the
        # signature is verified.
        backend = request.env["time.billing.backend"].sudo().browse(backend_id)
        backend = backend.exists()
        if not backend or not backend.active or not backend.webhook_secret:
            _log_refusal(backend_id, "no active backend with a webhook secret")
            return self._reply(401, error="invalid_signature")
        # Werkzeug reads no more than the announced length.
        raw_body = request.httprequest.get_data()
        headers = request.httprequest.headers
        adapter_class = get_adapter_class(backend.provider)
        if adapter_class and getattr(adapter_class, "supports_webhooks", False):
            adapter = backend._get_adapter()
            timestamp = None
            verified = self._verify_any(
                backend,
                lambda secret: adapter_class(
                    dataclasses.replace(adapter.config, webhook_secret=secret)
                ).verify_webhook(raw_body, headers),
            )
        else:
            adapter = None
            timestamp = headers.get(GENERIC_TIMESTAMP_HEADER)
            verified = bool(timestamp) and self._verify_any(
                backend,
                lambda secret: verify_hmac_signature(
                    secret,
                    raw_body,
                    headers.get(GENERIC_SIGNATURE_HEADER),
                    timestamp=timestamp,
                ),
            )
        if not verified:
            _log_refusal(backend_id, "invalid signature")
            return self._reply(401, error="invalid_signature")
        try:
            payload = json.loads(raw_body)
        except ValueError:
            return self._reply(400, error="malformed_json")
        entries = payload.get("entries") if isinstance(payload, dict) else None
        if isinstance(entries, list) and len(entries) > Event._get_max_entries():
            # Importing them would outlast the provider's patience: it would
            # send them again and again.
            _log_refusal(backend_id, "too many entries")
            return self._reply(413, error="too_many_entries")
        if adapter is not None:
            handshake = adapter.webhook_handshake(payload)
            if handshake is not None:
                _logger.info("Webhook handshake answered for backend %s", backend_id)
                return request.make_json_response(handshake)
            event_id, timestamp = self._event_identity(payload)
        else:
            event_id = headers.get(GENERIC_EVENT_HEADER) or ""
        event_date = None
        if timestamp:
            event_date = self._parse_moment(timestamp)
            window = Event._get_replay_window()
            if event_date is None or not timestamp_is_fresh(
                event_date.timestamp(), tolerance=window
            ):
                if event_date is not None and event_date.timestamp() < time.time():
                    # Signed but late: a redelivery after an outage, or a
                    # replay. It is not applied (a replay must change
                    # nothing), the provider is told to stop retrying, and the
                    # next synchronisation imports what it was about.
                    backend.with_user(SUPERUSER_ID)._catch_up_late_webhook(event_date)
                    return request.make_json_response({"status": "late"})
                _log_refusal(backend_id, "timestamp out of window")
                return self._reply(400, error="timestamp_out_of_window")
        # The digest covers what was signed, and of the unsigned headers only
        # what changes the call's effect (a Clockify deletion): a retried or
        # replayed delivery meets it again, under any other event name, while
        # two distinct events never share it, even with a reused event id.
        kind = adapter.webhook_delivery_kind(headers) if adapter else ""
        digest = Event._make_digest(kind, timestamp or "", raw_body)
        event_type = headers.get("Clockify-Webhook-Event-Type") or ""
        event_ref = " ".join(filter(None, [event_type, event_id]))
        result = Event.with_user(SUPERUSER_ID)._receive(
            backend.with_user(SUPERUSER_ID).with_company(backend.company_id),
            payload,
            headers=dict(headers),
            digest=digest,
            event_ref=event_ref,
            event_date=event_date,
        )
        status = result.pop("http_status", 200)
        return request.make_json_response(result, status=status)

    @staticmethod
    def _verify_any(backend, check):
        """True if the call is signed with one of the backend's secrets.

        The secret field may hold several secrets separated by spaces: one
        per Clockify webhook, or the old and the new one while rotating. All
        are checked, so the time taken does not tell which one matched.
        """
        results = [check(secret) for secret in backend.webhook_secret.split()]
        return any(results)

    def _event_identity(self, payload):
        """(event id, signed timestamp) of a provider's event, when it has them.

        Toggl's envelope carries its id and the moment it was sent, both
        covered by the signature. Clockify sends neither.
        """
        if not isinstance(payload, dict):
            return "", None
        event_id = payload.get("event_id")
        timestamp = payload.get("timestamp")
        if timestamp in (None, ""):
            timestamp = payload.get("created_at")
        if timestamp in (None, ""):
            timestamp = None
        elif isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool):
            # UNIX seconds: checked against the window like a date.
            timestamp = str(timestamp)
        elif not isinstance(timestamp, str):
            # Neither a date nor a number: it cannot lie within the window.
            timestamp = repr(timestamp)
        return (str(event_id) if event_id not in (None, "") else "", timestamp)

    @staticmethod
    def _parse_moment(value):
        """UNIX seconds or an ISO 8601 moment -> aware datetime, or None."""
        value = str(value).strip()
        if re.fullmatch(r"\d+(\.\d+)?", value):
            try:
                return datetime.fromtimestamp(float(value), tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
        if value[-1:] in ("Z", "z"):
            value = value[:-1] + "+00:00"
        # Python's parser takes at most 6 fractional digits; Toggl sends 9.
        head, dot, rest = value.partition(".")
        if dot:
            digits = len(rest) - len(rest.lstrip("0123456789"))
            value = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment

    @staticmethod
    def _reply(status, **data):
        return request.make_json_response(data, status=status)
