# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Applying the decisions of a page: timesheet lines, then entries."""

import logging
from collections import defaultdict
from contextlib import contextmanager

from psycopg2 import Error as PsycopgError
from psycopg2.errors import UniqueViolation

from odoo import api, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, mute_logger, split_every

from ...const import CTX_DEFER_REFRESH
from ...importer.decisions import SQL_DEFAULT, LineGroup
from ...tools.guard import pipeline_write

_logger = logging.getLogger(__name__)


class TimeBillingImporter(models.AbstractModel):
    _inherit = "time.billing.importer"

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
                with pipeline_write():
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
        """Timesheet lines as the importer writes them: billing waits for the
        entries."""
        return self.env["account.analytic.line"].with_context(
            **{CTX_DEFER_REFRESH: True}
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
        split them in halves and retry each, so that only the refused entries
        become exceptions.

        Halving, not one savepoint per entry: each savepoint that writes
        keeps a lock until the transaction ends, so a refused row costs a
        few savepoints per halving level and the good rows around it none
        of their own.

        ``operation`` receives a :class:`Decision` group: either the list
        wrapper with ``.record`` being all records, or a single decision.
        """
        try:
            with self._operation_savepoint():
                operation(LineGroup(decisions))
            return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # not Odoo refusing the lines: the page is retried
        except (UserError, PsycopgError) as err:
            if len(decisions) == 1:
                self._refused(decisions[0], err)
                return
            _logger.debug("Batch refused, retrying in halves", exc_info=True)
        half = len(decisions) // 2
        self._run_line_ops(decisions[:half], operation)
        self._run_line_ops(decisions[half:], operation)

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
