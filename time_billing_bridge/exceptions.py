# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Errors raised by provider adapters.

They carry a message meant for a person (no secrets in it); the ORM side turns
them into sync-run logs, backend errors and ``UserError``.
"""


class ProviderError(Exception):
    """Something went wrong talking to a provider."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class ProviderAuthError(ProviderError):
    """The credentials were refused (401/403): a person must fix them."""


class ProviderNotFound(ProviderError):
    """The account, workspace or resource does not exist at the provider (404)."""


class RetryableProviderError(ProviderError):
    """Rate limit, server error or timeout that outlived the retries."""

    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ProviderQuotaExceeded(RetryableProviderError):
    """The provider's quota for the current window is used up (Toggl's 402).

    Not an error of the backend: the run pauses and resumes after
    ``retry_after`` seconds.
    """


class FileFormatError(ProviderError):
    """An uploaded file cannot be read at all (as opposed to a bad row)."""
