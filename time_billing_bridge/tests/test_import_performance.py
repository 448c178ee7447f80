# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

from .import_common import ImportCommon, make_entry


@tagged("post_install", "-at_install")
class TestImportQueryCount(ImportCommon):
    """A page costs a fixed number of queries, whatever its size."""

    def page(self, first, size, **values):
        return [
            make_entry(first + i, hours=0.25 + i % 8, task_name="Task A", **values)
            for i in range(size)
        ]

    def count_queries(self, entries):
        run = self.start_run()
        self.env.invalidate_all()
        with self.capture_queries() as queries:
            self.process(*entries, run=run)
        return len(queries)

    def test_new_entries(self):
        self.count_queries(self.page(1, 5))  # warm the caches
        small = self.count_queries(self.page(1000, 10))
        large = self.count_queries(self.page(2000, 100))
        self.assertEqual(
            self.Entry.search_count([("backend_id", "=", self.backend.id)]), 115
        )
        self.assertEqual(large, small, "new entries: one query budget per page")

    def test_changed_and_unchanged_entries(self):
        self.process(*self.page(1000, 10))
        self.process(*self.page(2000, 100))
        self.count_queries(self.page(1000, 10))
        unchanged_small = self.count_queries(self.page(1000, 10))
        unchanged_large = self.count_queries(self.page(2000, 100))
        self.assertEqual(unchanged_large, unchanged_small)
        # Every entry edited at the source: the line writes are grouped at
        # flush, so the count does not grow with the page either. A first
        # edited page warms what billing reads once (the user's time zone).
        self.count_queries(self.page(1000, 10, description="v1"))
        changed_small = self.count_queries(self.page(1000, 10, description="v2"))
        changed_large = self.count_queries(self.page(2000, 100, description="v2"))
        self.assertEqual(changed_large, changed_small)
