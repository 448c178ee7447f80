# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Hubstaff API v2 adapter: the time tracked in an organization, per person,
project, task and day.

Order of operations:

1. The personal access token is a refresh token (valid 90 days). It is
   exchanged at the token endpoint (``POST /access_tokens``, form fields
   ``grant_type=refresh_token`` and ``refresh_token``) for an access token,
   which is kept in memory for the adapter's life and sent as ``Bearer``. It
   is exchanged again shortly before it expires (``expires_in``), and once
   more when the API refuses it (401) before that. When the token endpoint
   answers with another refresh token, the adapter uses it from then on and
   hands it to ``store_api_token``, so that the backend keeps it.
2. ``GET /organizations/{id}/activities/daily`` is read by windows of at
   most 31 days (``date[start]`` and ``date[stop]``, both inclusive), each
   window paged with ``page_start_id`` until the answer has no
   ``pagination.next_page_start_id``, with the people, projects and tasks it
   names (``include[]``).
3. The rows of a window are added up per person, project, task and day: one
   entry each, whose id is made of those four
   (``<user>:<project>:<task or 0>:<date>``), so it stays the same from run
   to run whatever ids Hubstaff gives its rows. A window is one page; the
   resume token is the next window.

Why daily activities: Hubstaff records time as 10-minute activity blocks,
and reading the blocks of a week costs about sixty times the requests of its
daily totals, against a limit of 1,000 requests per hour. The day is the
organization's (Hubstaff dates daily activities in its time zone). Time
entries cannot be listed through the API (only created).

Hubstaff has no "changed since" filter and no deletion feed: each run reads
again the ``lookback_days`` (default 90) before the previous one; the first
run reads from ``options['start_date']`` or a year back (Hubstaff keeps daily
activities for three years; older days are not asked for). Unchanged days
are recognised as such by the importer. A day whose time was all deleted at
the source is simply absent: it is not reported as a deletion.

Not confirmed by Hubstaff's documentation, so read leniently: whether every
token answer carries a refresh token, and whether the previous one stops
working then (the adapter stores any new one); the fields of a daily
activity besides ``date``, ``user_id``, ``project_id``, ``task_id`` and
``tracked`` (seconds): ``billable`` is read as seconds or as a flag,
``timesheet_locked`` and ``updated_at`` when present; the key of the rows
(``daily_activities``) and whether ``include[]`` side-loads ``users``,
``projects`` and ``tasks`` there (without them, names stay empty and people
are matched by mappings).
"""

import json
import math
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from ..exceptions import ProviderAuthError, ProviderError
from . import register
from .base import EntryError, ExternalEntry, Page
from .common import (
    MalformedRecord,
    check_plausible,
    nested,
    number,
    parse_date,
    record_error,
    ref,
    require,
    start_window,
    text,
    to_naive_utc,
)
from .http import HttpAdapter, HttpClient
from .paging import PageGuard, read_resume_token
from .redact import secret_forms

LABEL = "Hubstaff"
ACCOUNT_URL = "https://account.hubstaff.com"
WINDOW_DAYS = 31
DEFAULT_HISTORY = timedelta(days=365)
OLDEST = timedelta(days=3 * 365)
# An access token is replaced this many seconds before it expires.
REFRESH_MARGIN = 300.0
SIDE_LOADED = ("users", "projects", "tasks")
TOKEN_HELP = (
    "create a new personal access token in Hubstaff (developer.hubstaff.com, "
    "Personal access tokens) and paste it in the backend's API Token"
)


def _seconds(value, field_name):
    seconds = number(value, field_name)
    if seconds < 0:
        raise MalformedRecord(f"{field_name} {value!r} is negative")
    return seconds


def _row_key(row):
    """``(date, user, project, task)`` of a daily activity row."""
    if not isinstance(row, dict):
        raise TypeError(f"expected an object, got {type(row).__name__}")
    return (
        parse_date(row.get("date"), "date"),
        ref(require(row, "user_id")),
        ref(row.get("project_id")),
        ref(row.get("task_id")),
    )


def external_id_of(key):
    day, user, project, task = key
    return f"{user}:{project or 0}:{task or 0}:{day.isoformat()}"


def _billable(rows, tracked):
    """True when all of the time is billable, False when none is, None when
    part of it is or Hubstaff does not say (the contract decides then)."""
    flags = [row.get("billable") for row in rows]
    if all(isinstance(flag, bool) for flag in flags):
        if all(flags):
            return True
        return False if not any(flags) else None
    if all(
        isinstance(flag, int | float) and not isinstance(flag, bool) for flag in flags
    ):
        billed = sum(flags)
        if billed <= 0:
            return False
        return True if billed >= tracked else None
    return None


def _updated_at(rows):
    """The latest ``updated_at`` of ``rows`` (naive UTC), or None."""
    moments = []
    for row in rows:
        try:
            moment = to_naive_utc(row.get("updated_at"), "updated_at")
        except MalformedRecord:
            continue
        if moment is not None:
            moments.append(moment)
    return max(moments, default=None)


def _to_entry(key, rows, names):
    """The rows of one person, project, task and day -> ExternalEntry."""
    day, user_ref, project_ref, task_ref = key
    tracked = sum(_seconds(row.get("tracked"), "tracked") for row in rows)
    user = names.get("users", {}).get(user_ref) or {}
    project = names.get("projects", {}).get(project_ref) or {}
    task = names.get("tasks", {}).get(task_ref) or {}
    rows = sorted(rows, key=lambda row: ref(row.get("id")))
    return ExternalEntry(
        external_id=external_id_of(key),
        date=day,
        hours=tracked / 3600.0,
        updated_at=_updated_at(rows),
        user_ref=user_ref,
        user_name=text(user.get("name")),
        user_email=text(user.get("email")),
        project_ref=project_ref,
        project_name=text(project.get("name")),
        task_ref=task_ref,
        task_name=text(task.get("summary")) or text(task.get("name")),
        billable=_billable(rows, tracked),
        is_locked=any(row.get("timesheet_locked") is True for row in rows),
        raw={
            "date": day.isoformat(),
            "user_id": user_ref,
            "project_id": project_ref,
            "task_id": task_ref,
            "tracked": tracked,
            "daily_activities": rows,
        },
    )


def aggregate(records, names=None):
    """Daily activity rows -> ``(entries, errors)``: one entry per person,
    project, task and day (pure). A row that cannot be placed is an error
    of its own; a day with an unreadable row is an error as a whole, so that
    it is never imported short of that row's time."""
    names = names or {}
    groups, errors = {}, []
    for record in records:
        try:
            key = _row_key(record)
        except (MalformedRecord, TypeError, ValueError) as err:
            errors.append(record_error(record, err, LABEL, id_of=lambda _r: ""))
            continue
        groups.setdefault(key, []).append(record)
    entries = []
    for key in sorted(groups):
        try:
            entries.append(check_plausible(_to_entry(key, groups[key], names)))
        except MalformedRecord as err:
            external_id = external_id_of(key)
            errors.append(
                EntryError(
                    message=f"{LABEL} time {external_id} cannot be read: {err}.",
                    external_id=external_id,
                    raw={"daily_activities": groups[key]},
                )
            )
    return entries, errors


def _side_load(data, names):
    """Add the people, projects and tasks an answer names to ``names``."""
    for kind in SIDE_LOADED:
        items = data.get(kind)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and item.get("id") is not None:
                names.setdefault(kind, {})[ref(item["id"])] = item


@register
class HubstaffAdapter(HttpAdapter):
    """Hubstaff v2: a personal access token (a refresh token) in the API
    token, the organization ID in account_ref.

    Options: ``lookback_days`` (default 90), ``start_date`` (first run).
    """

    provider = "hubstaff"
    label = LABEL
    default_api_url = "https://api.hubstaff.com/v2"
    default_page_size = 500
    max_page_size = 500
    # A day whose time was all deleted is no longer listed: found by reading
    # the days again (see ProviderAdapter.list_present).
    lists_present_entries = True
    requires_account = True
    account_label = "Hubstaff organization ID"

    def __init__(self, config):
        super().__init__(config)
        self.refresh_token = (config.api_token or "").strip()
        self._access_token = None
        self._renew_at = None
        self._token_client = None
        # Injectable for tests.
        self._clock = time.monotonic

    @property
    def organization(self):
        return str(self.config.account_ref).strip()

    @property
    def token_root(self):
        """Where the token endpoint is: Hubstaff's account server for its
        public API, the API URL's own host for any other (a proxy, a test
        server), so that the token never goes to a third host."""
        if self.base_url == self.default_api_url:
            return ACCOUNT_URL
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def _build_http(self):
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={},
            auth_message=(
                f"Hubstaff refused the access to organization {self.organization}: "
                f"check the organization ID, and that the personal access token "
                f"belongs to an owner or manager of it"
            ),
        )

    def _tokens(self):
        if self._token_client is None:
            self._token_client = HttpClient(
                self.config, f"{LABEL} (token endpoint)", self.token_root
            )
            self._token_client._sleep = self.http._sleep
        return self._token_client

    def _renew_access_token(self):
        """Exchange the refresh token for a new access token."""
        http = self.http
        client = self._tokens()
        form = {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
        try:
            data, _response = client.post_form("access_tokens", form)
        except ProviderError as err:
            if err.status not in (400, 401, 403):
                raise
            raise ProviderAuthError(
                f"Hubstaff refused the personal access token (HTTP {err.status}): "
                f"it lasts 90 days and may have expired or been revoked; "
                f"{TOKEN_HELP}.",
                status=err.status,
            ) from err
        access = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(access, str) or not access.strip():
            raise ProviderError(
                "Hubstaff's token endpoint answered without an access token; check "
                "the API URL in the backend."
            )
        now = self._clock()
        try:
            lifetime = float(data.get("expires_in"))
        except (TypeError, ValueError):
            lifetime = math.nan
        if math.isfinite(lifetime) and lifetime > 0:
            self._renew_at = now + max(lifetime - REFRESH_MARGIN, lifetime / 2)
        else:
            self._renew_at = None  # replaced when the API refuses it
        refresh = data.get("refresh_token")
        if isinstance(refresh, str) and refresh.strip():
            refresh = refresh.strip()
            if refresh != self.refresh_token:
                self.refresh_token = refresh
                if self.store_api_token is not None:
                    self.store_api_token(refresh)
        self._access_token = access.strip()
        http.credential_headers["Authorization"] = f"Bearer {self._access_token}"
        forms = secret_forms(
            self.config.api_token,
            self.config.webhook_secret,
            self.refresh_token,
            self._access_token,
        )
        http._secrets = client._secrets = forms

    def _get(self, path, params=None):
        """GET ``path`` with a valid access token; the decoded answer."""
        if self._access_token is None or (
            self._renew_at is not None and self._clock() >= self._renew_at
        ):
            self._renew_access_token()
        try:
            return self.http.get_json(path, params)[0]
        except ProviderAuthError as err:
            if err.status != 401:
                raise
        # Refused before its time (revoked, clocks apart): once with a new one.
        self._renew_access_token()
        return self.http.get_json(path, params)[0]

    def check_connection(self):
        data = self._get(f"organizations/{self.organization}")
        organization = data.get("organization") if isinstance(data, dict) else None
        name = text(organization.get("name")) if isinstance(organization, dict) else ""
        return (
            f"Connected to Hubstaff organization {self.organization} ({name or '?'})."
        )

    def iter_pages(self, since=None, until=None, resume_token=None):
        if resume_token:
            start, end = read_resume_token(
                LABEL,
                resume_token,
                lambda state: (
                    date.fromisoformat(state["start"]),
                    date.fromisoformat(state["end"]),
                ),
            )
        else:
            today = datetime.now(UTC).date()
            start = start_window(since, self.options) or today - DEFAULT_HISTORY
            start = max(start, today - OLDEST)
            # The organization's day may be ahead of UTC's.
            end = (until.date() if until else today) + timedelta(days=1)
        while start <= end:
            stop = min(start + timedelta(days=WINDOW_DAYS - 1), end)
            records, names = self._read_window(start, stop)
            entries, errors = aggregate(records, names)
            following = stop + timedelta(days=1)
            token = None
            if following <= end:
                token = json.dumps(
                    {"start": following.isoformat(), "end": end.isoformat()},
                    sort_keys=True,
                )
            yield Page(entries=entries, errors=errors, resume_token=token)
            start = following

    def _read_window(self, start, stop):
        """Every daily activity row of the days ``start`` to ``stop``, and the
        people, projects and tasks they name."""
        params = {
            "date[start]": start.isoformat(),
            "date[stop]": stop.isoformat(),
            "page_limit": self.page_size,
            "include[]": list(SIDE_LOADED),
        }
        guard = PageGuard(
            f"{LABEL} (daily activities from {start.isoformat()})",
            self.config.max_pages,
        )
        records, names, cursor = [], {}, ""
        while True:
            query = {**params, "page_start_id": cursor} if cursor else params
            data = self._get(
                f"organizations/{self.organization}/activities/daily", query
            )
            rows = data.get("daily_activities") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ProviderError(
                    "Hubstaff answered the daily activities without a "
                    "daily_activities list; check that the API URL points to "
                    "Hubstaff API v2."
                )
            records.extend(rows)
            _side_load(data, names)
            cursor = ref(nested(data, "pagination", "next_page_start_id"))
            guard.check(cursor or None)
            if not cursor or not rows:
                return records, names

    def close(self):
        if self._token_client is not None:
            self._token_client.close()
            self._token_client = None
        return super().close()
