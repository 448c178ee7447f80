# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Registry of provider adapters, keyed by ``time.billing.backend.provider``.

An extension module registers its own adapter with :func:`register` (and adds
the key to the ``provider`` selection with ``selection_add``).
"""

from .base import AdapterConfig, EntryError, ExternalEntry, Page, ProviderAdapter

ADAPTERS = {}


def register(adapter_class):
    """Class decorator: make ``adapter_class`` the adapter of its provider."""
    ADAPTERS[adapter_class.provider] = adapter_class
    return adapter_class


def get_adapter_class(provider):
    return ADAPTERS.get(provider)


__all__ = [
    "ADAPTERS",
    "AdapterConfig",
    "EntryError",
    "ExternalEntry",
    "Page",
    "ProviderAdapter",
    "get_adapter_class",
    "register",
]

# The adapters register themselves on import (after ``register`` exists).
from . import harvest, toggl, clockify, tempo  # noqa: E402,I001
from . import quickbooks_time, clio, clickup, monday, hubstaff  # noqa: E402,I001
