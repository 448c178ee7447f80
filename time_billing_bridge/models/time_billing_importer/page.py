# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The importer model, its entry points, and reading the page."""

from odoo import api, models
from odoo.exceptions import ConcurrencyError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ...importer import staging
from ...importer.decisions import COUNT_KEYS, ENTRY_FETCH_FIELDS, LINE_FETCH_FIELDS


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
            try:
                with self.env.cr.savepoint():
                    self._apply(backend, sync_run, decisions)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as err:
                # A concurrent import changed these rows and committed after
                # this transaction's snapshot (taken before it waited for the
                # entry locks): the decisions are stale, the page is retried
                # (TestSyncConcurrency.test_serialization_failure_retries_the_page).
                raise ConcurrencyError(
                    "Another transaction changed some of these entries meanwhile"
                ) from err
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
        and files may deliver one entry at the same time): transaction
        advisory locks on the buckets of the entries' ids (a bounded number,
        see ``staging.ENTRY_LOCK_BUCKETS``), taken in one query, in a stable
        order."""
        keys = staging.entry_lock_keys(backend.id, incoming)
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
