# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Provider-neutral interface between the adapters and the importer.

Adapters are plain Python: they take an :class:`AdapterConfig`, talk HTTP or
read files, and yield :class:`Page` objects of :class:`ExternalEntry`. They
never touch the ORM. The importer (``time.billing.entry``) maps and upserts.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

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
