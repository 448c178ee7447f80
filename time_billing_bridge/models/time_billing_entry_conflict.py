# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A conflict side by side: the timesheet line as it is in Odoo next to what
the source says now, the rows that differ marked.

Date, hours and description compare the line with the source's new version.
Person, project and task are Odoo records on one side and the source's
names on the other: they are marked when the source changed them since the
version that made the line.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.misc import format_date, format_duration


class TimeBillingEntry(models.Model):
    _inherit = "time.billing.entry"

    conflict_html = fields.Html(
        string="Both Versions",
        compute="_compute_conflict_html",
        sanitize=False,
        help="The timesheet line as it is in Odoo and the source's new "
        "version, side by side; the rows that differ are marked.",
    )

    @api.depends(
        "state",
        "conflict_type",
        "pending_values",
        "timesheet_date",
        "timesheet_hours",
        "timesheet_name",
        "timesheet_employee_id",
        "timesheet_project_id",
        "timesheet_task_id",
    )
    @api.depends_context("lang")
    def _compute_conflict_html(self):
        for entry in self:
            if entry.state != "conflict":
                entry.conflict_html = False
                continue
            entry.conflict_html = entry._render_conflict(entry._get_conflict_rows())

    def _get_conflict_rows(self):
        """``[(label, in Odoo, at the source now, differs)]``, texts."""
        self.ensure_one()
        entry = self.sudo()

        def day(value):
            return format_date(self.env, value) if value else ""

        odoo = [
            (self.env._("Date"), day(entry.timesheet_date)),
            (self.env._("Hours"), format_duration(entry.timesheet_hours)),
            (self.env._("Person"), entry.timesheet_employee_id.name or ""),
            (self.env._("Project"), entry.timesheet_project_id.name or ""),
            (self.env._("Task"), entry.timesheet_task_id.name or ""),
            (self.env._("Description"), entry.timesheet_name or ""),
        ]
        if self.conflict_type == "delete":
            gone = self.env._("Deleted at the source")
            return [(label, value, gone, True) for label, value in odoo]
        # What the source said when the line was made, for the names.
        before = (
            entry.external_user_name or entry.external_user_email or "",
            entry.external_project_name or entry.external_project_code or "",
            entry.external_task_name or "",
        )
        now = (
            entry.pending_user_name or "",
            entry.pending_project_name or "",
            entry.pending_task_name or "",
        )
        source = [
            day(entry.pending_date),
            format_duration(entry.pending_hours),
            *now,
            entry.pending_description or "",
        ]
        differs = [
            source[0] != odoo[0][1],
            source[1] != odoo[1][1],
            *(new != old for new, old in zip(now, before, strict=True)),
            source[5].strip() != odoo[5][1].strip(),
        ]
        return [
            (label, value, source_value, changed)
            for (label, value), source_value, changed in zip(
                odoo, source, differs, strict=True
            )
        ]

    def _render_conflict(self, rows):
        """A two-column table of ``rows``, every text escaped."""
        changed_label = self.env._("changed")
        body = Markup()
        for label, odoo_value, source_value, differs in rows:
            mark = "table-warning fw-bold" if differs else ""
            badge = (
                Markup(' <span class="badge text-bg-warning">%s</span>') % changed_label
                if differs
                else Markup()
            )
            body += Markup(
                '<tr><th>%s%s</th><td class="%s">%s</td><td class="%s">%s</td></tr>'
            ) % (label, badge, mark, odoo_value, mark, source_value)
        return Markup(
            '<table class="table table-sm table-bordered o_tbb_conflict">'
            '<thead><tr><th class="w-25"></th><th class="w-25">%s</th>'
            '<th class="w-50">%s</th></tr></thead><tbody>%s</tbody></table>'
        ) % (
            self.env._("In Odoo"),
            self.env._("At the Source Now"),
            body,
        )
