# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Secrets out of text: the forms a token travels in, and their removal.

A token reaches a message or a log line as itself, URL-encoded (a query
string), JSON-escaped, or base64-encoded inside HTTP Basic credentials
(``user:token``, ``token:api_token``). :func:`secret_forms` lists all of them;
for base64 it takes the part of the encoding that depends on the token alone,
at each of the three alignments it can have inside a longer value, so that
any Basic header (or other base64 blob) that carries the token is caught.
"""

import base64
import json
from urllib.parse import quote, quote_plus

MASK = "***"
# Shorter forms are not searched for: they would mask ordinary words.
MIN_FORM = 4
_URLSAFE = str.maketrans("+/", "-_")


def _base64_cores(raw):
    """The base64 characters determined by ``raw`` alone, at offsets 0-2."""
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        # Characters touched by the prefix, and by whatever follows.
        start = (offset * 8 + 5) // 6
        end = (offset + len(raw)) * 8 // 6
        cores.append(encoded[start:end])
    return cores


def secret_forms(*secrets):
    """Every form of ``secrets`` worth masking, longest first.

    A secret holding several values separated by spaces (webhook secrets
    during a change, Clockify's signing tokens) is masked value by value too.
    """
    forms = set()
    parts = [part for secret in secrets if secret for part in secret.split()]
    for secret in (*secrets, *parts):
        if not secret or len(secret) < MIN_FORM:
            continue
        forms.update(
            {
                secret,
                quote(secret, safe=""),
                quote_plus(secret),
                json.dumps(secret)[1:-1],
            }
        )
        for core in _base64_cores(secret.encode()):
            forms.update({core, core.translate(_URLSAFE)})
    return sorted((f for f in forms if len(f) >= MIN_FORM), key=len, reverse=True)


def redact(text, forms):
    """``text`` with each of ``forms`` (see :func:`secret_forms`) masked."""
    if not text:
        return text
    for form in forms:
        text = text.replace(form, MASK)
    return text
