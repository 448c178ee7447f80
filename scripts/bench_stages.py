# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where the time of an import goes, stage by stage.

:class:`StageClock` wraps the methods of the billing pipeline's stages on the
registry's model classes, for the duration of a measurement, and adds up the
time spent in each, without the time of the stages it calls (validation calls
the billing periods; rating routes the lines it re-prices). The ORM sends
pending updates to the database when a query needs them, often in a later
stage than the one that wrote them: those flushes are a category of their
own, so that each stage's time is its own work. What no stage covers (HTTP,
parsing, the importer's decisions, Odoo's own ``create()``) is the rest.
"""

import functools
import time
from collections import defaultdict

# (category, model, method): the entry point of each stage.
STAGES = [
    ("contract", "account.analytic.line", "_billing_prepare_create"),
    ("contract", "account.analytic.line", "_billing_assign_contracts"),
    ("validation", "account.analytic.line", "_billing_validate"),
    ("periods", "account.analytic.line", "_billing_assign_periods"),
    ("rating", "account.analytic.line", "_billing_rate"),
    ("routing", "account.analytic.line", "_billing_route"),
]
FLUSH = "database writes"
ORDER = ["contract", "validation", "periods", "rating", "routing", FLUSH]


class StageClock:
    """Exclusive wall time per stage while installed (a context manager)."""

    def __init__(self, env):
        self.env = env
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)
        self._open = []  # time spent in nested stages, per open stage
        self._patched = []

    def _timed(self, category, func):
        clock = self

        @functools.wraps(func)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            clock._open.append(0.0)
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                nested = clock._open.pop()
                clock.seconds[category] += elapsed - nested
                clock.calls[category] += 1
                if clock._open:
                    clock._open[-1] += elapsed

        return timed

    def _patch(self, cls, name, category):
        own = cls.__dict__.get(name)
        setattr(cls, name, self._timed(category, getattr(cls, name)))
        self._patched.append((cls, name, own))

    def __enter__(self):
        from odoo.orm.models import BaseModel  # noqa: PLC0415

        for category, model, name in STAGES:
            self._patch(type(self.env[model]), name, category)
        self._patch(BaseModel, "_flush", FLUSH)
        return self

    def __exit__(self, *exc):
        for cls, name, own in reversed(self._patched):
            if own is None:
                delattr(cls, name)
            else:
                setattr(cls, name, own)
        self._patched = []

    def breakdown(self, total_seconds, lines):
        """``[(category, ms per 1,000 lines)]``, the rest and the total last."""
        per_thousand = 1e6 / lines if lines else 0.0
        rows = [(name, self.seconds[name] * per_thousand) for name in ORDER]
        rest = total_seconds - sum(self.seconds[name] for name in ORDER)
        rows.append(("rest (HTTP, importer, Odoo's create)", rest * per_thousand))
        rows.append(("total", total_seconds * per_thousand))
        return rows
