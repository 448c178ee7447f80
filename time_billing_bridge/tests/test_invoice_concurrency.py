# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import threading
import time

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name


@tagged("post_install", "-at_install")
class TestInvoiceRunConcurrency(BaseCase):
    """Two invoice runs of one contract at the same moment, in two real
    transactions: one period, one invoice.

    The data is committed (the other transactions must see it) and removed
    at the end: the commits below are the point of the test."""

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        # The test runner holds the registry lock: threads must not look the
        # registry up again, they use the loaded one.
        self.registry_ = Registry.registries[self.dbname]
        self.ids = self._commit_fixture()
        self.addCleanup(self._remove_fixture)

    def _env(self, cr):
        if cr.transaction is None:
            cr.transaction = Transaction(self.registry_)
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _commit_fixture(self):
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            partner = env["res.partner"].create({"name": "Concurrent Client (test)"})
            project = env["project.project"].create(
                {"name": "Concurrent Project (test)", "partner_id": partner.id}
            )
            employee = env["hr.employee"].create({"name": "Concurrent Worker (test)"})
            product = env["product.product"].create(
                {"name": "Concurrent Service (test)", "type": "service"}
            )
            contract = env["time.billing.contract"].create(
                {
                    "name": "Concurrent Contract (test)",
                    "partner_id": partner.id,
                    "project_ids": [(6, 0, project.ids)],
                    "date_start": "2026-01-01",
                    "default_rate": 100.0,
                    "product_id": product.id,
                    "state": "active",
                }
            )
            lines = env["account.analytic.line"].create(
                [
                    {
                        "name": f"Work {day}",
                        "employee_id": employee.id,
                        "project_id": project.id,
                        "date": f"2026-03-0{day}",
                        "unit_amount": 2.0,
                    }
                    for day in (2, 3)
                ]
            )
            self.assertEqual(lines.mapped("billing_state"), ["approved"] * 2)
            cr.commit()  # pylint: disable=invalid-commit
            return {
                "partner": partner.id,
                "project": project.id,
                "employee": employee.id,
                "product": product.id,
                "contract": contract.id,
                "lines": lines.ids,
            }

    def _remove_fixture(self):
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            contract = env["time.billing.contract"].browse(self.ids["contract"])
            invoices = env["account.move"].search(
                [("billing_contract_id", "=", contract.id)]
            )
            runs = invoices.billing_run_id
            invoices.unlink()
            runs.unlink()
            env["account.analytic.line"].browse(self.ids["lines"]).unlink()
            contract.unlink()
            env["project.project"].browse(self.ids["project"]).unlink()
            env["hr.employee"].browse(self.ids["employee"]).unlink()
            env["product.product"].browse(self.ids["product"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_runs_at_once_draft_one_invoice(self):
        first_holds_lock = threading.Event()
        second_started = threading.Event()
        outcomes = {"first": [], "second": []}

        def run(name, before_commit=None, before_start=None):
            if before_start:
                before_start()
            for _attempt in range(3):
                with db_connect(self.dbname).cursor() as cr:
                    env = self._env(cr)
                    contract = env["time.billing.contract"].browse(self.ids["contract"])
                    try:
                        if name == "second":
                            # The snapshot starts before the first run commits.
                            cr.execute("SELECT 1")
                            second_started.set()
                        invoices = contract.action_create_invoices("2026-03-31")
                        if before_commit:
                            before_commit()
                        cr.commit()  # pylint: disable=invalid-commit
                        outcomes[name].append(len(invoices))
                        return
                    except errors.SerializationFailure:
                        # What Odoo does with a request or a cron job: retry.
                        cr.rollback()
                        outcomes[name].append("retried")

        def hold_lock():
            first_holds_lock.set()
            second_started.wait(10)
            time.sleep(0.5)  # the second run is now waiting for the lock

        first = threading.Thread(target=run, args=("first", hold_lock))
        second = threading.Thread(
            target=run, args=("second", None, lambda: first_holds_lock.wait(10))
        )
        first.start()
        second.start()
        first.join(30)
        second.join(30)
        self.assertFalse(first.is_alive() or second.is_alive(), outcomes)
        self.assertEqual(outcomes["first"], [1])
        # The second run waited, could not serialise, was retried and found
        # the period invoiced.
        self.assertEqual(outcomes["second"], ["retried", 0])
        with db_connect(self.dbname).cursor() as cr:
            invoices = self._env(cr)["account.move"].search(
                [("billing_contract_id", "=", self.ids["contract"])]
            )
            self.assertEqual(len(invoices), 1)
            self.assertEqual(invoices.amount_untaxed, 400.0)
