# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Time waiting for its approval at the source, asked about again on each
synchronisation.

Some sources approve without changing the entries (Tempo approves a
person's timesheet period; its worklogs keep their update time), so the
incremental read never brings such time back. After the pages and the
deletions, :meth:`_sync_recheck_source_approvals` hands the backend's
waiting entries to the adapter, which answers with those now approved; they
go through the importer like any page.
"""

import dataclasses
import json

from odoo import models
from odoo.fields import Domain
from odoo.tools import split_every

# Waiting entries handed to the adapter at once.
RECHECK_BATCH_SIZE = 500


class TimeBillingBackend(models.Model):
    _inherit = "time.billing.backend"

    def _get_adapter_config(self):
        config = super()._get_adapter_config()
        if self.bill_source_approved_only:
            options = dict(config.options or {}, source_approval=True)
            config = dataclasses.replace(config, options=options)
        return config

    def _get_source_approval_waiting_domain(self):
        """Entries of this backend held until the source approves them."""
        return Domain(
            [
                ("backend_id", "=", self.id),
                ("state", "=", "exception"),
                ("is_running", "=", False),
                ("unreadable", "=", False),
                ("approval_status_at_source", "!=", "approved"),
            ]
        )

    def _sync_recheck_source_approvals(self, adapter, run):
        """Import the waiting entries the source approved since they were
        read; the caller commits."""
        if not self.bill_source_approved_only:
            return
        entries = self.env["time.billing.entry"].search(
            self._get_source_approval_waiting_domain(), order="id"
        )
        for batch in split_every(RECHECK_BATCH_SIZE, entries.ids):
            waiting = []
            for entry in self.env["time.billing.entry"].browse(batch):
                try:
                    raw = json.loads(entry.payload or "{}")
                except ValueError:
                    continue
                waiting.append(
                    {
                        "external_id": entry.external_id,
                        "user_ref": entry.external_user_ref or "",
                        "date": entry.date,
                        "raw": raw,
                    }
                )
            page = adapter.recheck_approvals(waiting)
            if page.entries:
                self._process_committed_page(page, run)
                self._commit_sync_progress()
