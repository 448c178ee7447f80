# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What goes over the wire between an adapter and a fake API: the requests
a fake records, the responses it sends, and its timestamps."""

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

UTC = timezone.utc


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict  # name -> list of values
    headers: dict
    body: bytes
    time: float  # time.monotonic() on arrival
    status: int = 0

    @property
    def params(self):
        """Query parameters, last value of each."""
        return {key: values[-1] for key, values in self.query.items()}

    @property
    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def header(self, name):
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def json_response(data, status=200, headers=None):
    return Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def text_response(text, status=200, headers=None):
    return Response(
        status=status,
        body=text.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8", **(headers or {})},
    )


def iso_utc(moment):
    """Aware datetime -> ``2026-03-02T09:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value):
    """ISO 8601 date or date-time (``Z`` allowed) -> aware datetime, or None."""
    if not value:
        return None
    value = value.strip().replace(" ", "+")
    if value[-1:] in ("Z", "z"):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
