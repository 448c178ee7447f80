# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The batch importer: one page of external entries in, staging entries and
timesheet lines out.

Shape of one page, whatever its size (the query count does not grow with it):
one advisory-lock query, one search of the existing entries, one query per
kind of lookup (mappings, employees, projects, tasks, clients), one
``create()`` for the new timesheet lines, one for the new entries, and grouped
writes. Unchanged entries are recognised by their payload hash and never
written.

One page, in the order of the modules below:

1. ``page`` (the model's declaration and entry points): read the page (its
   records by external id, the advisory locks, the existing entries and their
   lines);
2. ``lookups``: look up the candidates of every kind, one query each;
3. ``decisions``: decide what to do with each record, writing nothing;
4. ``apply``: apply the decisions (lines deleted, written, created; entries
   written and inserted; billing refreshed).

The plain values they share (``Decision``, the fields read, the outcome
counts) are in ``importer/decisions.py``.
"""

from . import page
from . import lookups
from . import decisions
from . import apply
