# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one HTTP helper the provider adapters share.

It owns what every adapter must get right the same way: a reused
``requests.Session``, a timeout on every call, retries with exponential
back-off and jitter for rate limits, server errors and network failures
(honouring ``Retry-After``), the translation of HTTP failures into the
exceptions of :mod:`..exceptions`, and debug logs that never show a secret.

Credentials (the adapter's headers and auth) go only to the origin of the
backend's API URL: a redirect elsewhere is followed without them. Every URL
called, redirects included, is checked by :func:`.urls.check_url`; every
exchange has an overall deadline and a body size limit (:mod:`.body`).
"""

import logging
import random
import re
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from ..const import PARAM_HTTP_MAX_BYTES
from ..exceptions import (
    ProviderAuthError,
    ProviderError,
    ProviderNotFound,
    ProviderQuotaExceeded,
    RetryableProviderError,
)
from .base import ProviderAdapter
from .body import BodyTooLarge, DeadlineExceeded, IncompleteBody, read_body
from .guard import deadline, guard_session
from .redact import redact, secret_forms
from .urls import check_url, origin

_logger = logging.getLogger(__name__)

# Query parameters whose values never reach a log line.
_SECRET_PARAM = re.compile(
    r"((?:access_token|api_token|api_key|apikey|token|key|secret|password"
    r"|signature)=)[^&#]*",
    re.IGNORECASE,
)
_DETAIL_MAX = 200
# Redirects followed by one request; each is checked like the API URL.
MAX_REDIRECTS = 5


def mask_url(url):
    """The URL with secret-looking query values replaced by ``***``."""
    return _SECRET_PARAM.sub(r"\1***", url or "")


def parse_retry_after(value, now=None):
    """``Retry-After`` (delta-seconds or HTTP-date) -> seconds, or None."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        now = now or datetime.now(timezone.utc)
        seconds = (moment - now).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


class HttpClient:
    """JSON-over-HTTP client with the retry and error policy of the adapters.

    :param config: the adapter's :class:`~.base.AdapterConfig` (timeout,
        retries, back-off, ``max_retry_wait``, user agent).
    :param label: provider name used in messages ("Harvest").
    :param base_url: prefix of relative paths.
    :param headers: credential headers (authentication, account), sent only
        to the origin of ``base_url``.
    :param auth: a ``requests`` auth object (Toggl's HTTP Basic), optional;
        used only on the origin of ``base_url`` too.
    :param auth_message: what a person should do when the credentials are
        refused, e.g. "Harvest refused the access token for account 123: check
        the token and account ID in the backend."
    :param quota_status: HTTP status meaning "quota for this window used up"
        (Toggl: 402); raised as ProviderQuotaExceeded, never retried here.
    :param quota_reset_header: header giving the seconds until that quota
        resets.
    """

    retry_statuses = frozenset({408, 425, 429, 500, 502, 503, 504})

    def __init__(
        self,
        config,
        label,
        base_url,
        headers=None,
        auth=None,
        auth_message="",
        quota_status=None,
        quota_reset_header=None,
    ):
        self.config = config
        self.label = label
        self.base_url = (base_url or "").rstrip("/")
        self.auth_message = auth_message or (
            f"{label} refused the credentials: check them in the backend."
        )
        self.quota_status = quota_status
        self.quota_reset_header = quota_reset_header
        self.session = guard_session(requests.Session(), config.allow_private_hosts)
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": config.user_agent}
        )
        self.credential_headers = dict(headers or {})
        self.auth = auth
        self._origin = origin(self.base_url)
        self._secrets = secret_forms(config.api_token, config.webhook_secret)
        # Injectable for tests: the waits are asserted, not slept.
        self._sleep = time.sleep
        self._random = random.Random()

    # -- public API --------------------------------------------------------

    def get_json(self, path, params=None):
        """GET ``path`` and return ``(decoded JSON, response)``."""
        response = self.request("GET", path, params=params)
        return self.decode(response), response

    def post_json(self, path, payload, params=None):
        """POST ``payload`` as JSON and return ``(decoded JSON, response)``."""
        response = self.request("POST", path, params=params, json=payload)
        return self.decode(response), response

    def post_form(self, path, form):
        """POST ``form`` URL-encoded; return ``(decoded JSON, response)``."""
        response = self.request("POST", path, data=form)
        return self.decode(response), response

    def url(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method, path, params=None, json=None, data=None):
        """Send one request, retrying what can be retried; return the response.

        Raises ProviderAuthError (401/403), ProviderNotFound (404),
        ProviderQuotaExceeded (the provider's quota status),
        RetryableProviderError (429, 5xx, timeouts, connection failures and
        answers broken off, once the retries are used up, or when the provider
        asks to wait longer than ``config.max_retry_wait``) and ProviderError
        for any other failure.
        """
        url = self.url(path)
        where = f"{method} {urlsplit(url).path}"
        attempts = max(0, int(self.config.max_retries)) + 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = self._exchange(method, url, params, json, started, data)
            except DeadlineExceeded as err:
                self._log_failure(method, url, started, "deadline")
                message = (
                    f"{self.label} did not complete the answer within "
                    f"{self.config.deadline:g} s ({where})"
                )
                self._retry_or_raise(attempt, attempts, message, None, None, err)
                continue
            except requests.Timeout as err:
                self._log_failure(method, url, started, "timeout")
                message = (
                    f"{self.label} did not answer within {self.config.timeout:g} s "
                    f"({where})"
                )
                self._retry_or_raise(attempt, attempts, message, None, None, err)
                continue
            except IncompleteBody as err:
                self._log_failure(method, url, started, "connection lost")
                message = (
                    f"{self.label} broke off its answer ({where}): {self._short(err)}"
                )
                self._retry_or_raise(attempt, attempts, message, None, None, err)
                continue
            except requests.ConnectionError as err:
                self._log_failure(method, url, started, "connection error")
                message = (
                    f"{self.label} could not be reached at {urlsplit(url).netloc} "
                    f"({where}): {self._short(err)}"
                )
                self._retry_or_raise(attempt, attempts, message, None, None, err)
                continue
            except BodyTooLarge as err:
                raise ProviderError(
                    f"{self.label} sent more than {self.config.max_response_bytes:,} "
                    f"bytes for {where}; the limit is the system parameter "
                    f"{PARAM_HTTP_MAX_BYTES}."
                ) from err
            except requests.RequestException as err:
                raise ProviderError(
                    f"{self.label}: the request {where} failed: {self._short(err)}"
                ) from err
            self._log_response(method, response, started)
            status = response.status_code
            if status < 400:
                return response
            try:
                response.raise_for_status()
            except requests.HTTPError as err:
                self._raise_for_status(
                    response, where, attempt, attempts, err
                )  # returns only when the status is worth a retry
        # Unreachable: the last attempt always raises.
        raise AssertionError("retry loop ended without an answer")

    def _exchange(self, method, url, params, json, started, data=None):
        """One exchange with the provider, redirects followed by hand.

        Each URL is checked before it is called; credentials go only to the
        API URL's origin; the whole exchange, body included, ends by
        ``config.deadline``.
        """
        deadline_at = started + float(self.config.deadline)
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(
                url,
                allow_http=self.config.allow_http,
                allow_private=self.config.allow_private_hosts,
            )
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                raise DeadlineExceeded()
            timeout = min(float(self.config.timeout), remaining)
            trusted = origin(url) == self._origin
            with deadline(deadline_at):
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=self.credential_headers if trusted else None,
                    auth=self.auth if trusted else None,
                    timeout=timeout,  # connect and each read
                    allow_redirects=False,
                    stream=True,
                )
            if not response.is_redirect:
                return read_body(
                    response, deadline_at, int(self.config.max_response_bytes)
                )
            location = urljoin(response.url, response.headers["Location"])
            response.close()
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, json, data = "GET", None, None
            url, params = location, None
        raise ProviderError(
            f"{self.label} redirected {MAX_REDIRECTS} times in a row "
            f"({urlsplit(url).netloc}): check the API URL in the backend."
        )

    def decode(self, response):
        """The response body as JSON; ProviderError when it is not JSON."""
        try:
            return response.json()
        except ValueError as err:
            snippet = redact(response.text or "", self._secrets)[:80]
            where = f"{response.request.method} {urlsplit(response.url).path}"
            raise ProviderError(
                f"{self.label} sent a response that is not valid JSON "
                f"({where}, HTTP {response.status_code}): {snippet!r}",
                status=response.status_code,
            ) from err

    def close(self):
        self.session.close()

    # -- internals ---------------------------------------------------------

    def _raise_for_status(self, response, where, attempt, attempts, err):
        status = response.status_code
        detail = self._detail(response)
        suffix = f" (HTTP {status}{': ' + detail if detail else ''})"
        if self.quota_status and status == self.quota_status:
            retry_after = None
            if self.quota_reset_header:
                retry_after = parse_retry_after(
                    response.headers.get(self.quota_reset_header)
                )
            if retry_after is None:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = f" for {retry_after:g} s" if retry_after is not None else ""
            raise ProviderQuotaExceeded(
                f"{self.label}'s request quota is used up{wait}; the import "
                f"pauses and continues once the quota resets{suffix}.",
                status=status,
                retry_after=retry_after,
            ) from err
        if status in (401, 403):
            raise ProviderAuthError(
                f"{self.auth_message}{suffix}", status=status
            ) from err
        if status == 404:
            raise ProviderNotFound(
                f"{self.label} does not know {where}: check the API URL and the "
                f"account or workspace ID in the backend{suffix}.",
                status=status,
            ) from err
        if status in self.retry_statuses or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429:
                message = f"{self.label} is rate-limiting the requests ({where})"
            else:
                message = f"{self.label} failed with HTTP {status} ({where})"
                if detail:
                    message += f": {detail}"
            self._retry_or_raise(attempt, attempts, message, status, retry_after, err)
            return
        raise ProviderError(
            f"{self.label} rejected the request {where}{suffix}.", status=status
        ) from err

    def _retry_or_raise(self, attempt, attempts, message, status, retry_after, err):
        cap = float(self.config.max_retry_wait)
        if retry_after is not None and retry_after > cap:
            raise RetryableProviderError(
                f"{message}; it asks to wait {retry_after:g} s, longer than the "
                f"{cap:g} s this backend waits, so the import stops here and "
                f"continues with the next synchronisation.",
                status=status,
                retry_after=retry_after,
            ) from err
        if attempt >= attempts:
            raise RetryableProviderError(
                f"{message}, still after {attempts} attempts; the next "
                f"synchronisation continues from here.",
                status=status,
                retry_after=retry_after,
            ) from err
        wait = self._backoff(attempt, retry_after)
        _logger.debug(
            "%s: %s; attempt %s of %s, waiting %.2f s",
            self.label,
            message,
            attempt,
            attempts,
            wait,
        )
        self._sleep(wait)

    def _backoff(self, attempt, retry_after):
        """Seconds to wait before attempt ``attempt + 1``."""
        cap = float(self.config.max_retry_wait)
        if retry_after is not None:
            return min(retry_after, cap)
        base = max(0.0, float(getattr(self.config, "retry_backoff", 1.0)))
        wait = base * (2 ** (attempt - 1))
        wait += self._random.uniform(0, base / 2)
        return min(wait, cap)

    def _detail(self, response):
        """A short, secret-free explanation taken from an error body."""
        try:
            body = response.json()
        except ValueError:
            body = (response.text or "").strip()
        detail = ""
        if isinstance(body, dict):
            for key in ("error_description", "message", "error", "errors", "detail"):
                value = body.get(key)
                if isinstance(value, list) and value:
                    value = value[0]
                if isinstance(value, dict):
                    value = value.get("message") or value.get("detail")
                if isinstance(value, str) and value:
                    detail = value
                    break
        elif isinstance(body, str):
            detail = body
        detail = redact(" ".join(detail.split()), self._secrets)
        return mask_url(detail)[:_DETAIL_MAX]

    def _short(self, err):
        text = redact(" ".join(str(err).split()), self._secrets)
        return mask_url(text)[:_DETAIL_MAX]

    def _log_response(self, method, response, started):
        if _logger.isEnabledFor(logging.DEBUG):
            _logger.debug(
                "%s %s %s -> %s (%d bytes, %.0f ms)",
                self.label,
                method,
                redact(mask_url(response.url), self._secrets),
                response.status_code,
                len(response.content or b""),
                (time.monotonic() - started) * 1000,
            )

    def _log_failure(self, method, url, started, what):
        if _logger.isEnabledFor(logging.DEBUG):
            _logger.debug(
                "%s %s %s -> %s after %.0f ms",
                self.label,
                method,
                redact(mask_url(url), self._secrets),
                what,
                (time.monotonic() - started) * 1000,
            )


class HttpAdapter(ProviderAdapter):
    """Base of the adapters that talk to a JSON API through :class:`HttpClient`.

    Subclasses set ``label``, ``default_api_url``, ``default_page_size`` and
    ``max_page_size`` and implement :meth:`_build_http`.
    """

    label = ""
    default_page_size = 100
    max_page_size = 100
    # Whether the backend's account_ref (account or workspace ID) is required.
    requires_account = False
    account_label = "account ID"

    def __init__(self, config):
        super().__init__(config)
        self._http = None

    @property
    def http(self):
        if self._http is None:
            if not self.config.api_token:
                raise ProviderAuthError(
                    f"{self.label} needs an API token: set it in the backend."
                )
            if self.requires_account and not self.config.account_ref:
                raise ProviderError(
                    f"{self.label} needs the {self.account_label}: set it in the "
                    f"backend."
                )
            self._http = self._build_http()
        return self._http

    def _build_http(self):
        raise NotImplementedError

    @property
    def base_url(self):
        return (self.config.api_url or self.default_api_url).rstrip("/")

    @property
    def page_size(self):
        size = int(self.config.page_size or 0) or self.default_page_size
        return max(1, min(size, self.max_page_size))

    @property
    def options(self):
        return self.config.options or {}

    def _follow(self, next_url, endpoint):
        """The provider's "next" link, re-rooted on the backend's API URL.

        Only its query string (cursor, offset, filters) is kept, so the token
        never goes to a host other than the configured one, and a proxy or
        test URL keeps working when the provider writes its public host into
        the link.
        """
        query = urlsplit(next_url or "").query
        if not query:
            raise ProviderError(
                f"{self.label}: cannot continue from {mask_url(next_url)!r}, "
                f"it carries no position."
            )
        return f"{self.base_url}/{endpoint}?{query}"

    def close(self):
        if self._http is not None:
            self._http.close()
            self._http = None
