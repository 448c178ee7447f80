# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook signature checks and handshakes, as pure functions.

Every comparison runs in constant time (``hmac.compare_digest``). A missing
secret or a missing header never verifies: an unconfigured backend refuses
all calls rather than accepting unsigned ones.
"""

import hashlib
import hmac
import time


def _as_bytes(value):
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def header(headers, name):
    """Case-insensitive header lookup on any mapping (werkzeug or dict)."""
    if not headers:
        return None
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


def hmac_sha256_hex(secret, raw_body):
    """Hex HMAC-SHA256 of ``raw_body`` keyed with ``secret``."""
    return hmac.new(_as_bytes(secret), _as_bytes(raw_body), hashlib.sha256).hexdigest()


def sign_toggl(secret, raw_body):
    """The ``X-Webhook-Signature-256`` value Toggl sends for ``raw_body``."""
    return "sha256=" + hmac_sha256_hex(secret, raw_body)


def verify_toggl_signature(secret, raw_body, header_value):
    """Check Toggl's ``X-Webhook-Signature-256: sha256=<hex>`` header.

    The signature is the HMAC-SHA256 of the raw, unparsed request body keyed
    with the subscription secret.
    """
    if not secret or not header_value:
        return False
    expected = sign_toggl(secret, raw_body)
    return hmac.compare_digest(
        _as_bytes(expected), _as_bytes(str(header_value).strip())
    )


def verify_clockify_signature(token, header_value):
    """Check Clockify's ``Clockify-Signature`` header.

    For webhooks created in Clockify's settings the header carries the
    webhook's own token (shown next to the webhook); it is not an HMAC of
    the body, so only equality can be checked.
    """
    if not token or not header_value:
        return False
    return hmac.compare_digest(
        _as_bytes(str(token).strip()), _as_bytes(str(header_value).strip())
    )


def verify_hmac_signature(secret, raw_body, header_value, timestamp=None):
    """Generic HMAC-SHA256 check for providers that sign their bodies.

    ``header_value`` is the hex digest, optionally prefixed ``sha256=``. When
    ``timestamp`` is given the signed message is ``f"{timestamp}.{body}"``
    (the scheme that lets the receiver refuse replays; check the timestamp's
    age with :func:`timestamp_is_fresh`).
    """
    if not secret or not header_value:
        return False
    value = str(header_value).strip()
    if value[:7].lower() == "sha256=":
        value = value[7:]
    message = _as_bytes(raw_body)
    if timestamp is not None:
        message = _as_bytes(timestamp) + b"." + message
    expected = hmac_sha256_hex(secret, message)
    return hmac.compare_digest(_as_bytes(expected), _as_bytes(value.lower()))


def timestamp_is_fresh(timestamp, tolerance=300, now=None):
    """True when a UNIX ``timestamp`` is within ``tolerance`` seconds of now."""
    try:
        moment = float(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    return abs(now - moment) <= tolerance


def toggl_validation_response(payload):
    """Answer to Toggl's subscription validation ping, or None.

    Toggl sends a ping carrying ``validation_code`` to a subscription that is
    not yet validated; answering 200 with ``{"validation_code": <code>}``
    validates it synchronously.
    """
    if not isinstance(payload, dict):
        return None
    code = payload.get("validation_code")
    if not code or not isinstance(code, str | int):
        return None
    return {"validation_code": code}
