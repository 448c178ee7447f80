# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Harvest, Toggl Track, Clockify, Tempo (and its Jira site), QuickBooks
Time, Clio, ClickUp, monday.com and Hubstaff APIs for tests, the demo and the
benchmark. Standard library only, importable without Odoo::

    sys.path.insert(0, "time_billing_bridge/tests")
    import fakes

    with fakes.FakeHarvest() as harvest:
        harvest.generate(50_000, seed=1)
        ...
"""

from .base import FakeServer, Recorded
from .clickup import FakeClickUp
from .clio import FakeClio
from .clockify import FakeClockify
from .harvest import FakeHarvest
from .monday import FakeMonday
from .hubstaff import FakeHubstaff
from .jira import FakeJira
from .quickbooks_time import FakeQuickBooksTime
from .tempo import FakeTempo
from .toggl import FakeToggl

__all__ = [
    "FakeClickUp",
    "FakeClio",
    "FakeClockify",
    "FakeHarvest",
    "FakeMonday",
    "FakeHubstaff",
    "FakeJira",
    "FakeQuickBooksTime",
    "FakeServer",
    "FakeTempo",
    "FakeToggl",
    "Recorded",
]
