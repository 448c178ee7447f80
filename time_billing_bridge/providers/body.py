# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading a response body within a deadline and a size limit.

``requests`` bounds each socket operation, not the whole exchange: a server
that trickles one byte at a time keeps a read alive forever, and one that
sends gigabytes fills the memory. :func:`read_body` streams the body, stops
past ``limit`` bytes (as decoded, so a compressed bomb stops too) and, at
the deadline, shuts the socket down from a timer so that a blocked read
returns at once.
"""

import os
import socket
import threading
import time

import requests

CHUNK = 64 * 1024


class DeadlineExceeded(requests.Timeout):
    """The exchange took longer than its overall deadline."""


class BodyTooLarge(Exception):
    """The response body is larger than the limit."""


class IncompleteBody(requests.ConnectionError):
    """The connection closed before the end of the answer."""


class _Watchdog:
    """Shuts the response's connection down at the deadline.

    It holds its own duplicate of the socket, so that the connection it
    shuts down is this one even if urllib3 closes or recycles its socket
    first; once ``stop`` ran, it does nothing.
    """

    def __init__(self, response, seconds):
        self.fired = threading.Event()
        self._lock = threading.Lock()
        self._stopped = False
        try:
            self._sock = socket.socket(fileno=os.dup(response.raw.fileno()))
        except (AttributeError, OSError, ValueError):
            self._sock = None  # the chunk loop still checks the deadline
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self):
        with self._lock:
            if self._stopped:
                return
            self.fired.set()
            if self._sock is not None:
                try:
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    return

    def stop(self):
        self._timer.cancel()
        with self._lock:
            self._stopped = True
            if self._sock is not None:
                self._sock.close()


def read_body(response, deadline_at, limit):
    """Read the body of a streamed ``response`` into ``response.content``.

    :param deadline_at: ``time.monotonic()`` value by which it must be read
    :param limit: the largest body accepted, in bytes
    :raise DeadlineExceeded: at the deadline
    :raise BodyTooLarge: past ``limit`` (announced or read)
    """
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limit:
        response.close()
        raise BodyTooLarge()
    remaining = deadline_at - time.monotonic()
    if remaining <= 0:
        response.close()
        raise DeadlineExceeded()
    watchdog = _Watchdog(response, remaining)
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge()
            chunks.append(chunk)
            if watchdog.fired.is_set() or time.monotonic() > deadline_at:
                raise DeadlineExceeded()
        if watchdog.fired.is_set():  # the shut socket may read as a short body
            raise DeadlineExceeded()
        _check_complete(response, size)
    except (requests.RequestException, BodyTooLarge) as err:
        response.close()
        if watchdog.fired.is_set() and not isinstance(
            err, DeadlineExceeded | BodyTooLarge
        ):
            raise DeadlineExceeded() from err
        raise
    finally:
        watchdog.stop()
    response._content = b"".join(chunks)
    return response


def _check_complete(response, size):
    """Raise IncompleteBody when the connection closed before the end of the
    answer: fewer bytes than its Content-Length (urllib3 1.x does not check),
    or no body at all after headers that give neither its length nor chunks
    (the headers themselves were cut short)."""
    length = response.headers.get("Content-Length", "")
    if length.isdigit():
        received = response.raw.tell()
        if received < int(length):
            raise IncompleteBody(
                f"the connection closed after {received} of {length} bytes"
            )
        return
    chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
    if not size and not chunked and response.status_code not in (204, 205, 304):
        raise IncompleteBody("the connection closed before the body")
