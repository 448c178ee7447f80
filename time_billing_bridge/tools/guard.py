# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The pipeline's own writes.

Billing facts (the billing fields of a timesheet line, the values of a
staging entry, the state of a billing period) are written by the pipeline
only. ``create()`` and ``write()`` refuse them from anyone else, whoever the
user: an RPC call, a server action or an import can set any context key,
but cannot enter :func:`pipeline_write`, which only the addon's own Python
code calls (from private methods, which RPC cannot reach).
"""

from contextlib import contextmanager
from contextvars import ContextVar

_WRITING = ContextVar("time_billing_pipeline_write", default=False)


@contextmanager
def pipeline_write():
    """Mark the writes made inside this block as the pipeline's."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def is_pipeline_write():
    """Whether the current write is made by the pipeline."""
    return _WRITING.get()
