# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Big files through the upload wizard: locks, limits, the preview, and
which backends take a file."""

import base64
import io
import zipfile
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..providers import files
from ..wizards.time_billing_import_file import MAX_ROWS_PARAM
from .common import TimeBillingCommon

HEADER = "Date,Employee,Email,Client,Project,Task,Description,Duration\n"
PEOPLE = (("Sam Senior", "sam@example.com"), ("Jo Junior", "jo@example.com"))


def generated_csv(rows, broken=()):
    """A clean export of ``rows`` rows; line numbers in ``broken`` get a bad
    duration (the header is line 1)."""
    lines = [HEADER]
    for index in range(rows):
        name, email = PEOPLE[index % 2]
        project = "Project A" if index % 3 else "Project B"
        day = 1 + index % 28
        duration = f"{index % 7}:{15 * (index % 4):02d}"
        if index + 2 in broken:
            duration = "1h7x"
        lines.append(
            f"{day:02d}/03/2026,{name},{email},Client A,{project},,"
            f"Work item {index},{duration}\n"
        )
    return "".join(lines).encode()


@tagged("post_install", "-at_install")
class TestImportFileScale(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "Spreadsheets (scale test)", "provider": "csv"}
        )

    def _wizard(self, content, filename="export.csv", backend=None):
        return (
            self.env["time.billing.import.file"]
            .with_context(default_backend_id=(backend or self.backend).id)
            .create({"file": base64.b64encode(content), "filename": filename})
        )

    def _locks_held(self):
        """Locks this transaction holds (entries of the shared lock table)."""
        self.env.cr.execute(
            SQL(
                "SELECT locktype, count(*) FROM pg_locks"
                " WHERE pid = pg_backend_pid() GROUP BY locktype"
            )
        )
        return dict(self.env.cr.fetchall())

    def test_big_file_holds_few_locks(self):
        # One lock per row made 20,000 rows exhaust PostgreSQL's lock table
        # ("out of shared memory"); 2,500 rows show the growth in a test.
        before = self._locks_held()
        wizard = self._wizard(generated_csv(2500, broken={40, 2001}))
        wizard.action_read_file()
        wizard.action_import()
        self.assertEqual(wizard.created_count, 2498)
        self.assertEqual(wizard.error_count, 2)
        self.assertEqual(wizard.exception_entry_ids.mapped("line_number"), [40, 2001])
        after = self._locks_held()
        grown = {
            kind: count - before.get(kind, 0)
            for kind, count in after.items()
            if count > before.get(kind, 0)
        }
        self.assertLess(sum(grown.values()), 300, grown)

    def test_file_goes_into_file_backends_only(self):
        harvest = self.env["time.billing.backend"].create(
            {"name": "Harvest (scale test)", "provider": "harvest", "account_ref": "1"}
        )
        content = generated_csv(3)
        # Straight to the ORM, past the form's domain, as any user or sudo.
        for Wizard in (
            self.env["time.billing.import.file"].with_user(self.billing_user),
            self.env["time.billing.import.file"].sudo(),
        ):
            with self.assertRaisesRegex(ValidationError, "is not a file backend"):
                Wizard.create(
                    {
                        "backend_id": harvest.id,
                        "file": base64.b64encode(content),
                        "filename": "export.csv",
                    }
                )
        wizard = self._wizard(content)
        wizard.action_read_file()
        with self.assertRaisesRegex(ValidationError, "is not a file backend"):
            wizard.backend_id = harvest
        # A backend turned into another kind after the upload takes no file.
        self.backend.provider = "harvest"
        with self.assertRaisesRegex(ValidationError, "is not a file backend"):
            wizard.action_import()
        self.assertFalse(
            self.env["time.billing.entry"].search(
                [("backend_id", "in", (self.backend | harvest).ids)]
            )
        )

    def test_row_limit_is_a_system_parameter(self):
        self.env["ir.config_parameter"].set_param(MAX_ROWS_PARAM, "50")
        wizard = self._wizard(generated_csv(60))
        with self.assertRaisesRegex(
            UserError,
            "export.csv has more than 50 rows, the most one import reads. Split "
            "the file, or ask an administrator to raise the system parameter "
            "time_billing_bridge.import_max_rows.",
        ):
            wizard.action_read_file()
        self.env["ir.config_parameter"].set_param(MAX_ROWS_PARAM, "60")
        wizard.action_read_file()
        wizard.action_import()
        self.assertEqual(wizard.created_count, 60)

    def test_zip_bomb_is_refused_unread(self):
        # 64 MB of zeros compress to about 64 KB: a ratio of about 1,000.
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            with archive.open("xl/worksheets/sheet1.xml", "w") as member:
                chunk = b"\0" * (1024 * 1024)
                for _index in range(64):
                    member.write(chunk)
        wizard = self._wizard(bomb.getvalue(), "bomb.xlsx")
        with self.assertRaisesRegex(
            UserError,
            r"bomb.xlsx cannot be read: 'bomb.xlsx' is not a genuine workbook: its "
            r"part 'xl/worksheets/sheet1.xml' would unpack to \d+ times its size",
        ):
            wizard.action_read_file()
        # Thousands of parts: refused on the count, before any is unpacked.
        many = io.BytesIO()
        with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            for index in range(1200):
                archive.writestr(f"xl/media/image{index}.png", b"x")
        wizard = self._wizard(many.getvalue(), "many.xlsx")
        with self.assertRaisesRegex(UserError, "'many.xlsx' holds 1201 files inside"):
            wizard.action_read_file()

    def test_preview_reads_the_file_once(self):
        wizard = self._wizard(generated_csv(300, broken={10}))
        with patch.object(files, "read_table", wraps=files.read_table) as reads:
            wizard.action_read_file()
            self.assertEqual(reads.call_count, 1)
            self.assertIn(
                "299 rows will be imported, 1 cannot be read", wizard.preview_html
            )
            with Form(wizard) as form:
                form.date_format = "mdy"
                # 01/03 to 28/03 read month first: most days are no month.
                self.assertIn("cannot be read", form.preview_html)
                self.assertNotIn("299 rows will be imported", form.preview_html)
                form.date_format = "dmy"
                form.hours_format = "hh:mm"
                self.assertIn("299 rows will be imported", form.preview_html)
            # The options changed three times; the file was read once.
            self.assertEqual(reads.call_count, 1)
            wizard.action_import()
            self.assertEqual(reads.call_count, 2)
        self.assertEqual(wizard.created_count, 299)
