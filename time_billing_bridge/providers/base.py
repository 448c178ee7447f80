# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Provider-neutral interface between the adapters and the importer.

Adapters are plain Python: they take an :class:`AdapterConfig`, talk HTTP or
read files, and yield :class:`Page` objects of :class:`ExternalEntry`. They
never touch the ORM. The importer (``time.billing.entry``) maps and upserts.
"""

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..const import (
    DEFAULT_HTTP_DEADLINE,
    DEFAULT_HTTP_MAX_BYTES,
    DEFAULT_SYNC_MAX_PAGES,
)


@dataclass(frozen=True)
class AdapterConfig:
    """What an adapter needs to know about its backend, as plain values."""

    api_url: str = ""
    # Secrets: kept out of repr(), hence out of tracebacks and log lines.
    api_token: str = field(default="", repr=False)
    account_ref: str = ""
    webhook_secret: str = field(default="", repr=False)
    user_agent: str = "Odoo time_billing_bridge"
    timeout: float = 30.0
    max_retries: int = 5
    # Upper bound on a single back-off wait, whatever Retry-After says.
    max_retry_wait: float = 120.0
    page_size: int = 0  # 0: the adapter's own default
    options: dict = field(default_factory=dict)
    # First back-off wait in seconds; doubles on each retry, plus jitter.
    retry_backoff: float = 1.0
    # Seconds one HTTP exchange may take in all (``timeout`` bounds each
    # socket operation), and the largest response body read.
    deadline: float = float(DEFAULT_HTTP_DEADLINE)
    max_response_bytes: int = DEFAULT_HTTP_MAX_BYTES
    # What the system parameters allow the API URL to be (see .urls).
    allow_http: bool = False
    allow_private_hosts: bool = False
    # The most pages one listing may have (see .paging.PageGuard).
    max_pages: int = DEFAULT_SYNC_MAX_PAGES
    # A second service the source names its records in (the Jira site of a
    # Tempo backend): its URL, user and token.
    linked_url: str = ""
    linked_user: str = ""
    linked_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class ExternalEntry:
    """One time entry as the source reports it, normalised."""

    external_id: str
    date: date | None
    hours: float
    description: str = ""
    updated_at: datetime | None = None  # naive UTC
    user_ref: str = ""
    user_name: str = ""
    user_email: str = ""
    project_ref: str = ""
    project_name: str = ""
    project_code: str = ""
    task_ref: str = ""
    task_name: str = ""
    client_ref: str = ""
    client_name: str = ""
    client_email: str = ""
    client_phone: str = ""
    billable: bool | None = None
    is_running: bool = False
    is_locked: bool = False
    approval_status: str = ""
    deleted: bool = False
    # Where the entry came from in a file (1-based, header = line 1).
    line_number: int | None = None
    # When the work started and ended, when the source records them (both or
    # neither, end after start). Timezone-aware when the source gives an
    # offset or UTC; naive otherwise, and then the person's local wall-clock
    # time.
    start: datetime | None = None
    end: datetime | None = None
    # JSON-serialisable payload exactly as received (dict for APIs, row dict
    # for files).
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EntryError:
    """A record the adapter received but could not read."""

    message: str
    external_id: str = ""
    line_number: int | None = None
    raw: dict = field(default_factory=dict)
    # What is wrong with it: "bad_date", "bad_hours", "repeated_row", or ""
    # for a record that cannot be read at all (the kinds of exception of
    # time.billing.entry).
    kind: str = ""


@dataclass
class Page:
    """One batch from the source.

    ``resume_token`` is what the adapter needs to continue with the next page
    if the run stops after this one is committed (a URL, an offset...); None
    when this was the last page.
    """

    entries: list[ExternalEntry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    resume_token: str | None = None
    # What the adapter recognised or assumed, worded for the person who
    # started the import (e.g. "Dates such as 03/04/2026 are read as
    # day/month/year..."); the importer shows them on the run.
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceListing:
    """What a complete re-read of a date window found at the source.

    ``ids``: the external ids of every record listed (entries, and records
    that could not be read but carry an id). ``user_refs``: the people the
    listing covered, or None when it covers everyone; entries of other
    people cannot be told gone from it.
    """

    ids: frozenset
    user_refs: frozenset | None = None


class ProviderAdapter:
    """Base class of the provider adapters.

    Subclasses set ``provider`` (the selection key of ``time.billing.backend``)
    and ``default_api_url`` (the provider's public API root, which a backend
    uses unless it names another; empty for sources without an API), and
    implement :meth:`check_connection` and :meth:`iter_pages`.
    """

    provider = ""
    default_api_url = ""
    # Whether entries carry the source's approval (``approval_status``
    # "approved" when approved there), so that a backend may wait for it.
    reports_approval = False

    def __init__(self, config: AdapterConfig):
        self.config = config
        # Set by the backend: called with the new API token when the source
        # replaces the configured one (Hubstaff's personal access token), so
        # that the backend stores it. The adapter itself never stores it.
        self.store_api_token = None

    def check_connection(self) -> str:
        """Call the provider once; return a short description of the account.

        Raises ProviderAuthError / ProviderError with a readable message.
        """
        raise NotImplementedError

    def iter_pages(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        resume_token: str | None = None,
    ) -> Iterator[Page]:
        """Yield pages of entries updated at the source since ``since``.

        ``resume_token`` continues an interrupted run from the page after the
        last committed one.
        """
        raise NotImplementedError

    def iter_deleted(self, since: datetime | None = None) -> Iterator[str]:
        """Yield the external ids deleted at the source since ``since``.

        Providers that cannot report deletions yield nothing.
        """
        return iter(())

    # Whether a first run of :meth:`iter_pages` from ``options['start_date']``
    # lists every entry still at the source dated from that day, so that
    # deletions can be found by re-reading a window (:meth:`list_present`).
    # Providers with a deletion feed (:meth:`iter_deleted`) leave it False.
    lists_present_entries = False

    def list_present(self, first_day: date, last_day: date) -> SourceListing:
        """Read the source's entries dated ``first_day`` to ``last_day``
        whole: their ids, and the people the listing covered.

        Reuses the listing of a first run from ``first_day`` (it may return
        later entries too). Raises ProviderError when any page fails or the
        listing does not end within ``config.max_pages`` pages: a listing
        read in part is never returned.
        """
        # Imported here: .paging imports .http, which imports this module.
        from .paging import PageGuard

        options = {**(self.config.options or {}), "start_date": first_day.isoformat()}
        window = type(self)(dataclasses.replace(self.config, options=options))
        guard = PageGuard(
            f"{getattr(self, 'label', '') or self.provider} (deletion check)",
            self.config.max_pages,
        )
        ids = set()
        try:
            until = datetime.combine(last_day + timedelta(days=1), time.min)
            for page in window.iter_pages(until=until):
                guard.check(page.resume_token)
                ids.update(entry.external_id for entry in page.entries)
                ids.update(error.external_id for error in page.errors)
            ids.discard("")
            return SourceListing(frozenset(ids), window.listed_user_refs())
        finally:
            window.close()

    def listed_user_refs(self) -> frozenset | None:
        """The people whose entries :meth:`iter_pages` lists, when it lists
        them person by person (None: everyone's entries)."""
        return None

    def recheck_approvals(self, waiting) -> Page:
        """The entries among ``waiting`` that the source approved since.

        ``waiting`` lists the entries a backend holds until the source
        approves them, as dicts (``external_id``, ``user_ref``, ``date``,
        ``raw``: the payload last received). Returns a Page of those now
        approved, as the source reports them, for the importer. Sources whose
        approval changes the entry itself (it then comes back by the usual
        incremental read) return an empty Page.
        """
        return Page()

    def close(self):
        """Release what the adapter holds (HTTP connections); safe to repeat."""

    # -- webhooks (providers that push events override these) ---------------

    supports_webhooks = False

    def verify_webhook(self, raw_body: bytes, headers: Mapping) -> bool:
        """True when the call carries a valid signature for this backend.

        ``headers`` is any case-insensitive or plain mapping of the request
        headers. Refuses everything unless the provider overrides it.
        """
        return False

    def webhook_handshake(self, payload: dict) -> dict | None:
        """The body to answer a subscription handshake with, or None."""
        return None

    def parse_webhook(self, payload: dict, headers: Mapping | None = None) -> Page:
        """Turn one pushed event into a Page, exactly as polling would."""
        raise NotImplementedError

    def webhook_delivery_kind(self, headers: Mapping) -> str:
        """What the unsigned headers of a call add to its identity.

        Deliveries are told apart by what was signed; a provider that names
        the event in an unsigned header returns here only the distinction
        that changes what the call does (e.g. "deletion"), so that a replay
        under another event name meets the first delivery.
        """
        return ""

    def confirm_deleted(self, external_ids: list[str]) -> list[str]:
        """The ids among ``external_ids`` that are really gone at the source.

        Providers whose webhook calls are signed trust the call; the others
        ask the source, so that a leaked token cannot delete time.
        """
        return list(external_ids)
