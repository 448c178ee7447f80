# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Clockify's change log ("Entity changes", marked experimental by Clockify).

``GET /workspaces/{ws}/entities/created``, ``.../updated`` and
``.../deleted`` list the time entries (``type=TIME_ENTRY``) created, updated
or deleted between ``start`` and ``end`` (``yyyy-MM-ddThh:mm:ssZ``), paged
by ``page`` (from 0) and ``limit``. Clockify documents that an entry created
and updated within the range is listed only as created, and one created and
deleted within it not at all; that a deletion shows about a minute after it
happened; and that a missing bound makes a 30-day range. So a run asks for
both created and updated, in slices of at most :data:`MAX_SLICE`.

The answers are read leniently, since Clockify documents their shape only
loosely: a bare list or ``{"response": [...]}``, whose items are ids or
objects naming the entry as ``document.id`` (else ``id``).
"""

from datetime import timedelta

from ..exceptions import ProviderError
from .common import ref, utc_iso
from .paging import PageGuard

LABEL = "Clockify"
ENTITY_TYPE = "TIME_ENTRY"
MAX_SLICE = timedelta(days=30)
CHANGE_PAGE_SIZE = 200
# Answers meaning "this workspace cannot use the change log": the window is
# re-read instead. 401 (the key refused) is not among them.
UNAVAILABLE_STATUSES = frozenset({400, 403, 404, 405, 422})


def slices(start, end, size=MAX_SLICE):
    """``[(from, to), ...]`` covering ``start`` to ``end`` in ``size`` steps."""
    result = []
    while start < end:
        stop = min(start + size, end)
        result.append((start, stop))
        start = stop
    return result


def change_ids(data):
    """The entry ids of one answer of the change log, in order."""
    items = data.get("response") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ProviderError(
            "Clockify answered its change log with an unexpected shape (a list "
            "was expected)."
        )
    ids = []
    for item in items:
        if isinstance(item, str | int) and not isinstance(item, bool):
            ids.append(ref(item))
        elif isinstance(item, dict):
            document = item.get("document")
            value = document.get("id") if isinstance(document, dict) else None
            ids.append(ref(value or item.get("id")))
    return [value for value in ids if value]


def is_unavailable(err):
    """Whether ``err`` says the change log cannot be used here."""
    return getattr(err, "status", None) in UNAVAILABLE_STATUSES


def list_changes(http, workspace, kind, start, end, max_pages):
    """Ids of the time entries ``kind`` (created, updated, deleted) from
    ``start`` to ``end`` (naive UTC), first seen first, without repeats."""
    seen = {}
    guard = PageGuard(f"{LABEL} (changes)", max_pages)
    for low, high in slices(start, end):
        page = 0
        while True:
            data, _response = http.get_json(
                f"workspaces/{workspace}/entities/{kind}",
                {
                    "type": ENTITY_TYPE,
                    "start": utc_iso(low),
                    "end": utc_iso(high),
                    "page": page,
                    "limit": CHANGE_PAGE_SIZE,
                },
            )
            guard.check()
            ids = change_ids(data)
            seen.update(dict.fromkeys(ids))
            items = data.get("response") if isinstance(data, dict) else data
            if len(items) < CHANGE_PAGE_SIZE:
                break
            page += 1
    return list(seen)
