# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The GraphQL client of the monday.com adapter: one POST per query, and the
reading of monday's errors.

monday answers application errors HTTP 200 with an ``errors`` list (each
with ``extensions.code``), transport errors with an HTTP status, and before
API version 2025-01 some errors with ``error_code`` / ``error_message`` at
the top level. Errors that name a wait (``retry_in_seconds``, or "reset in N
seconds" in the message) are rate limits: waited for through the retry
policy of :class:`.http.HttpClient`, like an HTTP 429.
"""

import re

from ..exceptions import ProviderAuthError, ProviderError
from .common import text
from .http import HttpClient

RATE_CODES = frozenset(
    {
        "COMPLEXITY_BUDGET_EXHAUSTED",
        "RATE_LIMIT_EXCEEDED",
        "DAILY_LIMIT_EXCEEDED",
        "IP_RATE_LIMIT_EXCEEDED",
        "maxConcurrencyExceeded",
    }
)
AUTH_CODES = frozenset(
    {"UserUnauthorizedException", "USER_UNAUTHORIZED", "Unauthorized"}
)
_RESET_IN = re.compile(r"reset in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def _error_list(data):
    """The GraphQL errors of an answer, each as a dict; [] when none."""
    if not isinstance(data, dict):
        return []
    errors = data.get("errors")
    found = []
    if isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict):
                found.append(error)
            elif isinstance(error, str):
                found.append({"message": error})
    if data.get("error_code") or data.get("error_message"):
        # The older format: one error at the top level.
        found.append(
            {
                "message": data.get("error_message") or "",
                "extensions": {
                    "code": data.get("error_code"),
                    "status_code": data.get("status_code"),
                },
            }
        )
    return found


def _code(error):
    extensions = error.get("extensions")
    return text((extensions or {}).get("code")) if isinstance(extensions, dict) else ""


def retry_wait(errors):
    """Seconds monday asks to wait before the next call, or None."""
    for error in errors:
        extensions = error.get("extensions")
        if isinstance(extensions, dict):
            seconds = extensions.get("retry_in_seconds")
            if isinstance(seconds, int | float) and not isinstance(seconds, bool):
                return max(0.0, float(seconds))
        match = _RESET_IN.search(text(error.get("message")))
        if match:
            return float(match.group(1))
    return None


def is_rate_limit(errors):
    """Whether the errors say "wait", not "this query is wrong"."""
    for error in errors:
        code = _code(error)
        if code in RATE_CODES:
            return True
        if code == "ComplexityException" and retry_wait([error]) is not None:
            return True
    return retry_wait(errors) is not None


def describe(errors):
    """The errors' messages and codes, short."""
    parts = []
    for error in errors[:3]:
        message = " ".join(text(error.get("message")).split())
        code = _code(error)
        parts.append(f"{message} ({code})" if code and message else message or code)
    return "; ".join(part for part in parts if part)[:300] or "no detail given"


class MondayClient(HttpClient):
    """HTTP 429 answers of monday may say how long to wait only in their body
    (``retry_in_seconds``, "reset in N seconds")."""

    def _raise_for_status(self, response, where, attempt, attempts, err):
        if response.status_code == 429 and "Retry-After" not in response.headers:
            try:
                wait = retry_wait(_error_list(response.json()))
            except ValueError:
                wait = None
            if wait is not None:
                response.headers["Retry-After"] = str(wait)
        return super()._raise_for_status(response, where, attempt, attempts, err)

    def graphql(self, query, variables=None):
        """The ``data`` of a GraphQL query; errors in the answer become the
        exceptions of :mod:`..exceptions`, a used-up budget is waited for."""
        attempts = max(0, int(self.config.max_retries)) + 1
        for attempt in range(1, attempts + 1):
            data, _response = self.post_json(
                self.base_url, {"query": query, "variables": variables or {}}
            )
            errors = _error_list(data)
            if not errors:
                payload = data.get("data") if isinstance(data, dict) else None
                if not isinstance(payload, dict):
                    raise ProviderError(
                        "monday.com answered without data: check that the API URL "
                        "is monday.com's GraphQL endpoint (https://api.monday.com/v2)."
                    )
                return payload
            detail = self._redacted(describe(errors))
            if is_rate_limit(errors):
                self._retry_or_raise(
                    attempt,
                    attempts,
                    f"monday.com's complexity budget or rate limit is used up "
                    f"({detail})",
                    429,
                    retry_wait(errors),
                    None,
                )
                continue
            statuses = {
                (error.get("extensions") or {}).get("status_code")
                for error in errors
                if isinstance(error.get("extensions"), dict)
            }
            if statuses & {401, 403} or {_code(e) for e in errors} & AUTH_CODES:
                raise ProviderAuthError(f"{self.auth_message} ({detail})")
            if any(_code(e) == "ComplexityException" for e in errors):
                raise ProviderError(
                    f"monday.com finds one page of items too heavy to read "
                    f"({detail}): lower the page size."
                )
            raise ProviderError(f"monday.com refused the query: {detail}.")
        raise AssertionError("retry loop ended without an answer")

    def _redacted(self, message):
        return self._short(message)
