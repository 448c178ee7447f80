# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which API URLs an adapter may call, and whether two URLs share an origin.

A backend's token goes only to its API URL: https, a public address, no
credentials in the URL itself. Plain http and private, loopback, link-local,
reserved or multicast addresses are refused unless the system parameters
named in the messages allow them (a test server, a proxy on the same host).

:func:`check_url` runs twice: when the URL is saved (without DNS, so literal
addresses and ``localhost`` only) and before every request (with DNS, as the
name may resolve elsewhere by then), redirects included.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from ..const import PARAM_ALLOW_HTTP, PARAM_ALLOW_PRIVATE
from ..exceptions import ProviderError


class UnsafeUrlError(ProviderError):
    """The URL may not receive the backend's credentials."""


def _literal_address(host):
    """The IP address ``host`` spells, in any form the resolver accepts
    (``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``[::1]``), or None."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        if not host or any(c not in "0123456789abcdefx." for c in host.lower()):
            return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public(address):
    """Whether ``address`` (an ``ipaddress`` object) is a public unicast one."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def resolve(host, port):
    """The addresses ``host`` resolves to (a list of ``ipaddress`` objects)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_url(url, allow_http=False, allow_private=False, resolve_host=True):
    """Raise UnsafeUrlError unless ``url`` may receive credentials.

    :param resolve_host: resolve a host name and check every address it
        resolves to; without it only literal addresses and ``localhost`` are
        checked (when saving, without waiting for DNS).
    """
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as err:
        raise UnsafeUrlError(f"{url!r} is not a valid URL: {err}.") from err
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrlError(
            f"{url!r} is not a web address: it must start with https:// and name "
            f"a host."
        )
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrlError(
            "The API URL must not contain a user name or password: put the token "
            "in the API Token field."
        )
    if scheme == "http" and not allow_http:
        raise UnsafeUrlError(
            f"{parts.hostname} is addressed over plain http, which would send the "
            f"token unencrypted: use https, or set the system parameter "
            f"{PARAM_ALLOW_HTTP} to 1 to allow http."
        )
    if allow_private:
        return
    host = parts.hostname
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    elif host == "localhost" or host.endswith(".localhost"):
        addresses = [ipaddress.ip_address("127.0.0.1")]
    elif resolve_host:
        try:
            addresses = resolve(host, port or (443 if scheme == "https" else 80))
        except (OSError, UnicodeError) as err:
            raise UnsafeUrlError(f"The host {host} cannot be resolved: {err}.") from err
    else:
        return
    for address in addresses:
        if not is_public(address):
            raise UnsafeUrlError(
                f"{host} is a private, loopback, link-local or reserved address "
                f"({address}), which an API token must not be sent to: use the "
                f"provider's public address, or set the system parameter "
                f"{PARAM_ALLOW_PRIVATE} to 1 to allow such hosts."
            )


def origin(url):
    """``(scheme, host, port)`` of ``url``, the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # refused with a message by check_url
        port = None
    return (
        scheme,
        (parts.hostname or "").lower(),
        port or (443 if scheme == "https" else 80),
    )
