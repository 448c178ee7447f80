# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""QuickBooks Time, ClickUp and Hubstaff exports uploaded as they are: no
column step, and the right people, days, hours, projects, tasks and billable
flags on the timesheet lines."""

import base64
from datetime import date

from odoo.tests import tagged

from .common import TimeBillingCommon
from .common_files import qbtime_workbook, sample


@tagged("post_install", "-at_install")
class TestImportVendorExports(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "Exports (test)", "provider": "csv"}
        )

    def _import(self, filename, content=None):
        wizard = (
            self.env["time.billing.import.file"]
            .with_context(default_backend_id=self.backend.id)
            .create(
                {
                    "file": base64.b64encode(content or sample(filename)),
                    "filename": filename,
                }
            )
        )
        wizard.action_read_file()
        return wizard

    def _lines(self, wizard):
        entries = self.env["time.billing.entry"].search(
            [("sync_run_id", "=", wizard.sync_run_id.id)]
        )
        return {
            entry.line_number: entry.timesheet_id
            for entry in entries
            if entry.timesheet_id
        }

    def _shape(self, line):
        return (
            line.employee_id,
            line.date,
            line.unit_amount,
            line.project_id,
            line.task_id,
            line.billing_source_billable,
        )

    def _check_qbtime(self, wizard):
        self.assertEqual(wizard.state, "ready")
        self.assertEqual(wizard.detected_format, "qbtime")
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.error_count), (3, 0))
        lines = self._lines(wizard)
        senior, junior = self.employee_senior, self.employee_junior
        A, B, task = self.project_a, self.project_b, self.task_a
        Task = self.env["project.task"]
        self.assertEqual(
            {number: self._shape(line) for number, line in lines.items()},
            {
                2: (senior, date(2026, 3, 2), 2.5, A, task, True),
                3: (junior, date(2026, 3, 2), 0.75, A, Task, True),
                4: (junior, date(2026, 3, 3), 1.75, B, Task, False),
            },
        )
        self.assertEqual(lines[2].name, "Wireframes, second round")
        self.assertFalse(self.backend.file_format_ids)

    def test_qbtime_csv(self):
        self._check_qbtime(self._import("qbtime_timesheet_report.csv"))

    def test_qbtime_xlsx(self):
        self._check_qbtime(self._import("timesheet_report.xlsx", qbtime_workbook()))

    def test_clickup(self):
        wizard = self._import("clickup_time_tracking.csv")
        self.assertEqual(wizard.state, "ready")
        self.assertEqual(wizard.detected_format_name, "ClickUp time tracking")
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.error_count), (2, 1))
        lines = self._lines(wizard)
        self.assertEqual(
            {number: self._shape(line) for number, line in lines.items()},
            {
                2: (
                    self.employee_senior,
                    date(2026, 3, 2),
                    1.5,
                    self.project_a,
                    self.task_a,
                    True,
                ),
                3: (
                    self.employee_junior,
                    date(2026, 3, 3),
                    0.75,
                    self.project_a,
                    self.task_a,
                    True,
                ),
            },
        )
        # ClickUp's own entry id identifies the entry.
        entry = lines[2].billing_entry_ids
        self.assertEqual(entry.external_id, "3902118741520318461")
        # A task Odoo does not have waits, naming its line.
        reason = wizard.exception_entry_ids.exception_reason
        self.assertTrue(reason.startswith("Line 4: Unknown task 'Release 2.1'"), reason)

    def test_hubstaff(self):
        wizard = self._import("hubstaff_time_activity.csv")
        self.assertEqual(wizard.state, "ready")
        self.assertEqual(wizard.detected_format, "hubstaff")
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.error_count), (3, 0))
        lines = self._lines(wizard)
        Task = self.env["project.task"]
        self.assertEqual(
            {number: self._shape(line)[:5] for number, line in lines.items()},
            {
                2: (
                    self.employee_senior,
                    date(2026, 3, 2),
                    2.5,
                    self.project_a,
                    self.task_a,
                ),
                3: (self.employee_junior, date(2026, 3, 3), 0.75, self.project_a, Task),
                4: (
                    self.employee_junior,
                    date(2026, 3, 4),
                    1.258333,
                    self.project_b,
                    Task,
                ),
            },
        )

    def test_unknown_headers_ask_for_columns(self):
        content = b"Day,Who,Spent,Matter\n2026-03-02,Sam Senior,1.5,Project A\n"
        wizard = self._import("other.csv", content)
        self.assertEqual(wizard.state, "mapping")
        self.assertFalse(wizard.detected_format)
