# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Big files through the upload wizard: locks, limits, the preview, and
which backends take a file."""

import base64

from odoo.tests import tagged
from odoo.tools import SQL

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
