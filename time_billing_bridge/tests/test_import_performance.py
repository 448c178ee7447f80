# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime

from odoo.tests import tagged

from ..tools.guard import pipeline_write
from .common_import import ImportCommon, make_entry


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


@tagged("post_install", "-at_install")
class TestEntryInsert(ImportCommon):
    """The importer inserts new entries without create(): both store the same."""

    def test_insert_stores_what_create_stores(self):
        line = self._create_timesheet(hours=2.0)
        run = self.start_run()
        values = {
            "backend_id": self.backend.id,
            "payload": '{"id": 1, "notes": "Caf\u00e9"}',
            "payload_hash": "abc",
            "state": "conflict",
            "exception_reason": "Changed at the source",
            "date": date(2026, 3, 2),
            "hours": 1.25,
            "description": "Design review",
            "external_user_ref": "u-1",
            "external_updated_at": datetime(2026, 3, 2, 18, 30),
            "source_start": "2026-03-02T09:00:00+01:00",
            "source_end": "2026-03-02T10:15:00+01:00",
            "billable_at_source": "non_billable",
            "is_running": False,
            "locked_at_source": True,
            "line_number": 7,
            "conflict_type": "update",
            "pending_values": {"hours": 2.5, "description": "New"},
            "timesheet_id": line.id,
            "sync_run_id": run.id,
        }
        with pipeline_write():
            created = self.Entry.create({**values, "external_id": "by-create"})
        inserted = self.env["time.billing.importer"]._create_entries(
            [
                {**values, "external_id": "by-insert"},
                # Only some fields: the others take their defaults.
                {"backend_id": self.backend.id, "external_id": "minimal"},
            ]
        )
        self.env.invalidate_all()
        fnames = [
            fname
            for fname, field in self.Entry._fields.items()
            if field.store
            and fname not in ("id", "external_id", "create_date", "write_date")
        ]
        expected = created.read(fnames)[0]
        del expected["id"]
        got = inserted[0].read(fnames)[0]
        del got["id"]
        self.assertEqual(got, expected)
        self.assertEqual(inserted[0].company_id, self.backend.company_id)
        self.assertEqual(inserted[1].state, "imported")
        self.assertEqual(inserted[1].company_id, self.backend.company_id)
        self.assertEqual(line.billing_entry_ids, created | inserted[0])
