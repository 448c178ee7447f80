# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import re
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.misc import format_datetime

from ..const import (
    DEFAULT_SYNC_RUN_RETENTION_DAYS,
    PARAM_SYNC_RUN_RETENTION_DAYS,
    SYNC_RUN_STATES,
)

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
# A run's log keeps its first LOG_HEAD_LINES lines and its latest ones,
# LOG_MAX_LINES in all (a marker line counts what is left out between), each
# shortened to LOG_MAX_LINE_CHARS: a run of a million pages stays readable.
LOG_MAX_LINES = 1000
LOG_HEAD_LINES = 100
LOG_MAX_LINE_CHARS = 2000
# Old runs deleted by one autovacuum call at most.
GC_BATCH_SIZE = 10000


def bound_log(lines, omitted, marker):
    """Log ``lines`` (no marker among them) cut to :data:`LOG_MAX_LINES`.

    :param omitted: lines already left out of this log before
    :param marker: ``marker(count)`` is the line that stands for ``count``
        omitted lines
    :return: ``(lines, omitted)``, the marker at index ``LOG_HEAD_LINES``
        when lines are omitted
    """
    if not omitted and len(lines) <= LOG_MAX_LINES:
        return lines, 0
    head, tail = lines[:LOG_HEAD_LINES], lines[LOG_HEAD_LINES:]
    drop = max(0, len(tail) - (LOG_MAX_LINES - LOG_HEAD_LINES - 1))
    omitted += drop
    return [*head, marker(omitted), *tail[drop:]], omitted


def shorten(line):
    """``line`` cut to :data:`LOG_MAX_LINE_CHARS` characters."""
    if len(line) <= LOG_MAX_LINE_CHARS:
        return line
    return line[: LOG_MAX_LINE_CHARS - 1] + "…"


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
    message_html = fields.Html(
        string="Log with Links",
        compute="_compute_message_html",
        sanitize=False,
        help="The log, each entry it names linked to that entry.",
    )
    page_count = fields.Integer(string="Pages", readonly=True)
    log_omitted_lines = fields.Integer(
        readonly=True,
        help="Lines left out of the log, between its first lines and its "
        "latest ones, to keep it short.",
    )
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

    @api.depends("backend_id.name", "date_start")
    @api.depends_context("tz", "lang")
    def _compute_display_name(self):
        """ "Harvest · 03/02/2026 14:05": the backend and when the run started,
        in the user's time zone and language."""
        for run in self:
            run.display_name = " · ".join(
                part
                for part in (
                    run.backend_id.name,
                    format_datetime(self.env, run.date_start, dt_format="short"),
                )
                if part
            )

    def _entry_line_pattern(self):
        """A regex of the log lines naming an entry (``_exception`` and the
        other decisions write them), in the user's language: group
        ``entry`` is the entry's external ID."""
        entry, reason = "\x00ENTRY\x00", "\x00REASON\x00"
        template = self.env._("Entry %(entry)s: %(reason)s", entry=entry, reason=reason)
        if entry not in template or reason not in template:
            return None
        pattern = re.escape(template)
        pattern = pattern.replace(re.escape(entry), "(?P<entry>.+?)", 1)
        pattern = pattern.replace(re.escape(reason), "(?P<reason>.*)", 1)
        return re.compile(f"^{pattern}$")

    @api.depends("message", "backend_id")
    @api.depends_context("lang")
    def _compute_message_html(self):
        pattern = self._entry_line_pattern()
        for run in self:
            lines = (run.message or "").split("\n") if run.message else []
            matches = [pattern and pattern.match(line) for line in lines]
            keys = {match["entry"] for match in matches if match}
            entries = {}
            if keys:
                entries = {
                    entry.external_id: entry
                    for entry in self.env["time.billing.entry"].search(
                        [
                            ("backend_id", "=", run.backend_id.id),
                            ("external_id", "in", list(keys)),
                        ]
                    )
                }
            html = []
            for line, match in zip(lines, matches, strict=True):
                entry = match and entries.get(match["entry"])
                if not entry:
                    html.append(escape(line))
                    continue
                html.append(
                    Markup(
                        '<a href="/odoo/time.billing.entry/%s" title="%s">%s</a>: %s'
                    )
                    % (
                        entry.id,
                        entry.external_id,
                        entry._get_short_title(),
                        match["reason"],
                    )
                )
            run.message_html = (
                Markup('<div class="font-monospace small">%s</div>')
                % Markup("<br/>").join(html)
                if html
                else False
            )

    # ------------------------------------------------------------------
    # Recording what a run does (called by the importer and the callers of
    # time.billing.backend._process_page)
    # ------------------------------------------------------------------

    def _log(self, *lines):
        """Append ``lines`` to the log of each run, keeping it bounded (see
        :func:`bound_log`)."""
        lines = [shorten(part) for line in lines if line for part in line.split("\n")]
        if not lines:
            return

        def marker(count):
            return self.env._("… %(count)s lines omitted …", count=f"{count:,}")

        for run in self.sudo():
            existing = run.message.split("\n") if run.message else []
            if run.log_omitted_lines:
                del existing[LOG_HEAD_LINES]  # the marker, counted again
            kept, omitted = bound_log(existing + lines, run.log_omitted_lines, marker)
            run.write({"message": "\n".join(kept), "log_omitted_lines": omitted})

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
        "failed". Entries in exception or conflict do not make a run fail:
        they are counted in ``error_count``, and a run that got to its end
        with some is "partial" (partially done) rather than "done".
        """
        for run in self.sudo():
            run_state = state or "done"
            if run_state == "done" and run.error_count:
                run_state = "partial"
            run.write({"state": run_state, "date_end": fields.Datetime.now()})
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

    # ------------------------------------------------------------------
    # Clean-up
    # ------------------------------------------------------------------

    @api.model
    def _get_retention_days(self):
        """Days finished runs are kept (a positive system parameter)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(PARAM_SYNC_RUN_RETENTION_DAYS)
        )
        try:
            days = int(value)
        except (TypeError, ValueError):
            return DEFAULT_SYNC_RUN_RETENTION_DAYS
        return days if days > 0 else DEFAULT_SYNC_RUN_RETENTION_DAYS

    @api.autovacuum
    def _gc_old_sync_runs(self):
        """Delete runs that ended before the retention period, except the one
        a backend resumes. Entries keep what they imported: their link to the
        run is emptied (``ondelete="set null"``), like webhook events'."""
        cutoff = fields.Datetime.now() - timedelta(days=self._get_retention_days())
        resumed = (
            self.env["time.billing.backend"]
            .sudo()
            .with_context(active_test=False)
            .search([("sync_resume_run_id", "!=", False)])
            .sync_resume_run_id
        )
        runs = self.sudo().search(
            Domain("state", "!=", "running")
            & Domain("date_start", "<", cutoff)
            & Domain("id", "not in", resumed.ids),
            limit=GC_BATCH_SIZE,
        )
        runs.unlink()
        _logger.debug("Removed %d old synchronisation runs", len(runs))
        return len(runs), len(runs) == GC_BATCH_SIZE
