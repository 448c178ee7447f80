# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): the FileAdapter.

Without the ORM. The expectations below were checked by hand against the sample
files, which tests/samples/make_samples.py writes.
"""

from odoo.tests import BaseCase, tagged

from ..exceptions import FileFormatError
from ..providers.base import AdapterConfig, EntryError, ExternalEntry
from ..providers.files.adapter import FileAdapter
from ..providers.files.columns import suggest_mapping
from ..providers.files.tables import read_table
from .common_files import sample


@tagged("post_install", "-at_install")
class TestFileAdapter(BaseCase):
    def adapter(self, **options):
        content = sample("timesheet_100_rows_3_broken.csv")
        headers = read_table(content).headers
        options = {
            "content": content,
            "filename": "timesheet.csv",
            "mapping": suggest_mapping(headers).to_json(),
            **options,
        }
        return FileAdapter(AdapterConfig(page_size=40, options=options))

    def test_pages_and_resume(self):
        adapter = self.adapter()
        self.assertEqual(
            adapter.check_connection(),
            "CSV file, UTF-8, comma-separated, 8 columns, 100 rows (custom columns)",
        )
        pages = list(adapter.iter_pages())
        self.assertEqual(
            [len(page.entries) + len(page.errors) for page in pages], [40, 40, 20]
        )
        self.assertEqual([page.resume_token for page in pages], ["41", "81", None])
        self.assertEqual([len(page.errors) for page in pages], [1, 1, 1])
        self.assertTrue(pages[0].notes)
        self.assertFalse(pages[1].notes)
        resumed = list(adapter.iter_pages(resume_token="41"))
        self.assertEqual(
            [entry.external_id for page in resumed for entry in page.entries],
            [entry.external_id for page in pages[1:] for entry in page.entries],
        )
        for page in pages:
            for result in page.entries + page.errors:
                self.assertIsInstance(result, ExternalEntry | EntryError)

    def test_unreadable_upload(self):
        adapter = FileAdapter(AdapterConfig(options={"filename": "x.csv"}))
        with self.assertRaisesRegex(FileFormatError, "'x.csv' is empty"):
            adapter.check_connection()
