# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A file import costs the same for every chunk of the file: the same
queries, the same ORM cache, and plans that stay right as the tables fill
(speed itself is measured by ``scripts/bench.sh --only files``, never
here)."""

import base64
from itertools import pairwise
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import SQL

from ..tools import planner
from ..wizards import time_billing_import_file as import_file
from .common import TimeBillingCommon
from .test_import_file_scale import generated_csv

# The rows of generated_csv repeat their people, projects and durations
# every 84 rows: chunks of 84 rows are alike.
CHUNK = 84
MODELS = ("time.billing.entry", "account.analytic.line")


@tagged("post_install", "-at_install")
class TestImportFileChunks(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "Spreadsheets (chunk test)", "provider": "csv"}
        )

    def _import(self, content):
        wizard = (
            self.env["time.billing.import.file"]
            .with_context(default_backend_id=self.backend.id)
            .create({"file": base64.b64encode(content), "filename": "export.csv"})
        )
        wizard.action_read_file()
        wizard.action_import()
        return wizard

    def _cached_records(self):
        """Values of the entries and lines the ORM holds in its cache."""
        return sum(
            len(values)
            for field, values in self.env.transaction.field_data.items()
            if field.model_name in MODELS
        )

    def assertChunksAlike(self, queries):
        """Every chunk runs the same queries. One may run a couple more (a
        registry cache emptied meanwhile and filled again): never a chunk's
        worth, and never more as the file goes on."""
        usual = max(set(queries), key=queries.count)
        others = [count for count in queries if count != usual]
        self.assertLessEqual(len(others), 1, queries)
        self.assertTrue(all(usual < count <= usual + 2 for count in others), queries)

    def test_every_chunk_costs_the_same(self):
        chunks = 10
        marks = []
        split_every = import_file.split_every

        def measured(size, iterable, piece):
            # Queries and cache when each chunk starts, and after the last.
            for chunk in split_every(size, iterable, piece):
                marks.append((self.env.cr.sql_log_count, self._cached_records()))
                yield chunk
            marks.append((self.env.cr.sql_log_count, self._cached_records()))

        with (
            patch.object(import_file, "IMPORT_CHUNK", CHUNK),
            patch.object(import_file, "STATS_CHECK_ROWS", CHUNK * chunks * 2),
            patch.object(import_file, "split_every", measured),
        ):
            wizard = self._import(generated_csv(CHUNK * chunks))
        self.assertEqual(wizard.created_count, CHUNK * chunks)
        self.assertEqual(len(marks), chunks + 1)
        queries = [after[0] - before[0] for before, after in pairwise(marks)]
        # The first chunk reads what the others find cached (people, projects).
        self.assertChunksAlike(queries[1:])
        cached = [cache for _count, cache in marks[1:]]
        self.assertEqual(set(cached), {cached[0]}, cached)

        # The same file again: every chunk unchanged, and alike too.
        marks.clear()
        with (
            patch.object(import_file, "IMPORT_CHUNK", CHUNK),
            patch.object(import_file, "split_every", measured),
        ):
            wizard = self._import(generated_csv(CHUNK * chunks))
        self.assertEqual(wizard.unchanged_count, CHUNK * chunks)
        queries = [after[0] - before[0] for before, after in pairwise(marks)]
        self.assertChunksAlike(queries[1:])

    def test_planner_estimate_follows_the_rows_imported(self):
        # Statistics taken when the lines table held few rows over many pages
        # (here: rows inserted, deleted, then analyzed) let the planner
        # believe it nearly empty whatever the import adds to it.
        self._import(generated_csv(600))
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                "DELETE FROM account_analytic_line WHERE id IN (SELECT timesheet_id"
                " FROM time_billing_entry WHERE backend_id = %s)",
                self.backend.id,
            )
        )
        cr.execute(
            SQL("DELETE FROM time_billing_entry WHERE backend_id = %s", self.backend.id)
        )
        self.env.invalidate_all()
        cr.execute("ANALYZE account_analytic_line")
        cr.execute("SELECT count(*) FROM account_analytic_line")
        (left,) = cr.fetchone()
        self.assertLess(planner.estimated_rows(cr, "account_analytic_line"), left + 100)

        with (
            patch.object(import_file, "IMPORT_CHUNK", 100),
            patch.object(import_file, "STATS_CHECK_ROWS", 200),
        ):
            wizard = self._import(generated_csv(400))
        self.assertEqual(wizard.created_count, 400)
        cr.execute("SELECT count(*) FROM account_analytic_line")
        (lines,) = cr.fetchone()
        self.assertGreaterEqual(
            planner.estimated_rows(cr, "account_analytic_line"), lines * 0.8
        )
