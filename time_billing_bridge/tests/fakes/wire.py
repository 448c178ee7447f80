# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What goes over the wire between an adapter and a fake API: the requests
a fake records, the responses it sends, and its timestamps."""

import json
import socket
import time
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


def send_trickle(
    handler, body, chunk_size=1, delay=0.0, announce_length=False, in_headers=False
):
    """Answer 200 with ``body`` written ``chunk_size`` bytes at a time,
    ``delay`` seconds apart, then close: a slow or oversized answer. Without
    ``announce_length`` there is no Content-Length (the body ends at close).
    With ``in_headers`` the status line and headers come that slowly too."""
    handler.close_connection = True
    try:
        if in_headers:
            raw = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\nX-Padding: " + b"x" * 200 + b"\r\n\r\n"
            ) + body
            for start in range(0, len(raw), chunk_size):
                handler.wfile.write(raw[start : start + chunk_size])
                handler.wfile.flush()
                time.sleep(delay)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        if announce_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for start in range(0, len(body), chunk_size):
            handler.wfile.write(body[start : start + chunk_size])
            handler.wfile.flush()
            if delay:
                time.sleep(delay)
    except (BrokenPipeError, ConnectionResetError):
        return


def send_dropped(handler, response, after="body"):
    """Send part of ``response``, then drop the connection: a provider or
    proxy that dies mid-answer. ``after="body"`` announces the full
    Content-Length and sends half of the body; ``after="headers"`` stops in
    the middle of the status line and headers."""
    handler.close_connection = True
    head = [f"HTTP/1.1 {response.status} Answer"]
    head += [f"{key}: {value}" for key, value in response.headers.items()]
    head.append(f"Content-Length: {len(response.body)}")
    raw_head = ("\r\n".join(head) + "\r\n\r\n").encode()
    if after == "headers":
        raw = raw_head[: len(raw_head) // 2]
    else:
        raw = raw_head + response.body[: len(response.body) // 2]
    try:
        handler.wfile.write(raw)
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        return
