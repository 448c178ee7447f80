# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Clio Manage API v4 adapter: time entries of the firm's matters.

``GET /activities.json?type=TimeEntry`` with ``updated_since`` for
incremental runs, ordered by id and paged with the cursor of
``meta.paging.next``. The API version is pinned (``X-API-VERSION``), so
``quantity`` is in seconds; fields are named explicitly, as Clio returns only
``id`` and ``etag`` otherwise. The regional host (``eu.app.clio.com``,
``ca.``, ``au.``) is the backend's API URL.

A matter is the project (its id the key, its display number the code), the
matter's client the partner (names read from ``/contacts.json``), the user
the person. ``non_billable`` time is imported as non-billable; an entry on a
running timer waits until it is stopped; an entry already on a Clio bill is
locked. Clio reports no deletions to a poll.
"""

from functools import partial

from ..exceptions import ProviderError
from . import register
from .base import ExternalEntry, Page
from .common import (
    MalformedRecord,
    map_records,
    nested,
    parse_date,
    ref,
    require,
    seconds_to_hours,
    text,
    to_naive_utc,
)
from .http import HttpAdapter, HttpClient
from .linked import Listing, linked_pages, since_filter

LABEL = "Clio"
API_VERSION = "4.0.9"
ACTIVITIES = Listing(
    "activities.json",
    ("data",),
    ("meta", "paging", "next"),
    "Clio answered GET /activities.json without a data list; check that the API "
    "URL points to Clio Manage API v4.",
)
FIELDS = (
    "id,etag,type,date,quantity,quantity_redacted,note,billed,on_bill,"
    "non_billable,updated_at,timer{id},user{id,name,email},"
    "matter{id,display_number,description,client},activity_description{id,name}"
)


def _to_entry(record, client_names=None):
    """Clio TimeEntry activity dict -> ExternalEntry (pure)."""
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "id"))
    if record.get("quantity_redacted"):
        raise MalformedRecord(
            "its hours are hidden from the token's user by Clio's visibility "
            "settings; use the token of a user who sees everyone's time"
        )
    hours = seconds_to_hours(record.get("quantity"), "quantity")
    if hours < 0:
        raise MalformedRecord(f"quantity {record.get('quantity')!r} is negative")
    user = record.get("user") if isinstance(record.get("user"), dict) else {}
    matter = record.get("matter") if isinstance(record.get("matter"), dict) else {}
    client_ref = ref(nested(matter, "client", "id"))
    description = text(record.get("note"))
    activity = text(nested(record, "activity_description", "name"))
    non_billable = record.get("non_billable")
    return ExternalEntry(
        external_id=external_id,
        date=parse_date(record.get("date"), "date"),
        hours=hours,
        description=description or activity,
        updated_at=to_naive_utc(record.get("updated_at"), "updated_at"),
        user_ref=ref(user.get("id")),
        user_name=text(user.get("name")),
        user_email=text(user.get("email")),
        project_ref=ref(matter.get("id")),
        project_name=text(matter.get("description")),
        project_code=text(matter.get("display_number")),
        client_ref=client_ref,
        client_name=(client_names or {}).get(client_ref, ""),
        billable=not non_billable if isinstance(non_billable, bool) else None,
        is_running=bool(record.get("timer")),
        is_locked=bool(record.get("billed") or record.get("on_bill")),
        raw=record,
    )


@register
class ClioAdapter(HttpAdapter):
    """Clio Manage v4: ``Authorization: Bearer <access token>``.

    Options: ``start_date`` (first run: entries dated from then; default:
    all of them).
    """

    provider = "clio"
    label = LABEL
    default_api_url = "https://app.clio.com/api/v4"
    lists_present_entries = True
    default_page_size = 200
    max_page_size = 200

    def __init__(self, config):
        super().__init__(config)
        self._client_names = {}

    def _build_http(self):
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={
                "Authorization": f"Bearer {self.config.api_token}",
                "X-API-VERSION": API_VERSION,
            },
            auth_message=(
                "Clio refused the access token: it may have expired (Clio's last "
                "30 days) or belong to another region (the API URL must be the "
                "account's: app.clio.com, eu.app.clio.com, ca.app.clio.com or "
                "au.app.clio.com)."
            ),
        )

    def check_connection(self):
        data, _response = self.http.get_json(
            "users/who_am_i.json", {"fields": "id,name,email"}
        )
        user = data.get("data") if isinstance(data, dict) else None
        if not isinstance(user, dict):
            raise ProviderError("Clio did not name the token's user.")
        return (
            f"Connected to Clio as {text(user.get('name')) or '?'} "
            f"<{text(user.get('email'))}>."
        )

    def iter_pages(self, since=None, until=None, resume_token=None):
        params = {
            "type": "TimeEntry",
            "order": "id(asc)",
            "limit": self.page_size,
            "fields": FIELDS,
            **since_filter(self.options, since, "updated_since", "start_date"),
        }
        for records, next_url in linked_pages(self, ACTIVITIES, params, resume_token):
            self._read_client_names(records)
            to_entry = partial(_to_entry, client_names=self._client_names)
            entries, errors = map_records(records, to_entry, LABEL)
            yield Page(entries=entries, errors=errors, resume_token=next_url)

    def _read_client_names(self, records):
        """Names of the clients of ``records``' matters that are not known yet
        (Clio gives a matter's client only its id)."""
        wanted = (
            {
                ref(nested(record, "matter", "client", "id"))
                for record in records
                if isinstance(record, dict)
            }
            - set(self._client_names)
            - {""}
        )
        if not wanted:
            return
        data, _response = self.http.get_json(
            "contacts.json", {"ids[]": sorted(wanted), "fields": "id,name"}
        )
        for contact in (data.get("data") if isinstance(data, dict) else None) or []:
            if isinstance(contact, dict) and contact.get("id") is not None:
                self._client_names[ref(contact["id"])] = text(contact.get("name"))
        for missing in wanted - set(self._client_names):
            self._client_names[missing] = ""
