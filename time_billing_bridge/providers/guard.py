# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Guards on the connections the HTTP client opens.

- The address a connection reaches is checked once connected, before a byte
  is sent: a host name checked as public by :func:`.urls.check_url` may
  resolve to a private address a moment later (DNS rebinding).
- The wait for the status line and headers of a response ends at the
  exchange's deadline: the socket timeout bounds each read, not a server
  that sends its headers one byte at a time. (The body is bounded by
  :func:`.body.read_body`.)

Connections through a proxy are left to the proxy.
"""

import contextlib
import functools
import ipaddress
import socket
import threading
import time

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..const import PARAM_ALLOW_PRIVATE
from .body import DeadlineExceeded
from .urls import UnsafeUrlError, is_public

_exchange = threading.local()


@contextlib.contextmanager
def deadline(at):
    """Within the block, response headers must arrive by ``at``
    (``time.monotonic()`` seconds)."""
    previous = getattr(_exchange, "deadline", None)
    _exchange.deadline = at
    try:
        yield
    finally:
        _exchange.deadline = previous


def _shut(sock, fired):
    fired.set()
    with contextlib.suppress(OSError):  # already closed: nothing to end
        sock.shutdown(socket.SHUT_RDWR)


class _Guarded:
    check_peer = True

    def _new_conn(self):
        sock = super()._new_conn()
        if self.check_peer:
            address = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
            if not is_public(address):
                sock.close()
                raise UnsafeUrlError(
                    f"{self.host} now resolves to a private, loopback, link-local "
                    f"or reserved address ({address}), which an API token must "
                    f"not be sent to: nothing was sent. Set the system parameter "
                    f"{PARAM_ALLOW_PRIVATE} to 1 to allow such hosts."
                )
        return sock

    def getresponse(self, *args, **kwargs):
        at = getattr(_exchange, "deadline", None)
        if at is None or self.sock is None:
            return super().getresponse(*args, **kwargs)
        fired = threading.Event()
        timer = threading.Timer(
            max(0.0, at - time.monotonic()), _shut, (self.sock, fired)
        )
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse(*args, **kwargs)
        except Exception as err:
            if fired.is_set():
                raise DeadlineExceeded("no response headers by the deadline") from err
            raise
        finally:
            timer.cancel()


@functools.cache
def _pool_classes(check_peer):
    def pool(base, connection):
        conn_cls = type(
            f"Guarded{connection.__name__}",
            (_Guarded, connection),
            {"check_peer": check_peer},
        )
        return type(f"Guarded{base.__name__}", (base,), {"ConnectionCls": conn_cls})

    return {
        "http": pool(HTTPConnectionPool, HTTPConnection),
        "https": pool(HTTPSConnectionPool, HTTPSConnection),
    }


class GuardedAdapter(HTTPAdapter):
    """``requests`` transport whose direct connections are guarded."""

    def __init__(self, allow_private=False, **kwargs):
        self._pool_classes = _pool_classes(not allow_private)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        result = super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes
        return result


def guard_session(session, allow_private=False):
    """Mount the guarded transport on ``session`` for http and https."""
    adapter = GuardedAdapter(allow_private=allow_private)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
