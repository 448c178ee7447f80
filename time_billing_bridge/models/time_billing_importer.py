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
"""

import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from psycopg2 import Error as PsycopgError
from psycopg2.errors import UniqueViolation
from psycopg2.extensions import AsIs

from odoo import api, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, escape_psql, float_compare, mute_logger, split_every

from ..importer import matching, staging
from .account_analytic_line import BILLING_DEFER_CONTEXT, LOCKED_BILLING_STATES

_logger = logging.getLogger(__name__)

# Outcomes of one incoming record; "errors" counts exceptions and conflicts,
# "conflicts" is the part of them that are conflicts.
COUNT_KEYS = ("created", "updated", "unchanged", "deleted", "errors", "conflicts")

# Context key set when the importer writes timesheet lines, so that
# protections of imported lines can let it through.
IMPORT_CONTEXT_KEY = "time_billing_import"

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
class _Decision:
    """What to do with one incoming record of a page."""

    key: str
    record: object  # the existing time.billing.entry, or an empty recordset
    outcome: str = "unchanged"  # one of COUNT_KEYS
    entry_vals: dict = field(default_factory=dict)
    line_op: str = ""  # "create", "write" or "unlink"
    line_vals: dict = field(default_factory=dict)
    log: str = ""


class TimeBillingImporter(models.AbstractModel):
    _name = "time.billing.importer"
    _description = "Time Billing Importer"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _import_page(self, backend, page, sync_run, force=False, allow_locked=False):
        """Stage and apply one page of ``backend``.

        Use ``time.billing.backend._process_page`` from outside; this adds the
        options of re-processing and conflict resolution.

        :param force: process entries even when their payload did not change
            (re-processing after a new mapping)
        :param allow_locked: apply the source version to approved lines
            (accepting a conflict); invoiced lines are never changed
        :return: counts by outcome, keys ``COUNT_KEYS``
        """
        backend.ensure_one()
        # The import is a system operation: who may trigger it is checked by
        # the callers (button groups, webhook signature, wizard access), and
        # every lookup below is restricted to the backend's company.
        self = self.sudo().with_company(backend.company_id)
        backend = backend.with_env(self.env)
        sync_run = sync_run.with_env(self.env)
        incoming = self._collect_incoming(page)
        decisions = []
        if incoming:
            self._lock_entries(backend, incoming)
            existing = self._fetch_existing(backend, incoming)
            lookups = self._build_lookups(
                backend, [item for kind, item in incoming.values() if kind == "entry"]
            )
            Entry = self.env["time.billing.entry"]
            for key, (kind, item) in incoming.items():
                record = existing.get(key, Entry)
                if kind == "error":
                    decision = self._decide_error(key, record, item)
                elif kind == "delete":
                    decision = self._decide_deletion(
                        key, record, item, force, allow_locked
                    )
                else:
                    decision = self._decide_entry(
                        key, record, item, lookups, force, allow_locked
                    )
                decisions.append(decision)
            # All of the page or nothing, whatever the caller does on error.
            with self.env.cr.savepoint():
                self._apply(backend, sync_run, decisions)
        counts = dict.fromkeys(COUNT_KEYS, 0)
        for decision in decisions:
            counts[decision.outcome] += 1
        counts["errors"] += counts["conflicts"]
        sync_run._add_page(
            counts, [d.log for d in decisions if d.log], notes=page.notes
        )
        return counts

    @api.model
    def _reprocess(self, entries, accept=False):
        """Run ``entries`` through the importer again, from their staged values.

        :param accept: apply the pending source version of conflicts
        :return: the review runs, one per backend
        """
        runs = self.env["time.billing.sync.run"]
        for backend, backend_entries in entries.grouped("backend_id").items():
            run = backend._start_sync_run("review")
            page = backend_entries._to_page(pending=accept)
            self._import_page(backend, page, run, force=True, allow_locked=accept)
            run._finish()
            runs |= run
        return runs

    # ------------------------------------------------------------------
    # Reading the page
    # ------------------------------------------------------------------

    @api.model
    def _collect_incoming(self, page):
        """``{external_id: (kind, item)}`` for every record of ``page``.

        ``kind`` is "entry", "delete" or "error". A later record of the same
        id wins; a deletion wins over an entry of the same page. Errors
        without an id get a stable one, so that a file imported twice does
        not duplicate them.
        """
        incoming = {}
        for error in page.errors:
            if error.external_id:
                key = error.external_id
            elif error.line_number:
                key = f"line-{error.line_number}"
            else:
                key = "error-" + staging.payload_hash(staging.payload_text(error.raw))
            incoming[key] = ("error", error)
        for entry in page.entries:
            incoming[entry.external_id] = (
                "delete" if entry.deleted else "entry",
                entry,
            )
        for external_id in page.deleted_ids:
            incoming[str(external_id)] = ("delete", None)
        return incoming

    @api.model
    def _lock_entries(self, backend, incoming):
        """Serialise concurrent imports of the same entries (polling, webhooks
        and files may deliver one entry at the same time): one transaction
        advisory lock per entry, taken in one query, in a stable order."""
        keys = sorted(
            staging.advisory_lock_key("time.billing.entry", backend.id, key)
            for key in incoming
        )
        self.env.cr.execute(
            SQL(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                keys,
            )
        )

    @api.model
    def _fetch_existing(self, backend, incoming):
        entries = self.env["time.billing.entry"].search_fetch(
            [("backend_id", "=", backend.id), ("external_id", "in", list(incoming))],
            ENTRY_FETCH_FIELDS,
        )
        entries.timesheet_id.fetch(LINE_FETCH_FIELDS)
        return {entry.external_id: entry for entry in entries}

    # ------------------------------------------------------------------
    # Lookups
    # ------------------------------------------------------------------

    @api.model
    def _ilike_any(self, fname, values):
        """Domain matching ``fname`` case-insensitively against any value."""
        return Domain.OR(
            Domain(fname, "=ilike", escape_psql(value)) for value in sorted(values)
        )

    @api.model
    def _build_lookups(self, backend, entries):
        """Gather the candidates of every kind for ``entries``, one query each."""
        company = backend.company_id
        lookups = matching.Lookups(
            default_project_id=backend.default_project_id.id,
            import_without_task=backend.import_without_task,
            phone_region=company.country_id.code or "",
        )
        if entries:
            self._lookup_mappings(backend, lookups)
            if any(matching.identifiers("user", entry) for entry in entries):
                self._lookup_employees(company, lookups)
            self._lookup_projects(company, entries, lookups)
            self._lookup_tasks(entries, lookups)
            self._lookup_clients(company, entries, lookups)
        return lookups

    @api.model
    def _lookup_mappings(self, backend, lookups):
        """Explicit mappings of the backend (they win over automatic matches)."""
        mappings = self.env["time.billing.mapping"].search_fetch(
            [("backend_id", "=", backend.id)],
            ["kind", "external_ref", "employee_id", "project_id", "task_id"]
            + ["partner_id"],
        )
        for mapping in mappings:
            target = mapping._get_target()
            key = (mapping.kind, staging.normalise_key(mapping.external_ref))
            lookups.mappings[key] = target.id
        if mappings.task_id:
            mappings.task_id.fetch(["project_id"])
            lookups.task_projects = {t.id: t.project_id.id for t in mappings.task_id}
        lookups.project_names = dict.fromkeys(
            mappings.project_id.ids + list(lookups.task_projects.values()), ""
        )

    @api.model
    def _lookup_employees(self, company, lookups):
        """The active employees of the company (a firm's staff, not a big
        table), by work e-mail, user e-mail or login, and name."""
        key = staging.normalise_key
        employees = self.env["hr.employee"].search_fetch(
            [("company_id", "=", company.id)], ["name", "work_email", "user_id"]
        )
        employees.user_id.fetch(["email", "login"])
        for employee in employees:
            user = employee.user_id
            emails = {employee.work_email, user.email}
            if user.login and "@" in user.login:
                emails.add(user.login)
            for email in filter(None, emails):
                lookups.employees_by_email[key(email)].add(employee.id)
            lookups.employees_by_name[key(employee.name)].add(employee.id)

    @api.model
    def _lookup_projects(self, company, entries, lookups):
        """Projects by analytic account code, then by name."""
        key = staging.normalise_key
        project_ids = set(lookups.project_names)
        if lookups.default_project_id:
            project_ids.add(lookups.default_project_id)
        codes = {e.project_code for e in entries if e.project_code}
        names = {e.project_name for e in entries if e.project_name}
        if codes or names:
            domains = []
            if codes:
                domains.append(self._ilike_any("account_id.code", codes))
            if names:
                domains.append(self._ilike_any("name", names))
            projects = self.env["project.project"].search_fetch(
                Domain("company_id", "in", [company.id, False]) & Domain.OR(domains),
                ["name", "account_id"],
            )
            projects.account_id.fetch(["code"])
            for project in projects:
                if project.account_id.code:
                    code = key(project.account_id.code)
                    lookups.projects_by_code[code].add(project.id)
                lookups.projects_by_name[key(project.name)].add(project.id)
            project_ids.update(projects.ids)
        projects = self.env["project.project"].browse(project_ids)
        lookups.project_names = {p.id: p.display_name for p in projects}

    @api.model
    def _lookup_tasks(self, entries, lookups):
        """Tasks by name within the candidate projects."""
        names = {e.task_name for e in entries if e.task_name}
        if not names or not lookups.project_names:
            return
        tasks = self.env["project.task"].search_fetch(
            Domain("project_id", "in", list(lookups.project_names))
            & self._ilike_any("name", names),
            ["name", "project_id"],
        )
        for task in tasks:
            name = staging.normalise_key(task.name)
            lookups.tasks_by_name[(task.project_id.id, name)].add(task.id)

    @api.model
    def _lookup_clients(self, company, entries, lookups):
        """Clients by name, e-mail or phone (E.164)."""
        key = staging.normalise_key
        names = {e.client_name for e in entries if e.client_name}
        emails = {e.client_email for e in entries if e.client_email}
        phones = {
            staging.normalise_phone(e.client_phone, lookups.phone_region)
            for e in entries
            if e.client_phone
        } - {""}
        domains = []
        if names:
            domains.append(self._ilike_any("name", names))
        if emails:
            domains.append(self._ilike_any("email", emails))
        if phones:
            domains.append(Domain("phone_sanitized", "in", list(phones)))
        if not domains:
            return
        partners = self.env["res.partner"].search_fetch(
            Domain("company_id", "in", [company.id, False]) & Domain.OR(domains),
            ["name", "email", "phone_sanitized"],
        )
        for partner in partners:
            lookups.partners_by_name[key(partner.name)].add(partner.id)
            if partner.email:
                lookups.partners_by_email[key(partner.email)].add(partner.id)
            if partner.phone_sanitized:
                lookups.partners_by_phone[partner.phone_sanitized].add(partner.id)

    # ------------------------------------------------------------------
    # Decisions (no writes)
    # ------------------------------------------------------------------

    def _line_state_label(self, line):
        return dict(line._fields["billing_state"]._description_selection(self.env))[
            line.billing_state
        ].lower()

    @api.model
    def _decide_error(self, key, record, error):
        payload = staging.payload_text(error.raw)
        payload_hash = staging.payload_hash(payload)
        decision = _Decision(key=key, record=record)
        if (
            record
            and record.state == "exception"
            and record.payload_hash == payload_hash
            and record.exception_reason == error.message
        ):
            return decision
        decision.outcome = "errors"
        decision.entry_vals = {
            "state": "exception",
            "exception_reason": error.message,
            "match_issues": False,
            "unreadable": True,
            "payload": payload,
            "payload_hash": payload_hash,
            "line_number": error.line_number or False,
        }
        decision.log = self.env._(
            "Entry %(entry)s: %(reason)s", entry=key, reason=error.message
        )
        return decision

    @api.model
    def _decide_deletion(self, key, record, entry, force, allow_locked):
        decision = _Decision(key=key, record=record)
        if not record or record.state == "deleted":
            return decision
        if entry is not None:
            payload = staging.payload_text(entry.raw)
            payload_hash = staging.payload_hash(payload)
        else:
            payload, payload_hash = None, staging.DELETED_MARKER
        if not force and (
            record.dismissed_payload_hash == payload_hash
            or (
                record.state == "conflict"
                and record.pending_payload_hash == payload_hash
            )
        ):
            return decision
        line = record.timesheet_id
        if line and line.billing_state in LOCKED_BILLING_STATES:
            if not allow_locked or line.billing_state == "invoiced":
                return self._conflict(decision, "delete", line, payload, payload_hash)
        decision.outcome = "deleted"
        decision.entry_vals = {
            "state": "deleted",
            "exception_reason": False,
            "match_issues": False,
            "conflict_type": False,
            "pending_payload": False,
            "pending_payload_hash": False,
            "pending_values": False,
            "timesheet_id": False,
        }
        if payload is not None:
            decision.entry_vals.update(payload=payload, payload_hash=payload_hash)
        if line:
            decision.line_op = "unlink"
        return decision

    @api.model
    def _decide_entry(self, key, record, entry, lookups, force, allow_locked):
        payload = staging.payload_text(
            entry.raw or staging.staging_to_json(staging.staging_values(entry))
        )
        payload_hash = staging.payload_hash(payload)
        decision = _Decision(key=key, record=record)
        same_payload = record and record.payload_hash == payload_hash
        if record and not force:
            if (
                entry.updated_at
                and record.external_updated_at
                and entry.updated_at < record.external_updated_at
            ):
                # An older version arriving late (a webhook retried after the
                # next poll): the newer one already applied stays.
                return decision
            if record.dismissed_payload_hash == payload_hash:
                return decision
            if (
                record.state == "conflict"
                and record.pending_payload_hash == payload_hash
            ):
                return decision
            if same_payload and record.state in ("imported", "deleted"):
                return decision
        staged = staging.staging_values(entry)
        entry_vals = {
            **staged,
            "payload": payload,
            "payload_hash": payload_hash,
            "state": "imported",
            "exception_reason": False,
            "match_issues": False,
            "unreadable": False,
            "conflict_type": False,
            "pending_payload": False,
            "pending_payload_hash": False,
            "pending_values": False,
        }
        line = record.timesheet_id
        if entry.is_running:
            reason = self.env._("Timer still running: imported once it stops")
            return self._exception(decision, entry_vals, reason, "", same_payload)
        resolution = matching.resolve(lookups, entry)
        if resolution.problems:
            reason = "\n".join(self._problem_message(p) for p in resolution.problems)
            return self._exception(
                decision,
                entry_vals,
                reason,
                ",".join(resolution.kinds),
                same_payload and not force,
            )
        line_vals = self._prepare_timesheet_vals(entry, resolution)
        if line:
            changes = self._line_changes(line, line_vals)
            locked = line.billing_state in LOCKED_BILLING_STATES
            if (
                changes
                and locked
                and (not allow_locked or line.billing_state == "invoiced")
            ):
                return self._conflict(
                    decision, "update", line, payload, payload_hash, staged
                )
            decision.outcome = "updated"
            decision.entry_vals = entry_vals
            if changes:
                decision.line_op = "write"
                decision.line_vals = changes
            elif same_payload and record.state == "imported":
                decision.outcome = "unchanged"
                decision.entry_vals = {}
            return decision
        decision.outcome = "created"
        decision.entry_vals = entry_vals
        decision.line_op = "create"
        decision.line_vals = line_vals
        return decision

    def _exception(self, decision, entry_vals, reason, kinds, same_payload):
        record = decision.record
        if (
            same_payload
            and record.state == "exception"
            and (record.exception_reason == reason)
        ):
            return decision
        decision.outcome = "errors"
        decision.entry_vals = {
            **entry_vals,
            "state": "exception",
            "exception_reason": reason,
            "match_issues": kinds or False,
        }
        decision.log = self.env._(
            "Entry %(entry)s: %(reason)s",
            entry=decision.key,
            reason=reason.replace("\n", "; "),
        )
        return decision

    def _conflict(
        self, decision, conflict_type, line, payload, payload_hash, staged=None
    ):
        state = self._line_state_label(line)
        if conflict_type == "delete":
            reason = self.env._(
                "Deleted at the source, but its timesheet line is %(state)s: "
                "accept the deletion or keep the line",
                state=state,
            )
        else:
            reason = self.env._(
                "Changed at the source, but its timesheet line is %(state)s: "
                "accept the source version or keep Odoo's",
                state=state,
            )
        decision.outcome = "conflicts"
        decision.entry_vals = {
            "state": "conflict",
            "conflict_type": conflict_type,
            "exception_reason": reason,
            "match_issues": False,
            "pending_payload": payload or False,
            "pending_payload_hash": payload_hash,
            "pending_values": staging.staging_to_json(staged) if staged else False,
        }
        decision.log = self.env._(
            "Entry %(entry)s: %(reason)s", entry=decision.key, reason=reason
        )
        return decision

    @api.model
    def _problem_message(self, problem):
        """A readable, actionable sentence for a matching problem."""
        code, kind = problem.code, problem.kind
        values = {
            "label": problem.label,
            "name": problem.name,
            "count": problem.count,
            "project": problem.context,
        }
        if code == "no_date":
            return self.env._("The source gives no date for this entry")
        if code == "negative_hours":
            return self.env._(
                "Negative duration at the source (%(hours)s h)",
                hours=round(problem.value, 2),
            )
        if code == "missing" and kind == "user":
            return self.env._("The source gives no user for this entry")
        if code == "missing":
            return self.env._(
                "The source gives no project for this entry: set a default "
                "project on the backend"
            )
        if code == "ambiguous" and kind == "user":
            return self.env._(
                "User '%(label)s' matches %(count)s employees: map it to one of them",
                **values,
            )
        if code == "ambiguous" and kind == "project":
            return self.env._(
                "Project '%(label)s' matches %(count)s projects: map it to one of them",
                **values,
            )
        if code == "ambiguous" and kind == "task":
            return self.env._(
                "Task '%(label)s' matches %(count)s tasks in project %(project)s: "
                "map it to one of them",
                **values,
            )
        if code == "ambiguous":
            return self.env._(
                "Client '%(label)s' matches %(count)s partners: map it to one of them",
                **values,
            )
        if kind == "task":
            return self.env._(
                "Unknown task '%(label)s' in project %(project)s: map it to a task",
                **values,
            )
        if kind == "user" and problem.name:
            return self.env._(
                "Unknown user '%(label)s' (%(name)s): map it to an employee", **values
            )
        if kind == "user":
            return self.env._(
                "Unknown user '%(label)s': map it to an employee", **values
            )
        if kind == "project" and problem.name:
            return self.env._(
                "Unknown project '%(label)s' (%(name)s): map it to a project", **values
            )
        if kind == "project":
            return self.env._(
                "Unknown project '%(label)s': map it to a project", **values
            )
        if problem.name:
            return self.env._(
                "Unknown client '%(label)s' (%(name)s): map it to a partner", **values
            )
        return self.env._("Unknown client '%(label)s': map it to a partner", **values)

    @api.model
    def _prepare_timesheet_vals(self, entry, resolution):
        """Values of the timesheet line of ``entry``. Hook for extensions."""
        vals = {
            "name": entry.description or "/",
            "date": entry.date,
            "unit_amount": entry.hours or 0.0,
            "employee_id": resolution.employee_id,
            "project_id": resolution.project_id,
            "task_id": resolution.task_id or False,
            # Unknown (None) counts as billable: only the source's "no" stops it.
            "billing_source_billable": entry.billable is not False,
        }
        if resolution.partner_id:
            vals["partner_id"] = resolution.partner_id
        return vals

    @api.model
    def _line_changes(self, line, vals):
        """The part of ``vals`` that differs from ``line``."""
        changes = {}
        for fname, value in vals.items():
            current = line[fname]
            field = line._fields[fname]
            if field.type == "many2one":
                current = current.id
                value = value or False
                current = current or False
            elif field.type == "float":
                if not float_compare(current or 0.0, value or 0.0, precision_digits=6):
                    continue
                changes[fname] = value
                continue
            if current != value:
                changes[fname] = value
        return changes

    # ------------------------------------------------------------------
    # Applying the decisions
    # ------------------------------------------------------------------

    @api.model
    def _apply(self, backend, sync_run, decisions):
        # Lines are created and changed with billing deferred, and billed
        # once their entries are linked: an entry tells billing the source of
        # its line, its start and end times and whether the source bills it.
        unlinks = [d for d in decisions if d.line_op == "unlink"]
        if unlinks:
            self._run_line_ops(
                unlinks, lambda group: group.record.timesheet_id.unlink()
            )
        writes = [d for d in decisions if d.line_op == "write"]
        if writes:
            self._write_lines(writes)
        creates = [d for d in decisions if d.line_op == "create"]
        if creates:
            self._create_lines(creates)

        run_id = sync_run.id
        new_vals = []
        for decision in decisions:
            if not decision.entry_vals:
                continue
            decision.entry_vals["sync_run_id"] = run_id
            if decision.record:
                decision.record.write(decision.entry_vals)
            else:
                new_vals.append(
                    {
                        "backend_id": backend.id,
                        "external_id": decision.key,
                        **decision.entry_vals,
                    }
                )
        if new_vals:
            self._create_entries(new_vals)
        Line = self.env["account.analytic.line"]
        triggers = set(Line._get_billing_trigger_fields())
        Line.browse(
            decision.entry_vals["timesheet_id"]
            if decision.line_op == "create"
            else decision.record.timesheet_id.id
            for decision in decisions
            if decision.line_op == "create"
            or (decision.line_op == "write" and triggers & set(decision.line_vals))
        )._billing_refresh()

    @api.model
    def _line_model(self):
        """Timesheet lines as the importer writes them: protections of
        imported lines let it through, and billing waits for the entries."""
        return self.env["account.analytic.line"].with_context(
            **{IMPORT_CONTEXT_KEY: True, BILLING_DEFER_CONTEXT: True}
        )

    @api.model
    def _create_entries(self, vals_list):
        """Insert the new entries of a page; return them.

        A measured hot path (``scripts/bench.sh``): ``create()`` spends more
        time filling its cache than inserting, for records this transaction
        does not read again. A staging entry has no ``create()`` override, no
        constraint method and one computed field, its company (the
        backend's): the INSERT below stores what ``create()`` would, values
        converted by their fields and defaults applied (a test compares
        both).

        The advisory locks serialise concurrent imports of the same entries,
        but a transaction's snapshot may predate the commit of the other
        one: the entry it did not see then breaks the unique key. That is a
        concurrency error, retried in a new transaction (HTTP requests are,
        the synchronisation retries the page).
        """
        Entry = self.env["time.billing.entry"]
        companies = {
            backend.id: backend.company_id.id
            for backend in self.env["time.billing.backend"].browse(
                {vals["backend_id"] for vals in vals_list}
            )
        }
        now = self.env.cr.now()
        log_vals = {
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        fields = Entry._fields
        defaults = Entry.default_get(
            [
                fname
                for fname, field in fields.items()
                if field.column_type and fname not in ("id", *log_vals)
            ]
        )
        rows = [
            {
                **defaults,
                **vals,
                **log_vals,
                "company_id": companies[vals["backend_id"]],
            }
            for vals in vals_list
        ]
        fnames = sorted({fname for row in rows for fname in row})
        ids = []
        try:
            # Not flushing: the pending updates of the page's lines are sent
            # once, with their billing values.
            with self.env.cr.savepoint(flush=False), mute_logger("odoo.sql_db"):
                for chunk in split_every(500, rows):
                    self.env.cr.execute(
                        SQL(
                            "INSERT INTO %s (%s) VALUES %s RETURNING id",
                            SQL.identifier(Entry._table),
                            SQL(", ").join(map(SQL.identifier, fnames)),
                            SQL(", ").join(
                                tuple(
                                    fields[fname].convert_to_column_insert(
                                        row[fname], Entry, row
                                    )
                                    if fname in row
                                    else SQL_DEFAULT
                                    for fname in fnames
                                )
                                for row in chunk
                            ),
                        )
                    )
                    ids.extend(entry_id for (entry_id,) in self.env.cr.fetchall())
        except UniqueViolation as err:
            if err.diag.constraint_name != f"{Entry._table}_backend_external_uniq":
                raise
            raise ConcurrencyError(
                "Another transaction imported some of these entries meanwhile"
            ) from err
        # What the ORM knows of the records these entries point to (a
        # line's entries, a run's entries) must be read again.
        for many2one in fields.values():
            if many2one.type == "many2one" and many2one.store:
                for inverse in self.env.registry.field_inverses[many2one]:
                    self.env[inverse.model_name].invalidate_model([inverse.name])
        return Entry.browse(ids)

    def _run_line_ops(self, decisions, operation):
        """Run ``operation`` on all ``decisions`` at once; if Odoo refuses,
        retry one by one so that only the refused entries become exceptions.

        ``operation`` receives a :class:`_Decision` group: either the list
        wrapper with ``.record`` being all records, or a single decision.
        """
        group = _Group(decisions)
        try:
            with self._operation_savepoint():
                operation(group)
            return
        except (UserError, PsycopgError):
            _logger.debug("Batch refused, retrying entry by entry", exc_info=True)
        for decision in decisions:
            try:
                with self._operation_savepoint():
                    operation(_Group([decision]))
            except (UserError, PsycopgError) as err:
                self._refused(decision, err)

    @contextmanager
    def _operation_savepoint(self):
        """A savepoint around one line operation that flushes before it, not
        after: what the operation leaves pending (the stored computed fields
        of new lines) goes to the database with the billing values written
        next, in one UPDATE per line instead of two. When the operation
        fails, its pending updates are dropped with it."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                yield
        except Exception:
            self.env.cr.clear()
            raise

    def _write_lines(self, decisions):
        def write_all(group):
            by_vals = defaultdict(list)
            for decision in group.decisions:
                frozen = tuple(sorted(decision.line_vals.items()))
                by_vals[frozen].append(decision.record.timesheet_id.id)
            Line = self._line_model()
            # One prefetch set for all the lines, so that what write() reads
            # is fetched once for the page, not once per group.
            all_ids = [line_id for ids in by_vals.values() for line_id in ids]
            for frozen, line_ids in by_vals.items():
                Line.browse(line_ids).with_prefetch(all_ids).write(dict(frozen))

        self._run_line_ops(decisions, write_all)

    def _create_lines(self, decisions):
        def create_all(group):
            lines = self._line_model().create([d.line_vals for d in group.decisions])
            for decision, line in zip(group.decisions, lines, strict=True):
                decision.entry_vals["timesheet_id"] = line.id

        self._run_line_ops(decisions, create_all)

    def _refused(self, decision, err):
        """Odoo refused the line of ``decision``: hold the entry as an exception."""
        message = err.args[0] if isinstance(err, UserError) else str(err)
        reason = self.env._(
            "Odoo refused the timesheet line: %(error)s", error=message.strip()
        )
        record = decision.record
        decision.line_op = ""
        decision.entry_vals.pop("timesheet_id", None)
        if record.timesheet_id:
            # The existing line stays as it is, and so does the version it
            # was made from: the next import of this version tries again.
            decision.entry_vals.pop("payload", None)
            decision.entry_vals.pop("payload_hash", None)
        if (
            record.state == "exception"
            and record.exception_reason == reason
            and record.payload_hash
            == decision.entry_vals.get("payload_hash", record.payload_hash)
        ):
            # Refused again for the same reason: nothing changes.
            decision.outcome = "unchanged"
            decision.entry_vals = {}
            decision.log = ""
            return
        decision.outcome = "errors"
        decision.entry_vals.update(
            state="exception", exception_reason=reason, match_issues=False
        )
        decision.log = self.env._(
            "Entry %(entry)s: %(reason)s", entry=decision.key, reason=reason
        )


class _Group:
    """Decisions handled together by one line operation."""

    def __init__(self, decisions):
        self.decisions = decisions

    @property
    def record(self):
        records = self.decisions[0].record.browse()
        for decision in self.decisions:
            records |= decision.record
        return records
