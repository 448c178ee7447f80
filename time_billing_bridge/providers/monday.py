# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""monday.com adapter: the sessions of the time tracking columns of boards.

Order of operations, per board named in the backend (``account_ref``, board
ids separated by commas):

1. ``boards(ids:)`` gives the board's name and its columns; the columns of
   type ``time_tracking`` are the ones read (a board without one is noted
   on the run and skipped).
2. ``boards { items_page(limit:) }`` gives the first page of items with those
   columns' values, then ``next_items_page(cursor:)`` the next ones until
   the cursor is null. Every call is a GraphQL POST to the one endpoint,
   arguments as variables, with ``API-Version`` and the token as is in
   ``Authorization``.
3. Each session of a column's ``history`` is one entry, keyed
   ``<item id>:<column id>:<session id>``; its hours are ``ended_at`` minus
   ``started_at`` (a session carries no duration of its own). A session
   without ``ended_at`` while the timer runs is a running timer, which the
   importer keeps waiting until it stops. The person is ``started_user_id``,
   whose name and e-mail come from one ``users(ids:)`` query per page.
4. The board is the project, the item the task; monday knows no clients.

Incremental runs: the items are read again (monday offers no "changed
since" filter on items that we could confirm), but only the sessions of a
time tracking value whose ``updated_at`` is at most a day older than the
previous synchronisation are passed on. Deleted sessions and items are not
reported; monday has no approval of tracked time.

Errors come back as HTTP 200 with an ``errors`` list as often as with an
HTTP status. A used-up complexity budget (``COMPLEXITY_BUDGET_EXHAUSTED``
with ``extensions.retry_in_seconds``, or the older ``ComplexityException``
whose message says "reset in N seconds"), and any other error naming a
wait, is treated as a rate limit: waited for and retried.

Confirmed from monday's documentation: the endpoint, the ``API-Version``
header, the column type ``time_tracking`` and its fields (``running``,
``updated_at``, ``history``), the cursor paging and the 60-minute life of a
cursor, the error formats above. Seen only in monday's examples and in
client libraries: the token sent without "Bearer", ``column_values(ids:)``,
``users(ids:, limit:)`` and the fields of a history item (hence only those
this adapter needs are asked for). Not confirmed, hence read leniently:
the format of the history's dates (ISO 8601 or Unix seconds or milliseconds
are accepted), the values of a session's ``status`` (kept in the payload,
not interpreted), whether a session id is unique beyond its item (hence the
composite key), and the name of the error for an expired cursor (a resumed
run whose cursor is refused reads that board again from its first item).
"""

import json
import re
from datetime import UTC, datetime, timedelta
from functools import partial

from ..exceptions import ProviderAuthError, ProviderError, RetryableProviderError
from . import register
from .base import ExternalEntry, Page
from .common import (
    MalformedRecord,
    local_date,
    map_records,
    parse_moment,
    ref,
    text,
    work_interval,
)
from .http import HttpAdapter
from .monday_client import MondayClient
from .paging import read_resume_token

LABEL = "monday.com"
API_VERSION = "2025-07"
COLUMN_TYPE = "time_tracking"
USER_BATCH = 100
# How much older than the previous synchronisation a time tracking value
# may look and still be read again (clocks, late writes at the source).
UPDATE_MARGIN = timedelta(days=1)
_SESSION_FIELDS = "id status started_at ended_at started_user_id updated_at"
_ITEM_FIELDS = (
    "cursor items { id name column_values(ids: $columns) { id type "
    "... on TimeTrackingValue { running updated_at history { "
    + _SESSION_FIELDS
    + " } } } }"
)
BOARD_QUERY = (
    "query ($board: [ID!]) { boards(ids: $board) { id name "
    "columns { id title type } } }"
)
FIRST_PAGE_QUERY = (
    "query ($board: [ID!], $limit: Int!, $columns: [String!]) { "
    "boards(ids: $board) { items_page(limit: $limit) { " + _ITEM_FIELDS + " } } }"
)
NEXT_PAGE_QUERY = (
    "query ($cursor: String!, $limit: Int!, $columns: [String!]) { "
    "next_items_page(cursor: $cursor, limit: $limit) { " + _ITEM_FIELDS + " } }"
)
USERS_QUERY = (
    "query ($ids: [ID!], $limit: Int) { users(ids: $ids, limit: $limit) "
    "{ id name email } }"
)
ME_QUERY = "query { me { id name email } }"


def _moment(value, field_name):
    """A history date -> aware datetime, or None when empty.

    ISO 8601 (naive read as UTC), or Unix seconds or milliseconds.
    """
    if value is None or value == "":
        return None
    number = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d+(?:\.\d+)?", value.strip()):
        number = float(value)
    if number is not None:
        if number > 1e11:  # milliseconds
            number /= 1000
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise MalformedRecord(f"{field_name} {value!r} is not a time") from None
    moment = parse_moment(value)
    if moment is None:
        raise MalformedRecord(f"{field_name} {value!r} is not a time")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _naive_utc(moment):
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def session_key(record):
    """External id of a session record built by :func:`session_records`."""
    return ":".join(
        (
            ref(record["item"]["id"]),
            ref(record["column_id"]),
            ref(record["session"]["id"]),
        )
    )


def session_records(board, items, since=None):
    """``(records, stopped)``: the sessions of ``items`` as records for
    :func:`to_entry`, each with its board, item and column, and the
    ``(item id, column id)`` whose timer is stopped. Only the values updated
    since ``since`` (naive UTC, less :data:`UPDATE_MARGIN`) when it is
    given."""
    floor = since - UPDATE_MARGIN if since else None
    records, stopped = [], set()
    for item in items:
        if not isinstance(item, dict):
            continue
        for value in item.get("column_values") or []:
            if not isinstance(value, dict) or not isinstance(
                value.get("history"), list
            ):
                continue
            if floor is not None:
                try:
                    updated = _moment(value.get("updated_at"), "updated_at")
                except MalformedRecord:
                    updated = None
                if updated is not None and _naive_utc(updated) < floor:
                    continue
            for session in value["history"]:
                records.append(
                    {
                        "board": {"id": ref(board["id"]), "name": text(board["name"])},
                        "item": {
                            "id": ref(item.get("id")),
                            "name": text(item.get("name")),
                        },
                        "column_id": ref(value.get("id")),
                        "session": session,
                    }
                )
            if value.get("running") is False:
                # Not in the payloads: it changes with the other sessions.
                stopped.add((ref(item.get("id")), ref(value.get("id"))))
    return records, stopped


def to_entry(record, users=None, stopped=()):
    """One session record -> ExternalEntry (pure). ``users`` maps user ids to
    ``{"name", "email"}``; ``stopped`` holds the ``(item id, column id)``
    whose timer is stopped."""
    session = record.get("session")
    if not isinstance(session, dict):
        raise TypeError(f"expected a session object, got {type(session).__name__}")
    if not ref(session.get("id")):
        raise MalformedRecord("missing session id")
    external_id = session_key(record)
    started = _moment(session.get("started_at"), "started_at")
    ended = _moment(session.get("ended_at"), "ended_at")
    if started is None:
        raise MalformedRecord(
            "the session has no start time, so its length is unknown "
            "(monday.com gives a session no duration of its own)"
        )
    running = ended is None
    if running and (record["item"]["id"], record["column_id"]) in stopped:
        raise MalformedRecord(
            "the session has no end time although the column's timer is stopped"
        )
    if not running and ended < started:
        raise MalformedRecord(
            f"the session ends ({ended.isoformat()}) before it starts "
            f"({started.isoformat()})"
        )
    user_ref = ref(session.get("started_user_id"))
    user = (users or {}).get(user_ref) or {}
    updated = _moment(session.get("updated_at"), "updated_at")
    began, finished = work_interval(started, ended)
    return ExternalEntry(
        external_id=external_id,
        date=local_date(started, "UTC"),
        hours=0.0 if running else (ended - started).total_seconds() / 3600,
        updated_at=_naive_utc(updated or ended or started),
        user_ref=user_ref,
        user_name=text(user.get("name")),
        user_email=text(user.get("email")),
        project_ref=record["board"]["id"],
        project_name=record["board"]["name"],
        task_ref=record["item"]["id"],
        task_name=record["item"]["name"],
        is_running=running,
        start=began,
        end=finished,
        raw=record,
    )


def _key_of(record):
    session = record.get("session") if isinstance(record, dict) else None
    if not isinstance(session, dict) or not ref(session.get("id")):
        return ""
    return session_key(record)


@register
class MondayAdapter(HttpAdapter):
    """monday.com GraphQL API: a personal API token (sent as is in
    ``Authorization``) and the board ids, separated by commas, in
    account_ref."""

    provider = "monday"
    label = LABEL
    default_api_url = "https://api.monday.com/v2"
    requires_account = True
    account_label = "monday.com board IDs"
    default_page_size = 100
    # A first run reads every session of the boards: deleted ones are found
    # by reading them again (see ProviderAdapter.list_present).
    lists_present_entries = True
    max_page_size = 500

    def __init__(self, config):
        super().__init__(config)
        self._users = {}
        self._boards = {}

    @property
    def boards(self):
        """The board ids of the backend, in order, without repeats."""
        seen = []
        for part in re.split(r"[,\s;]+", str(self.config.account_ref or "")):
            if part and part not in seen:
                seen.append(part)
        return seen

    def _build_http(self):
        bad = [board for board in self.boards if not board.isdigit()]
        if bad or not self.boards:
            found = ", ".join(repr(b) for b in bad)
            raise ProviderError(
                "monday.com board IDs are numbers separated by commas (the number "
                "in a board's address, after /boards/)"
                + (f"; {found} is not one." if bad else ": none is set.")
            )
        return MondayClient(
            self.config,
            LABEL,
            self.base_url,
            headers={
                "Authorization": self.config.api_token.strip(),
                "API-Version": API_VERSION,
                "Content-Type": "application/json",
            },
            auth_message=(
                "monday.com refused the API token: copy it again from monday.com "
                "(profile picture > Developers > API token) into the backend."
            ),
        )

    def _board(self, board_id):
        """``(board, time tracking column ids)``, read once per adapter."""
        if board_id not in self._boards:
            self._boards[board_id] = self._read_board(board_id)
        return self._boards[board_id]

    def _read_board(self, board_id):
        data = self.http.graphql(BOARD_QUERY, {"board": [board_id]})
        boards = data.get("boards")
        if not isinstance(boards, list) or not boards or not boards[0]:
            raise ProviderError(
                f"monday.com board {board_id} does not exist or the token's user "
                f"cannot see it: check the board IDs in the backend."
            )
        board = boards[0]
        columns = [
            ref(column.get("id"))
            for column in board.get("columns") or []
            if isinstance(column, dict) and column.get("type") == COLUMN_TYPE
        ]
        board = {
            "id": ref(board.get("id")) or board_id,
            "name": text(board.get("name")),
        }
        return board, columns

    def check_connection(self):
        me = self.http.graphql(ME_QUERY).get("me") or {}
        names = []
        for board_id in self.boards:
            board, columns = self._board(board_id)
            names.append(
                f"{board['name'] or board_id}"
                + ("" if columns else " (no time tracking column)")
            )
        return (
            f"Connected to monday.com as {text(me.get('name')) or '?'} "
            f"<{text(me.get('email'))}>; boards: {', '.join(names)}."
        )

    def _resolve_users(self, records):
        """Name and e-mail of the people who started the sessions, read once
        per person."""
        wanted = sorted(
            {
                ref(r["session"].get("started_user_id"))
                for r in records
                if isinstance(r.get("session"), dict)
            }
            - set(self._users)
            - {""}
        )
        for start in range(0, len(wanted), USER_BATCH):
            batch = wanted[start : start + USER_BATCH]
            data = self.http.graphql(USERS_QUERY, {"ids": batch, "limit": len(batch)})
            for user in data.get("users") or []:
                if isinstance(user, dict) and user.get("id") is not None:
                    self._users[ref(user["id"])] = {
                        "name": text(user.get("name")),
                        "email": text(user.get("email")),
                    }
            for user_id in batch:
                # Deactivated or hidden people: mapped by their id.
                self._users.setdefault(user_id, {})
        return self._users

    def _page(self, board, columns, cursor):
        """``(items, next cursor)`` of one page of a board."""
        variables = {"limit": self.page_size, "columns": columns}
        if cursor:
            data = self.http.graphql(NEXT_PAGE_QUERY, {**variables, "cursor": cursor})
            page = data.get("next_items_page")
        else:
            data = self.http.graphql(
                FIRST_PAGE_QUERY, {**variables, "board": [board["id"]]}
            )
            boards = data.get("boards") or [{}]
            page = boards[0].get("items_page") if isinstance(boards[0], dict) else None
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise ProviderError(
                f"monday.com answered the items of board {board['id']} without "
                f"an items list."
            )
        return page["items"], text(page.get("cursor")) or None

    def iter_pages(self, since=None, until=None, resume_token=None):
        index, cursor = 0, None
        if resume_token:
            index, cursor = read_resume_token(
                LABEL,
                resume_token,
                lambda state: (int(state["board"]), state.get("cursor") or None),
            )
        if since is not None and since.tzinfo is not None:
            since = _naive_utc(since)
        boards = self.boards
        while index < len(boards):
            board, columns = self._board(boards[index])
            notes = []
            if not columns:
                notes.append(
                    f"monday.com board {board['name'] or board['id']} "
                    f"({board['id']}) has no time tracking column: nothing to read."
                )
                items, next_cursor = [], None
            else:
                try:
                    items, next_cursor = self._page(board, columns, cursor)
                except (ProviderAuthError, RetryableProviderError):
                    raise
                except ProviderError:
                    if not cursor or not resume_token:
                        raise
                    # The cursor of an interrupted run has expired.
                    notes.append(
                        f"monday.com no longer accepted where the interrupted "
                        f"synchronisation stopped on board {board['id']} (its "
                        f"cursors last 60 minutes): the board is read again from "
                        f"its first item."
                    )
                    items, next_cursor = self._page(board, columns, None)
                resume_token = None
            records, stopped = session_records(board, items, since)
            users = self._resolve_users(records)
            entries, errors = map_records(
                records,
                partial(to_entry, users=users, stopped=stopped),
                LABEL,
                id_of=_key_of,
            )
            if next_cursor:
                token = {"board": index, "cursor": next_cursor}
            elif index + 1 < len(boards):
                token = {"board": index + 1, "cursor": None}
            else:
                token = None
            yield Page(
                entries=entries,
                errors=errors,
                notes=notes,
                resume_token=json.dumps(token, sort_keys=True) if token else None,
            )
            if next_cursor:
                cursor = next_cursor
            else:
                index, cursor = index + 1, None
