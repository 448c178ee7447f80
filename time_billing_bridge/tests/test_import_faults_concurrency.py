# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Concurrency faults of a synchronisation, in real transactions: two
workers on one backend, and a concurrent import that makes the page's
transaction fail to serialise.

test_import_sync's test_a_second_worker_cannot_sync_the_same_backend holds
the lock from a bare cursor, and test_page_overlapping_a_concurrent_import_is_retried
fakes a stale snapshot; here both come from real synchronisations.

The data is committed (the other transactions must see it) and removed at
the end: the commits below are the point of the tests."""

import dataclasses
import logging
import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ConcurrencyError, UserError
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from ..const import PARAM_ALLOW_HTTP, PARAM_ALLOW_PRIVATE
from ..providers.base import Page
from .common_providers import LocalFakes
from .fakes import FakeHarvest

ENTRIES = "/time_entries"
SYNC_LOGGER = "odoo.addons.time_billing_bridge.models.time_billing_backend.sync"


class Messages(logging.Handler):
    """The messages of a logger, whichever thread logs them."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@tagged("post_install", "-at_install")
class TestSyncConcurrency(LocalFakes, BaseCase):
    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        # The test runner holds the registry lock: threads use the loaded one.
        self.registry_ = Registry.registries[self.dbname]
        self.fake = FakeHarvest()
        self.fake.start()
        self.addCleanup(self.fake.stop)
        self.fake.build_world(
            users=[{"name": "Fay Fault", "email": "fay.fault@example.com"}],
            projects=["Fault Project (test)"],
            clients=["Fault Client (test)"],
            tasks=1,
        )
        backend_class = self.registry_["time.billing.backend"]
        config = backend_class._get_adapter_config
        self.patch(
            backend_class,
            "_get_adapter_config",
            lambda backend: dataclasses.replace(
                config(backend), page_size=2, retry_backoff=0.0, max_retries=1
            ),
        )
        self.ids = self._commit_fixture()
        self.addCleanup(self._remove_fixture)

    def _env(self, cr):
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry_)
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _commit_fixture(self):
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            params = env["ir.config_parameter"]
            self.params = {
                key: params.get_param(key)
                for key in (PARAM_ALLOW_HTTP, PARAM_ALLOW_PRIVATE)
            }
            for key in self.params:
                params.set_param(key, "1")
            source = self.fake.projects[0]
            partner = env["res.partner"].create(
                {"name": source.client.name, "is_company": True}
            )
            project = env["project.project"].create(
                {"name": source.name, "partner_id": partner.id}
            )
            project.account_id.code = source.code
            task = env["project.task"].create(
                {"name": source.tasks[0].name, "project_id": project.id}
            )
            person = self.fake.people[0]
            employee = env["hr.employee"].create(
                {"name": "Fay Fault", "work_email": person.email}
            )
            backend = env["time.billing.backend"].create(
                {
                    "name": "Harvest (concurrency test)",
                    "provider": "harvest",
                    "api_url": self.fake.url,
                    "api_token": self.fake.token,
                    "account_ref": self.fake.account_id,
                    # The requests of the import only are counted.
                    "deletion_check_days": 0,
                }
            )
            cr.commit()  # pylint: disable=invalid-commit
            return {
                "partner": partner.id,
                "project": project.id,
                "account": project.account_id.id,
                "task": task.id,
                "employee": employee.id,
                "contact": employee.work_contact_id.id,
                "backend": backend.id,
            }

    def _remove_fixture(self):
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            backend = env["time.billing.backend"].browse(self.ids["backend"])
            backend.entry_ids.timesheet_id.unlink()
            backend.unlink()
            env["project.task"].browse(self.ids["task"]).unlink()
            env["project.project"].browse(self.ids["project"]).unlink()
            env["account.analytic.account"].browse(self.ids["account"]).unlink()
            env["hr.employee"].browse(self.ids["employee"]).unlink()
            env["res.partner"].browse(
                [self.ids["partner"], self.ids["contact"]]
            ).unlink()
            params = env["ir.config_parameter"]
            for key, value in self.params.items():
                params.set_param(key, value or False)
            cr.commit()  # pylint: disable=invalid-commit

    def sync(self, results, name, trigger="manual"):
        """Synchronise in a transaction of its own, as a worker does; record
        the run's id, or the refusal, in ``results[name]``."""
        with db_connect(self.dbname).cursor() as cr:
            backend = self._env(cr)["time.billing.backend"].browse(self.ids["backend"])
            try:
                if trigger == "manual":
                    results[name] = backend.action_sync().id
                else:
                    results[name] = backend._sync(trigger).id
            except UserError as err:
                results[name] = err

    def in_thread(self, *args, **kwargs):
        thread = threading.Thread(target=self.sync, args=args, kwargs=kwargs)
        thread.start()
        self.addCleanup(thread.join, 30)
        self.addCleanup(self.fake.release)  # first, should a test fail
        return thread

    def wait_for(self, condition, what):
        deadline = time.monotonic() + 10
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}")
            time.sleep(0.02)

    def imported(self):
        """``(entries, lines, runs)`` of the backend as committed."""
        with db_connect(self.dbname).cursor() as cr:
            backend = self._env(cr)["time.billing.backend"].browse(self.ids["backend"])
            entries = backend.entry_ids
            lines = self._env(cr)["account.analytic.line"].search(
                [("project_id", "=", self.ids["project"])]
            )
            self.assertEqual(entries.timesheet_id, lines)
            runs = backend.sync_run_ids
            return (
                sorted(entries.mapped("external_id")),
                sorted(
                    (line.billing_entry_ids.external_id, line.unit_amount)
                    for line in lines
                ),
                list(
                    zip(
                        runs.mapped("state"),
                        runs.mapped("page_count"),
                        runs.mapped("created_count"),
                        runs.mapped("updated_count"),
                        runs.mapped("unchanged_count"),
                        runs.mapped("error_count"),
                        strict=True,
                    )
                ),
            )

    def concurrent_import(self):
        """Import the source's first page in a new transaction (as a webhook
        would), left open, holding its entries' locks; return its cursor."""
        other = db_connect(self.dbname).cursor()
        self.addCleanup(other.close)
        backend = self._env(other)["time.billing.backend"].browse(self.ids["backend"])
        run = backend._start_sync_run("webhook")
        adapter = backend._get_adapter()
        page = next(iter(adapter.iter_pages()))
        adapter.close()
        self.assertTrue(backend._process_page(page, run)["updated"])
        run._finish()
        return other

    @staticmethod
    def waiting(cr):
        """Whether a transaction of this database waits for a lock."""
        cr.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a"
            " ON a.pid = l.pid WHERE a.datname = current_database()"
            " AND NOT l.granted"
        )
        return cr.fetchone()[0]

    def test_two_workers_sync_one_backend(self):
        """While a worker synchronises (held on page two by the provider),
        a second one is refused; the first imports everything once."""
        self.fake.generate(5, seed=21)
        self.fake.answer_next(path=ENTRIES)
        self.fake.hold_next()
        results = {}
        first = self.in_thread(results, "first")
        self.wait_for(
            lambda: len(self.fake.requests_to(ENTRIES)) == 2, "page two asked for"
        )
        self.sync(results, "second")
        self.assertIsInstance(results["second"], UserError)
        self.assertIn("being synchronised right now", str(results["second"]))
        self.sync(results, "cron", trigger="cron")
        self.assertFalse(results["cron"], "the scheduled one skips it")
        self.fake.release()
        first.join(30)
        self.assertFalse(first.is_alive())
        entries, _lines, runs = self.imported()
        self.assertEqual(
            entries, sorted(str(record["id"]) for record in self.fake.records)
        )
        self.assertEqual(runs, [("done", 3, 5, 0, 0, 0)])
        self.assertEqual(len(self.fake.requests_to(ENTRIES)), 3)

    def test_serialization_failure_retries_the_page(self):
        """A concurrent import (a webhook) updates the page's lines and
        entries and commits while the synchronisation waits for their locks:
        the synchronisation's snapshot is older, its update of those rows
        cannot serialise; the page is retried in a new transaction."""
        records = self.fake.generate(2, seed=22)
        self.sync({}, "initial")
        for record in records:
            self.fake.edit(record["id"], hours=record["hours"] + 1.0)
        expected = sorted((str(r["id"]), r["hours"]) for r in records)

        other = self.concurrent_import()
        results = {}
        sync_log = Messages()
        logging.getLogger(SYNC_LOGGER).addHandler(sync_log)
        self.addCleanup(logging.getLogger(SYNC_LOGGER).removeHandler, sync_log)
        # PostgreSQL's refusal is logged by the cursor before it is retried.
        with mute_logger("odoo.sql_db"):
            thread = self.in_thread(results, "sync")

            self.wait_for(lambda: self.waiting(other), "the sync to wait")
            other.commit()  # pylint: disable=invalid-commit
            thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertEqual(
            sync_log.messages,
            [
                f"Backend {self.ids['backend']}: page overlapped by a concurrent "
                "import, retrying"
            ],
        )
        entries, lines, runs = self.imported()
        self.assertEqual(lines, expected)
        # Newest first: the synchronisation, the webhook, the first import.
        self.assertEqual(
            runs,
            [("done", 1, 0, 0, 2, 0), ("done", 1, 0, 2, 0, 0), ("done", 1, 2, 0, 0, 0)],
        )

    def race_a_deletion(self, other):
        """Delete the source's entry in a new transaction that waits for
        ``other``, then commit ``other``; return what the deletion gave: its
        counts, or the ConcurrencyError to retry it on."""
        [record] = self.fake.records
        deleted = Page(deleted_ids=[str(record["id"])])
        results = {}

        def delete():
            with db_connect(self.dbname).cursor() as cr:
                env = self._env(cr)
                backend = env["time.billing.backend"].browse(self.ids["backend"])
                try:
                    run = backend._start_sync_run("webhook")
                    results["delete"] = backend._process_page(deleted, run)
                except ConcurrencyError as err:
                    cr.rollback()
                    results["delete"] = err

        with mute_logger("odoo.sql_db"):
            thread = threading.Thread(target=delete)
            thread.start()
            self.addCleanup(thread.join, 30)
            self.wait_for(lambda: self.waiting(other), "the deletion to wait")
            other.commit()  # pylint: disable=invalid-commit
            thread.join(30)
        first = results.pop("delete", None)
        # Tried again in a new transaction, the deletion goes through.
        delete()
        self.assertEqual(results["delete"]["deleted"], 1)
        with db_connect(self.dbname).cursor() as cr:
            backend = self._env(cr)["time.billing.backend"].browse(self.ids["backend"])
            self.assertEqual(
                backend.entry_ids.mapped("state"), ["deleted"], "not refused"
            )
            self.assertFalse(backend.entry_ids.timesheet_id)
        return first

    def test_deletion_meeting_a_concurrent_import_is_retried(self):
        """The source deletes an entry while a concurrent import updates it:
        the deletion cannot serialise; the page is to be retried."""
        [record] = self.fake.generate(1, seed=23)
        self.sync({}, "initial")
        self.fake.edit(record["id"], hours=record["hours"] + 1.0)
        first = self.race_a_deletion(self.concurrent_import())
        self.assertIsInstance(first, ConcurrencyError)

    def test_deletion_meeting_a_line_edit_is_retried(self):
        """The same with only the line changed meanwhile (its entry is not):
        PostgreSQL's refusal is not Odoo refusing the line."""
        self.fake.generate(1, seed=24)
        self.sync({}, "initial")
        other = db_connect(self.dbname).cursor()
        self.addCleanup(other.close)
        backend = self._env(other)["time.billing.backend"].browse(self.ids["backend"])
        backend.entry_ids.timesheet_id.write({"name": "Edited meanwhile"})
        self._env(other).flush_all()
        first = self.race_a_deletion(other)
        self.assertIsInstance(first, ConcurrencyError)
