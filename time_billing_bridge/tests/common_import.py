# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fixtures of the importer tests: entries, pages and a fake adapter.

The fake adapter replaces the HTTP boundary only (``_get_adapter``); the ORM,
the database and the accounting stay real.
"""

from contextlib import contextmanager
from datetime import date, datetime
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tools import SQL

from ..providers.base import AdapterConfig, ExternalEntry, Page, ProviderAdapter
from .common import TimeBillingCommon


def make_entry(external_id, **values):
    """An :class:`ExternalEntry` for Sam on Project A unless told otherwise;
    its raw payload holds every value, so any change changes the payload."""
    fields = {
        "date": date(2026, 3, 2),
        "hours": 1.5,
        "description": "Design review",
        "updated_at": datetime(2026, 3, 2, 18, 0),
        "user_ref": "u-sam",
        "user_name": "Sam Senior",
        "user_email": "sam@example.com",
        "project_ref": "p-a",
        "project_name": "Project A",
    }
    fields.update(values)
    raw = {
        key: value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in fields.items()
    }
    raw["id"] = external_id
    return ExternalEntry(external_id=str(external_id), raw=raw, **fields)


class FakeAdapter(ProviderAdapter):
    """Serves pages built by the test, as an HTTP adapter would.

    ``failures`` maps a page index to the exception raised instead of that
    page, once (the next call serves the page). Each call to ``iter_pages``
    is recorded in ``calls``; the resume token of page ``i`` is ``str(i+1)``.
    """

    provider = "harvest"

    def __init__(self, pages=(), deleted=(), failures=None, on_page=None):
        super().__init__(AdapterConfig(api_url="http://127.0.0.1:1"))
        self.pages = list(pages)
        self.deleted = list(deleted)
        self.failures = dict(failures or {})
        self.on_page = on_page
        self.connection_error = None
        self.calls = []

    def check_connection(self):
        if self.connection_error:
            raise self.connection_error
        return "Fake account 42"

    def iter_pages(self, since=None, until=None, resume_token=None):
        self.calls.append(
            {"since": since, "until": until, "resume_token": resume_token}
        )
        start = int(resume_token) if resume_token else 0
        for index in range(start, len(self.pages)):
            if index in self.failures:
                raise self.failures.pop(index)
            if self.on_page:
                self.on_page(index)
            source = self.pages[index]
            last = index + 1 == len(self.pages)
            yield Page(
                entries=list(source.entries),
                errors=list(source.errors),
                deleted_ids=list(source.deleted_ids),
                resume_token=None if last else str(index + 1),
            )

    def iter_deleted(self, since=None):
        return iter(self.deleted)


class ImportCommon(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {
                "name": "Harvest (import test)",
                "provider": "harvest",
                "account_ref": "42",
                "api_token": "token-import-test",
                "responsible_id": cls.billing_manager.id,
            }
        )
        cls.Entry = cls.env["time.billing.entry"]
        # Imported time stays open (waiting for the end of its grace period):
        # the source may still change it. Approved time is set up by the tests
        # that need it.
        cls.contract_a.auto_approve_delay = 30

    def setup_company_b(self, label, account_ref):
        """A second company with its own Sam Senior, Project A and Harvest
        backend; Project A of the main company is kept to the main company.
        Return ``(company, employee, project, backend)``."""
        company_b = self.env["res.company"].create({"name": f"Company B ({label})"})
        self.project_a.company_id = self.company
        sam_b = self.env["hr.employee"].create(
            {
                "name": "Sam Senior",
                "work_email": "sam@example.com",
                "company_id": company_b.id,
            }
        )
        project_b = self.env["project.project"].create(
            {"name": "Project A", "company_id": company_b.id}
        )
        backend_b = self.env["time.billing.backend"].create(
            {
                "name": f"Harvest B ({label})",
                "provider": "harvest",
                "account_ref": account_ref,
                "company_id": company_b.id,
            }
        )
        return company_b, sam_b, project_b, backend_b

    def start_run(self, trigger="manual", backend=None):
        return (backend or self.backend)._start_sync_run(trigger)

    def process(self, *entries, errors=(), deleted_ids=(), backend=None, run=None):
        """Process one page now, in the test transaction; return (counts, run)."""
        backend = backend or self.backend
        run = run or self.start_run(backend=backend)
        page = Page(
            entries=list(entries), errors=list(errors), deleted_ids=list(deleted_ids)
        )
        counts = backend._process_page(page, run)
        return counts, run

    def entry(self, external_id, backend=None):
        return self.Entry.search(
            [
                ("backend_id", "=", (backend or self.backend).id),
                ("external_id", "=", str(external_id)),
            ]
        )

    def assert_counts(self, counts, **expected):
        full = dict.fromkeys(
            ("created", "updated", "unchanged", "deleted", "errors", "conflicts"), 0
        )
        full.update(expected)
        self.assertEqual(counts, full)

    @contextmanager
    def capture_queries(self):
        """Collect the SQL run by the test cursor (flushed at the end)."""
        queries = []
        execute = Cursor.execute

        def recording_execute(cursor, query, params=None, log_exceptions=None):
            queries.append(query.code if isinstance(query, SQL) else str(query))
            return execute(cursor, query, params, log_exceptions)

        self.env.flush_all()
        with patch("odoo.sql_db.Cursor.execute", recording_execute):
            yield queries
            self.env.flush_all()

    @staticmethod
    def writes_to(queries, table):
        """The INSERT/UPDATE/DELETE statements of ``queries`` on ``table``."""
        found = []
        for query in queries:
            text = " ".join(query.split()).upper()
            if text.startswith(("INSERT", "UPDATE", "DELETE")) and (
                f'"{table.upper()}"' in text or f" {table.upper()} " in text
            ):
                found.append(query)
        return found

    def use_adapter(self, adapter):
        """Make every backend use ``adapter`` (the HTTP boundary only)."""
        backend_class = type(self.env["time.billing.backend"])
        self.patch(backend_class, "_get_adapter", lambda _b, **_config: adapter)
        self.patch(backend_class, "_get_adapter_class", lambda _b: type(adapter))

    def sync(self, backend=None, trigger="manual", user=None):
        """Synchronise in a separate (test) cursor, which commits page by page
        like a real worker; return the run seen from the test cursor."""
        backend = backend or self.backend
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            env = self.env(cr=cr, user=user)
            records = env["time.billing.backend"].browse(backend.id)
            run = (
                records.action_sync() if trigger == "manual" else records._sync(trigger)
            )
            run_id = run.id
        return self.env["time.billing.sync.run"].browse(run_id)
