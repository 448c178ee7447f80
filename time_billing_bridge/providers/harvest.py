# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Harvest API v2 adapter.

``GET /v2/time_entries`` with ``per_page`` up to 2,000, following
``links.next`` (cursor pagination) and ``updated_since`` for incremental runs.
Harvest reports no deletions: removed entries are found by re-reading a window.
"""

import logging
from functools import partial

from ..exceptions import ProviderAuthError, ProviderError, ProviderNotFound
from . import register
from .base import ExternalEntry, Page
from .common import (
    local_interval,
    map_records,
    nested,
    number,
    parse_date,
    ref,
    require,
    text,
    to_naive_utc,
)
from .http import HttpAdapter, HttpClient
from .linked import Listing, linked_pages, since_filter
from .paging import PageGuard

_logger = logging.getLogger(__name__)

LABEL = "Harvest"
TIME_ENTRIES = Listing(
    "time_entries",
    ("time_entries",),
    ("links", "next"),
    "Harvest answered GET /time_entries without a time_entries list; check that "
    "the API URL points to Harvest API v2.",
)
# Harvest wants the application's name and a way to reach its authors.
CONTACT = "https://github.com/time-billing-bridge/time_billing_bridge"


def _object(record, key):
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _to_entry(record, user_emails=None):
    """Harvest time entry dict -> ExternalEntry (pure)."""
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "id"))
    spent_date = parse_date(record.get("spent_date"), "spent_date")
    hours = number(record.get("hours"), "hours")
    user = _object(record, "user")
    project = _object(record, "project")
    task = _object(record, "task")
    client = _object(record, "client")
    user_ref = ref(user.get("id"))
    approval_status = text(record.get("approval_status"))
    if not approval_status and record.get("is_closed"):
        approval_status = "approved"  # before approval_status existed
    billable = record.get("billable")
    # Accounts that track start and end times give them as local clock
    # times ("8:00am") of the spent date.
    began, ended = local_interval(
        record.get("spent_date"),
        record.get("started_time"),
        None,
        record.get("ended_time"),
    )
    return ExternalEntry(
        external_id=external_id,
        date=spent_date,
        hours=hours,
        description=text(record.get("notes")),
        updated_at=to_naive_utc(record.get("updated_at"), "updated_at"),
        user_ref=user_ref,
        user_name=text(user.get("name")),
        user_email=(user_emails or {}).get(user_ref, ""),
        project_ref=ref(project.get("id")),
        project_name=text(project.get("name")),
        project_code=text(project.get("code")),
        task_ref=ref(task.get("id")),
        task_name=text(task.get("name")),
        client_ref=ref(client.get("id")),
        client_name=text(client.get("name")),
        billable=billable if isinstance(billable, bool) else None,
        is_running=bool(record.get("is_running")),
        is_locked=bool(record.get("is_locked")),
        approval_status=approval_status,
        start=began,
        end=ended,
        raw=record,
    )


@register
class HarvestAdapter(HttpAdapter):
    """Harvest v2: Bearer token + ``Harvest-Account-Id`` + ``User-Agent``.

    ``iter_pages(since)`` asks for ``updated_since=since``; ``until`` is not
    a Harvest filter, so every change up to the call is returned (the
    importer is idempotent). The first run reads everything, or from
    ``options['start_date']`` (spent date) when set.
    """

    provider = "harvest"
    label = LABEL
    default_api_url = "https://api.harvestapp.com/v2"
    reports_approval = True
    lists_present_entries = True
    default_page_size = 2000
    max_page_size = 2000
    requires_account = True
    account_label = "Harvest account ID"

    def __init__(self, config):
        super().__init__(config)
        self._user_emails = None

    def _build_http(self):
        account = self.config.account_ref
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={
                "Authorization": f"Bearer {self.config.api_token}",
                "Harvest-Account-Id": str(account),
                "User-Agent": self.user_agent,
            },
            auth_message=(
                f"Harvest refused the access token for account {account}: check "
                f"the token and account ID in the backend."
            ),
        )

    @property
    def user_agent(self):
        """The configured User-Agent, with a contact link when it has none."""
        agent = self.config.user_agent or "Odoo time_billing_bridge"
        return agent if "(" in agent else f"{agent} ({CONTACT})"

    def check_connection(self):
        me, _response = self.http.get_json("users/me")
        company, _response = self.http.get_json("company")
        if not isinstance(me, dict) or not isinstance(company, dict):
            raise ProviderError("Harvest answered /users/me with an unexpected shape.")
        name = " ".join(
            part
            for part in (text(me.get("first_name")), text(me.get("last_name")))
            if part
        )
        return (
            f"Connected to Harvest account {self.config.account_ref} "
            f"({text(company.get('name')) or '?'}) as {name or '?'} "
            f"<{text(me.get('email'))}>."
        )

    def iter_pages(self, since=None, until=None, resume_token=None):
        params = {
            "per_page": self.page_size,
            **since_filter(self.options, since, "updated_since", "from"),
        }
        for records, next_url in linked_pages(self, TIME_ENTRIES, params, resume_token):
            to_entry = partial(_to_entry, user_emails=self._emails())
            entries, errors = map_records(records, to_entry, LABEL)
            yield Page(entries=entries, errors=errors, resume_token=next_url)

    def _emails(self):
        """Harvest user id -> e-mail; entries only carry the user's name.

        ``/users`` needs an administrator or a manager token: with a member
        token the e-mails stay empty and users are mapped by name or id.
        """
        if self._user_emails is None:
            emails = {}
            url, params = "users", {"per_page": self.max_page_size}
            guard = PageGuard(f"{LABEL} (users)", self.config.max_pages)
            try:
                while url:
                    data, _response = self.http.get_json(url, params)
                    users = data.get("users") if isinstance(data, dict) else None
                    for user in users or []:
                        if isinstance(user, dict) and user.get("id") is not None:
                            emails[ref(user["id"])] = text(user.get("email"))
                    next_url = nested(data, "links", "next")
                    guard.check(next_url if isinstance(next_url, str) else None)
                    url = self._follow(next_url, "users") if next_url else None
                    params = None
            except (ProviderAuthError, ProviderNotFound) as err:
                _logger.debug("Harvest users not readable, no e-mails: %s", err)
            self._user_emails = emails
        return self._user_emails
