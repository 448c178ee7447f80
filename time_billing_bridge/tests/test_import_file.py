# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TimeBillingCommon

SAMPLES = Path(__file__).resolve().parent / "samples"
BROKEN_SAMPLE = "timesheet_100_rows_3_broken.csv"


@tagged("post_install", "-at_install")
class TestImportFile(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "Spreadsheets (test)", "provider": "csv"}
        )

    def _wizard(self, filename, content=None, user=None):
        if content is None:
            content = (SAMPLES / filename).read_bytes()
        Wizard = self.env["time.billing.import.file"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.with_context(default_backend_id=self.backend.id).create(
            {"file": base64.b64encode(content), "filename": filename}
        )

    def _lines(self):
        return self.env["account.analytic.line"].search(
            [("billing_entry_ids.backend_id", "=", self.backend.id)]
        )

    def _roles(self, wizard):
        return {column.header: column.role for column in wizard.column_ids}

    def test_hundred_rows_three_broken(self):
        wizard = self._wizard(BROKEN_SAMPLE)
        wizard.action_read_file()
        # Not a known export: the columns are proposed, for the user to check.
        self.assertEqual(wizard.state, "mapping")
        self.assertEqual(wizard.row_count, 100)
        roles = self._roles(wizard)
        self.assertEqual(roles["Date"], "date")
        self.assertEqual(roles["Email"], "user_email")
        self.assertEqual(roles["Duration"], "duration")
        # The preview shows the first rows and every row that cannot be read.
        self.assertIn(
            "97 rows will be imported, 3 cannot be read.", wizard.preview_html
        )
        self.assertIn("Line 37: duration &#39;1h7x&#39;", wizard.preview_html)
        self.assertIn("Line 88: no user", wizard.preview_html)
        self.assertIn("day/month/year", wizard.preview_html)

        wizard.format_name = "Team timesheet"
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        run = wizard.sync_run_id
        self.assertEqual(run.trigger, "file")
        self.assertEqual(run.backend_id, self.backend)
        self.assertEqual(wizard.created_count, 97)
        self.assertEqual(wizard.error_count, 3)

        lines = self._lines()
        self.assertEqual(len(lines), 97)
        self.assertEqual(
            set(lines.employee_id), set(self.employee_senior | self.employee_junior)
        )
        self.assertEqual(set(lines.project_id), set(self.project_a | self.project_b))
        # Every good row is imported; the broken ones wait, with their line.
        exceptions = wizard.exception_entry_ids
        self.assertEqual(exceptions.mapped("line_number"), [37, 52, 88])
        self.assertEqual(
            exceptions.mapped("exception_kind"),
            ["bad_hours", "bad_date", "unknown_person"],
        )
        self.assertEqual(run.state, "partial")
        self.assertEqual(set(exceptions.mapped("state")), {"exception"})
        self.assertIn(
            "Line 37: duration '1h7x' is not a number of hours or h:mm",
            exceptions[0].exception_reason,
        )
        self.assertIn("Line 52: date '31/02/2026'", exceptions[1].exception_reason)
        self.assertIn("Line 88: no user", exceptions[2].exception_reason)
        self.assertFalse(exceptions.timesheet_id)
        # The layout was saved on the backend.
        fmt = self.backend.file_format_ids
        self.assertEqual(fmt.name, "Team timesheet")
        self.assertEqual(wizard.file_format_id, fmt)
        self.assertEqual(fmt.mapping["columns"]["user_email"], "Email")

    def test_reupload_changes_nothing(self):
        first = self._wizard(BROKEN_SAMPLE)
        first.action_read_file()
        first.action_import()
        lines = self._lines()
        entries = self.env["time.billing.entry"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(entries), 100)

        again = self._wizard(BROKEN_SAMPLE)
        again.action_read_file()
        # Recognised from the saved format: no column step this time.
        self.assertEqual(again.state, "ready")
        self.assertEqual(again.file_format_id, first.file_format_id)
        again.action_import()
        self.assertEqual(again.created_count, 0)
        self.assertEqual(again.updated_count, 0)
        self.assertEqual(again.unchanged_count, 100)
        self.assertEqual(self._lines(), lines)
        self.assertEqual(
            self.env["time.billing.entry"].search(
                [("backend_id", "=", self.backend.id)]
            ),
            entries,
        )
        self.assertEqual(len(again.exception_entry_ids), 3)

    def test_saved_format_is_reused(self):
        content = (
            "Jour;Personne;Mission;Temps passé;Commentaire\n"
            "02/03/2026;sam@example.com;Project A;1,5;Atelier\n"
            "03/03/2026;jo@example.com;Project B;2;Relecture\n"
        ).encode()
        wizard = self._wizard("export.csv", content)
        wizard.action_read_file()
        self.assertEqual(wizard.state, "mapping")
        roles = {"Jour": "date", "Personne": "user_email", "Mission": "project_name"}
        roles |= {"Temps passé": "hours", "Commentaire": "description"}
        # As in the column step of the form: the preview follows the choices.
        with Form(wizard) as form:
            for index in range(len(wizard.column_ids)):
                with form.column_ids.edit(index) as line:
                    line.role = False
            self.assertIn("no column is mapped to Date", form.preview_html)
            for index, column in enumerate(wizard.column_ids):
                with form.column_ids.edit(index) as line:
                    line.role = roles[column.header]
            form.date_format = "dmy"
            form.format_name = "Export maison"
            self.assertIn(
                "2 rows will be imported, 0 cannot be read", form.preview_html
            )
            self.assertIn("Atelier", form.preview_html)
        wizard.action_import()
        self.assertEqual(wizard.created_count, 2)
        self.assertEqual(sorted(self._lines().mapped("unit_amount")), [1.5, 2.0])

        # A later file with the same columns, in another order of rows.
        later = self._wizard(
            "export-avril.csv",
            (
                "Jour;Personne;Mission;Temps passé;Commentaire\n"
                "06/04/2026;jo@example.com;Project A;0,75;Suivi\n"
            ).encode(),
        )
        later.action_read_file()
        self.assertEqual(later.state, "ready")
        self.assertEqual(later.file_format_id.name, "Export maison")
        self.assertEqual(self._roles(later)["Temps passé"], "hours")
        self.assertEqual(later.date_format, "dmy")
        later.action_import()
        self.assertEqual(later.created_count, 1)
        line = (
            self.env["time.billing.entry"]
            .search([("sync_run_id", "=", later.sync_run_id.id)])
            .timesheet_id
        )
        self.assertEqual(line.date.isoformat(), "2026-04-06")
        self.assertEqual(line.unit_amount, 0.75)
        self.assertEqual(line.employee_id, self.employee_junior)
        self.assertEqual(len(self.backend.file_format_ids), 1)

    def test_known_export_is_imported_as_is(self):
        wizard = self._wizard("toggl_detailed_report.csv")
        wizard.action_read_file()
        self.assertEqual(wizard.state, "ready")
        self.assertEqual(wizard.detected_format, "toggl")
        self.assertEqual(wizard.detected_format_name, "Toggl Track detailed report")
        self.assertFalse(wizard.file_format_id)
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.created_count + wizard.error_count, wizard.row_count)
        self.assertTrue(wizard.created_count)
        # A known export needs no saved format.
        self.assertFalse(self.backend.file_format_ids)

    def test_rows_that_match_nobody_name_their_line(self):
        header = (SAMPLES / "toggl_detailed_report.csv").read_text("utf-8-sig")
        header = header.splitlines()[0]
        rows = [
            "Sam Senior,sam@example.com,Client A,Project A,,Review,Yes,2026-03-02,"
            "09:00:00,2026-03-02,10:00:00,01:00:00,,",
            "Ann Unknown,ann@example.com,Client A,Project A,,Review,Yes,2026-03-02,"
            "09:00:00,2026-03-02,10:00:00,01:00:00,,",
            "Sam Senior,sam@example.com,Client A,Project Z,,Review,Yes,2026-03-03,"
            "09:00:00,2026-03-03,10:00:00,01:00:00,,",
        ]
        wizard = self._wizard("toggl.csv", "\n".join([header, *rows]).encode())
        wizard.action_read_file()
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.error_count), (1, 2))
        reasons = wizard.exception_entry_ids.sorted("line_number").mapped(
            "exception_reason"
        )
        self.assertTrue(reasons[0].startswith("Line 3: Unknown user"), reasons[0])
        self.assertTrue(reasons[1].startswith("Line 4: Unknown project"), reasons[1])

    def test_mistakes_are_explained(self):
        wizard = self._wizard(BROKEN_SAMPLE)
        wizard.action_read_file()
        by_header = {column.header: column for column in wizard.column_ids}
        by_header["Description"].role = "date"
        with self.assertRaisesRegex(UserError, "Date is chosen for both columns"):
            wizard.action_import()
        by_header["Description"].role = "description"
        by_header["Duration"].role = False
        with self.assertRaisesRegex(UserError, "no column is mapped to Hours"):
            wizard.action_import()
        self.assertFalse(self._lines())

        broken = self._wizard("broken.xlsx", b"PK\x03\x04 not really a workbook")
        with self.assertRaisesRegex(UserError, "broken.xlsx cannot be read"):
            broken.action_read_file()

    def test_billing_user_imports_from_the_menu(self):
        action = self.env.ref("time_billing_bridge.time_billing_import_file_action")
        self.assertEqual(action.res_model, "time.billing.import.file")
        content = (SAMPLES / BROKEN_SAMPLE).read_bytes()
        Wizard = self.env["time.billing.import.file"].with_user(self.billing_user)
        with Form(Wizard) as form:
            form.backend_id = self.backend
            form.file = base64.b64encode(content)
        wizard = form.record
        wizard.action_read_file()
        wizard.action_import()
        self.assertEqual(wizard.created_count, 97)
        self.assertEqual(len(self._lines()), 97)

    def test_backend_button_opens_the_wizard(self):
        other = self.env["time.billing.backend"].create(
            {"name": "Another file source", "provider": "csv"}
        )
        action = other.action_import_file()
        self.assertEqual(action["res_model"], "time.billing.import.file")
        self.assertEqual(action["target"], "new")
        Wizard = self.env["time.billing.import.file"].with_context(**action["context"])
        self.assertEqual(Wizard.default_get(["backend_id"])["backend_id"], other.id)
