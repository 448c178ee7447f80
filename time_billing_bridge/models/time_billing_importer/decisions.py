# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Deciding what to do with each record of a page, writing nothing."""

from odoo import api, models

from ...const import LOCKED_STATES
from ...importer import matching, staging
from ...importer.decisions import Decision
from ...tools.values import holds

# The kind of exception of each matching problem (``matching.Problem``):
# by its code, else by the kind of record it is about.
PROBLEM_KINDS = {
    "no_date": "bad_date",
    "negative_hours": "bad_hours",
    "user": "unknown_person",
    "project": "unknown_project",
    "task": "unknown_task",
    "client": "unknown_client",
}


class TimeBillingImporter(models.AbstractModel):
    _inherit = "time.billing.importer"

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
        decision = Decision(key=key, record=record)
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
            "exception_kind": error.kind or "unreadable_row",
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
        decision = Decision(key=key, record=record)
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
        if line and line.billing_state in LOCKED_STATES:
            if not allow_locked or line.billing_state == "invoiced":
                return self._conflict(decision, "delete", line, payload, payload_hash)
        decision.outcome = "deleted"
        decision.entry_vals = {
            "state": "deleted",
            "exception_reason": False,
            "exception_kind": False,
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
        decision = Decision(key=key, record=record)
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
            "exception_kind": False,
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
            return self._exception(
                decision, entry_vals, reason, "", same_payload, "timer_running"
            )
        if lookups.source_approved_only and (
            (entry.approval_status or "").lower() != "approved"
        ):
            return self._await_source_approval(
                decision,
                entry,
                entry_vals,
                lookups,
                line,
                payload,
                payload_hash,
                staged,
            )
        resolution = matching.resolve(lookups, entry)
        if resolution.problems:
            reason = "\n".join(self._problem_message(p) for p in resolution.problems)
            if entry.line_number:
                # Named like a row that cannot be read.
                reason = self.env._(
                    "Line %(line)s: %(reason)s", line=entry.line_number, reason=reason
                )
            return self._exception(
                decision,
                entry_vals,
                reason,
                ",".join(resolution.kinds),
                same_payload and not force,
                # The first problem names the group the entry is fixed with.
                self._problem_kind(resolution.problems[0]),
            )
        line_vals = self._prepare_timesheet_vals(entry, resolution)
        if line:
            changes = self._line_changes(line, line_vals)
            locked = line.billing_state in LOCKED_STATES
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

    def _await_source_approval(
        self, decision, entry, entry_vals, lookups, line, payload, payload_hash, staged
    ):
        """Time the source has not approved waits until it does. A line
        imported before it was withdrawn leaves while it is open, and waits
        as a conflict once approved or invoiced in Odoo."""
        if line and line.billing_state in LOCKED_STATES:
            return self._conflict(
                decision, "update", line, payload, payload_hash, staged
            )
        if entry.approval_status:
            reason = self.env._(
                "Not approved in %(provider)s yet (%(status)s): imported once "
                "approved there",
                provider=lookups.source_label,
                status=entry.approval_status,
            )
        else:
            reason = self.env._(
                "Not approved in %(provider)s yet: imported once approved there",
                provider=lookups.source_label,
            )
        same = decision.record.payload_hash == payload_hash and not line
        decision = self._exception(
            decision, entry_vals, reason, "", same, "not_approved"
        )
        if line:
            decision.entry_vals["timesheet_id"] = False
            decision.line_op = "unlink"
        return decision

    def _exception(self, decision, entry_vals, reason, kinds, same_payload, kind):
        """An exception of ``kind`` (``const.EXCEPTION_KINDS``) for ``reason``;
        ``kinds``: the kinds of records to map, comma-separated."""
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
            "exception_kind": kind,
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
            "exception_kind": (
                "source_deleted" if conflict_type == "delete" else "source_changed"
            ),
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
    def _problem_kind(self, problem):
        """The kind of exception (``const.EXCEPTION_KINDS``) of a matching
        problem."""
        return PROBLEM_KINDS.get(problem.code) or PROBLEM_KINDS[problem.kind]

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
        return {
            fname: value
            for fname, value in vals.items()
            if not holds(line, fname, value)
        }
