# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import api, fields, models

from ..const import SYNC_RUN_STATES

_logger = logging.getLogger(__name__)

SYNC_RUN_TRIGGERS = [
    ("manual", "Manual"),
    ("cron", "Scheduled"),
    ("webhook", "Webhook"),
    ("file", "File Upload"),
    ("review", "Review"),
]

# Stop writing one log line per entry after this many in a run; the entries
# themselves always carry their reason.
MAX_ENTRY_LOG_LINES = 200


class TimeBillingSyncRun(models.Model):
    _name = "time.billing.sync.run"
    _description = "Time Billing Synchronisation Run"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    provider = fields.Selection(related="backend_id.provider")
    trigger = fields.Selection(
        selection=SYNC_RUN_TRIGGERS, required=True, default="manual"
    )
    state = fields.Selection(
        selection=SYNC_RUN_STATES, required=True, default="running", index=True
    )
    date_start = fields.Datetime(
        required=True, default=fields.Datetime.now, readonly=True
    )
    date_end = fields.Datetime(readonly=True)
    duration = fields.Float(
        string="Duration (s)", compute="_compute_duration", digits=(16, 1)
    )
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    deleted_count = fields.Integer(string="Deleted", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    message = fields.Text(
        string="Log", readonly=True, help="What this run did, line by line."
    )
    page_count = fields.Integer(string="Pages", readonly=True)
    since_date = fields.Datetime(
        string="Updated Since",
        readonly=True,
        help="Entries updated at the source after this moment were asked for.",
    )

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for run in self:
            if run.date_start and run.date_end:
                run.duration = (run.date_end - run.date_start).total_seconds()
            else:
                run.duration = 0.0

    @api.depends("backend_id", "date_start")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "%(backend)s, %(date)s",
                backend=run.backend_id.display_name,
                date=fields.Datetime.to_string(run.date_start),
            )

    # ------------------------------------------------------------------
    # Recording what a run does (called by the importer and the callers of
    # time.billing.backend._process_page)
    # ------------------------------------------------------------------

    def _log(self, *lines):
        """Append ``lines`` to the log of each run."""
        lines = [line for line in lines if line]
        if not lines:
            return
        for run in self.sudo():
            run.message = "\n".join(filter(None, [run.message, *lines]))

    def _add_page(self, counts, entry_lines, notes=()):
        """Add the counts of one processed page and log them.

        :param counts: the dict returned by ``_process_page``
        :param entry_lines: one line per entry that needs attention
        :param notes: what the adapter recognised or assumed (``Page.notes``),
            logged once per run
        """
        self.ensure_one()
        run = self.sudo()
        logged_before = run.error_count
        page = run.page_count + 1
        total = sum(counts[key] for key in ("created", "updated", "unchanged"))
        total += counts["deleted"] + counts["errors"]
        summary = self.env._(
            "Page %(page)s: %(total)s entries, %(new)s new, %(updated)s updated, "
            "%(unchanged)s unchanged",
            page=page,
            total=f"{total:,}",
            new=f"{counts['created']:,}",
            updated=f"{counts['updated']:,}",
            unchanged=f"{counts['unchanged']:,}",
        )
        if counts["deleted"]:
            summary += self.env._(", %(deleted)s deleted", deleted=counts["deleted"])
        if counts["errors"]:
            summary += self.env._(", %(errors)s to fix", errors=counts["errors"])
        room = max(MAX_ENTRY_LOG_LINES - logged_before, 0)
        known = (run.message or "").split("\n")
        lines = [note for note in dict.fromkeys(notes) if note not in known]
        lines += [summary, *entry_lines[:room]]
        if logged_before <= MAX_ENTRY_LOG_LINES < logged_before + len(entry_lines):
            lines.append(
                self.env._(
                    "More entries need attention: see the exceptions of this backend."
                )
            )
        run.write(
            {
                "page_count": page,
                "created_count": run.created_count + counts["created"],
                "updated_count": run.updated_count + counts["updated"],
                "unchanged_count": run.unchanged_count + counts["unchanged"],
                "deleted_count": run.deleted_count + counts["deleted"],
                "error_count": run.error_count + counts["errors"],
            }
        )
        run._log(*lines)

    def _finish(self, state=None):
        """Close the run: ``state`` is "done" by default, else "partial" or
        "failed". Entries in exception do not make a run fail: they are
        counted in ``error_count``.
        """
        for run in self.sudo():
            run.write({"state": state or "done", "date_end": fields.Datetime.now()})
            _logger.info(
                "Time billing run %s of backend %s (%s): %s, %s created, "
                "%s updated, %s unchanged, %s deleted, %s to fix",
                run.id,
                run.backend_id.id,
                run.trigger,
                run.state,
                run.created_count,
                run.updated_count,
                run.unchanged_count,
                run.deleted_count,
                run.error_count,
            )
        return self
