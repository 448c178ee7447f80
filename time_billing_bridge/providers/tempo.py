# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Jira Tempo (Tempo Cloud REST API v4) adapter.

``GET /4/worklogs`` with ``updatedFrom`` on incremental runs, ``offset`` /
``limit`` paging and ``metadata.next`` to continue. Seconds become hours; the
worklog's Jira issue id is the entry's task (``task_ref``; ``task_name`` is
the issue key when the payload carries one, which v4 does not by default).
The date is Tempo's ``startDate``, the worker's local date.

With ``options['source_approval']`` (a backend that bills only approved
time), each worklog carries the approval of its author's timesheet period
(:mod:`.tempo_approvals`), and :meth:`TempoAdapter.recheck_approvals` tells
which waiting worklogs were approved since: an approval does not change the
worklogs, so the incremental read alone would never bring them back.

With a Jira site and credentials (``linked_*`` in the config), a worklog
whose issue is not among ``options['mapped_issue_refs']`` (the issues the
backend maps to tasks) gets its issue's Jira project as its project
(:mod:`.jira`), and its issue key as task name when Tempo sent none.
"""

import dataclasses
from urllib.parse import quote

from ..exceptions import ProviderError, ProviderNotFound
from . import register
from .base import ExternalEntry, Page
from .common import (
    local_moment,
    map_records,
    nested,
    parse_date,
    parse_moment,
    ref,
    require,
    seconds_to_hours,
    text,
    timed_interval,
    to_naive_utc,
)
from .http import HttpAdapter, HttpClient
from .jira import JiraIssues
from .linked import Listing, linked_pages, since_filter
from .tempo_approvals import TempoApprovals

LABEL = "Tempo"
WORKLOGS = Listing(
    "worklogs",
    ("results",),
    ("metadata", "next"),
    "Tempo answered GET /worklogs without a results list; check that the API URL "
    "points to Tempo API v4.",
)
# Work attribute whose value names the Tempo account (usually the customer).
DEFAULT_ACCOUNT_ATTRIBUTE = "_Account_"


def _attribute(record, key):
    for item in nested(record, "attributes", "values") or []:
        if isinstance(item, dict) and item.get("key") == key:
            return item.get("value")
    return None


def _interval(record):
    """``(start, end)`` of a worklog: its start plus the time spent.

    The start is ``startDateTimeUtc`` when the worklog carries it, else the
    worker's local ``startDate`` and ``startTime`` (naive local time).
    """
    if record.get("startDateTimeUtc"):
        start = parse_moment(record["startDateTimeUtc"])
    else:
        start = local_moment(record.get("startDate"), record.get("startTime"))
    return timed_interval(start, record.get("timeSpentSeconds"))


def _to_entry(record, account_attribute=DEFAULT_ACCOUNT_ATTRIBUTE):
    """Tempo v4 worklog -> ExternalEntry (pure)."""
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "tempoWorklogId"))
    worked_on = parse_date(record.get("startDate"), "startDate")
    hours = seconds_to_hours(record.get("timeSpentSeconds"), "timeSpentSeconds")
    issue = record.get("issue") if isinstance(record.get("issue"), dict) else {}
    if issue.get("id") in (None, ""):
        raise ValueError("worklog without issue.id")
    author = record.get("author") if isinstance(record.get("author"), dict) else {}
    billable_seconds = record.get("billableSeconds")
    billable = None
    if isinstance(billable_seconds, int | float) and not isinstance(
        billable_seconds, bool
    ):
        billable = billable_seconds > 0
    account = _attribute(record, account_attribute) if account_attribute else None
    began, ended = _interval(record)
    return ExternalEntry(
        external_id=external_id,
        date=worked_on,
        hours=hours,
        description=text(record.get("description")),
        updated_at=to_naive_utc(record.get("updatedAt"), "updatedAt"),
        user_ref=ref(author.get("accountId")),
        user_name=text(author.get("displayName")),
        task_ref=ref(issue.get("id")),
        task_name=text(issue.get("key")),
        client_ref=ref(account) if isinstance(account, str | int) else "",
        billable=billable,
        start=began,
        end=ended,
        raw=record,
    )


@register
class TempoAdapter(HttpAdapter):
    """Tempo Cloud v4: ``Authorization: Bearer <Tempo API token>``.

    ``until`` is not combined with ``updatedFrom`` (Tempo documents that
    ``updatedFrom`` does not work with other filters), so every change up to
    the call is returned. Options: ``start_date`` (first run, worklog date),
    ``account_attribute`` (work attribute read as the client reference,
    default ``_Account_``; empty to disable).
    """

    provider = "tempo"
    label = LABEL
    default_api_url = "https://api.tempo.io/4"
    lists_present_entries = True
    default_page_size = 1000
    max_page_size = 5000
    reports_approval = True

    def __init__(self, config):
        super().__init__(config)
        self._approvals = None
        self.jira = JiraIssues(config)
        self._jira_noted = False

    @property
    def approvals(self):
        if self._approvals is None:
            self._approvals = TempoApprovals(self.http)
        return self._approvals

    def _build_http(self):
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={"Authorization": f"Bearer {self.config.api_token}"},
            auth_message=(
                "Tempo refused the API token: check the token in the backend "
                "(create one in Tempo > Settings > API integration)."
            ),
        )

    def check_connection(self):
        data, _response = self.http.get_json("worklogs", {"limit": 1})
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise ProviderError("Tempo answered /worklogs with an unexpected shape.")
        return "Connected to Tempo: the token can read worklogs."

    def iter_pages(self, since=None, until=None, resume_token=None):
        params = {
            "offset": 0,
            "limit": self.page_size,
            **since_filter(self.options, since, "updatedFrom", "from"),
        }
        for records, next_url in linked_pages(self, WORKLOGS, params, resume_token):
            entries, errors = map_records(records, self._to_entry, LABEL)
            entries = self._complete(entries)
            yield Page(
                entries=entries,
                errors=errors,
                resume_token=next_url,
                notes=self._jira_notes(),
            )

    def _to_entry(self, record):
        attribute = self.options.get("account_attribute", DEFAULT_ACCOUNT_ATTRIBUTE)
        return _to_entry(record, account_attribute=attribute)

    def _complete(self, entries):
        """``entries`` with what the worklogs do not carry themselves: their
        approval, when the backend waits for it, and the Jira project of
        the issues not mapped to a task."""
        approval = self.options.get("source_approval")
        mapped = {
            ref(value).strip().lower()
            for value in self.options.get("mapped_issue_refs") or ()
        }

        def is_mapped(*values):
            return any(value and value.strip().lower() in mapped for value in values)

        completed = []
        for entry in entries:
            changes = {}
            if approval:
                changes["approval_status"] = self.approvals.status(
                    entry.user_ref, entry.date
                )
            if not entry.project_ref and not is_mapped(entry.task_ref, entry.task_name):
                project = self.jira.project(entry.task_ref)
                if project:
                    changes["task_name"] = entry.task_name or project["issue_key"]
                if project and not is_mapped(project["issue_key"]):
                    changes.update(
                        project_ref=project["key"],
                        project_code=project["key"],
                        project_name=project["name"],
                    )
            completed.append(dataclasses.replace(entry, **changes))
        return completed

    def _jira_notes(self):
        """The note of why Jira stopped being asked, on the first page after."""
        if self.jira.note and not self._jira_noted:
            self._jira_noted = True
            return [self.jira.note]
        return []

    def close(self):
        self.jira.close()
        return super().close()

    def recheck_approvals(self, waiting):
        """The waiting worklogs whose period Tempo approved since, each read
        again (``GET /4/worklogs/{id}``) once approved: an approval leaves
        the worklog as it was, but it may have been deleted meanwhile (then
        it is left to the deletion check)."""
        records = []
        for item in waiting:
            day, user = item.get("date"), item.get("user_ref") or ""
            if self.approvals.status(user, day) != "approved":
                continue
            try:
                record, _response = self.http.get_json(
                    f"worklogs/{quote(str(item['external_id']), safe='')}"
                )
            except ProviderNotFound:
                continue
            records.append(record)
        entries, errors = map_records(records, self._to_entry, LABEL)
        entries = self._complete(entries)
        return Page(entries=entries, errors=errors, notes=self._jira_notes())
