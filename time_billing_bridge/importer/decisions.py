# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the importer decides for one page, and the fields it reads.

Plain values shared by the modules of ``time.billing.importer``; nothing here
touches the ORM.
"""

from dataclasses import dataclass, field

from psycopg2.extensions import AsIs

# Outcomes of one incoming record; "errors" counts exceptions and conflicts,
# "conflicts" is the part of them that are conflicts.
COUNT_KEYS = ("created", "updated", "unchanged", "deleted", "errors", "conflicts")

# A column left to its database default in a multi-row INSERT.
SQL_DEFAULT = AsIs("DEFAULT")

# Fields of time.billing.entry read to classify incoming records.
ENTRY_FETCH_FIELDS = [
    "external_id",
    "external_updated_at",
    "state",
    "payload_hash",
    "pending_payload_hash",
    "dismissed_payload_hash",
    "exception_reason",
    "timesheet_id",
]
LINE_FETCH_FIELDS = [
    "billing_state",
    "name",
    "date",
    "unit_amount",
    "employee_id",
    "project_id",
    "task_id",
    "partner_id",
    "billing_source_billable",
]


@dataclass
class Decision:
    """What to do with one incoming record of a page."""

    key: str
    record: object  # the existing time.billing.entry, or an empty recordset
    outcome: str = "unchanged"  # one of COUNT_KEYS
    entry_vals: dict = field(default_factory=dict)
    line_op: str = ""  # "create", "write" or "unlink"
    line_vals: dict = field(default_factory=dict)
    log: str = ""


class LineGroup:
    """Decisions handled together by one line operation."""

    def __init__(self, decisions):
        self.decisions = decisions

    @property
    def record(self):
        records = self.decisions[0].record.browse()
        for decision in self.decisions:
            records |= decision.record
        return records
