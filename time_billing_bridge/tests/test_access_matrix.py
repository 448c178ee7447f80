# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who can read and do what: the whole access policy in one table.

Every record is in the main company; "other_company" is a billing manager of
another company only. A refusal is an AccessError, or a UserError where only
the pipeline writes (staging entries, periods, billing fields, logs).
"""

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common_access import ROLES, SECRET, TOKEN, AccessCommon
from .common_import import FakeAdapter

Y, N = True, False

# fmt: off
MATRIX = {
    # (model, operation):                 portal internal timesheet user manager other
    ("backend", "read"):                   (N, N, N, Y, Y, N),
    ("backend", "create"):                 (N, N, N, N, Y, N),
    ("backend", "write"):                  (N, N, N, N, Y, N),
    ("backend", "unlink"):                 (N, N, N, N, Y, N),
    ("backend", "sync now"):               (N, N, N, Y, Y, N),
    ("backend", "new webhook secret"):     (N, N, N, N, Y, N),
    # Secrets: the manager of the backend's company only, by any road.
    ("secret", "read"):                    (N, N, N, N, Y, N),
    ("secret", "search_read"):             (N, N, N, N, Y, N),
    ("secret", "web_read"):                (N, N, N, N, Y, N),
    ("secret", "export_data"):             (N, N, N, N, Y, N),
    ("secret", "search by value"):         (N, N, N, N, Y, N),
    ("sync run", "read"):                  (N, N, N, Y, Y, N),
    ("sync run", "create"):                (N, N, N, N, N, N),
    ("sync run", "write"):                 (N, N, N, N, N, N),
    ("sync run", "unlink"):                (N, N, N, N, Y, N),
    ("entry", "read"):                     (N, N, N, Y, Y, N),
    ("entry", "create"):                   (N, N, N, N, N, N),
    ("entry", "write"):                    (N, N, N, N, N, N),
    ("entry", "unlink"):                   (N, N, N, N, N, N),
    ("entry", "reprocess"):                (N, N, N, Y, Y, N),
    ("mapping", "read"):                   (N, N, N, Y, Y, N),
    ("mapping", "create"):                 (N, N, N, Y, Y, N),
    ("mapping", "write"):                  (N, N, N, Y, Y, N),
    ("mapping", "unlink"):                 (N, N, N, N, Y, N),
    ("contract", "read"):                  (N, N, N, Y, Y, N),
    ("contract", "create"):                (N, N, N, Y, Y, N),
    ("contract", "write"):                 (N, N, N, Y, Y, N),
    ("contract", "unlink"):                (N, N, N, N, Y, N),
    ("contract", "price again"):           (N, N, N, Y, Y, N),
    ("contract", "create invoices"):       (N, N, N, Y, Y, N),
    ("rate rule", "read"):                 (N, N, N, Y, Y, N),
    ("rate rule", "create"):               (N, N, N, N, Y, N),
    ("rate rule", "write"):                (N, N, N, N, Y, N),
    ("rate rule", "unlink"):               (N, N, N, N, Y, N),
    ("period", "read"):                    (N, N, N, Y, Y, N),
    ("period", "create"):                  (N, N, N, N, N, N),
    ("period", "write"):                   (N, N, N, N, N, N),
    ("period", "unlink"):                  (N, N, N, N, N, N),
    ("period", "close"):                   (N, N, N, Y, Y, N),
    ("period", "reopen"):                  (N, N, N, N, Y, N),
    ("webhook event", "read"):             (N, N, N, Y, Y, N),
    ("webhook event", "create"):           (N, N, N, N, N, N),
    ("webhook event", "write"):            (N, N, N, N, N, N),
    ("webhook event", "unlink"):           (N, N, N, N, Y, N),
    ("invoice run", "read"):               (N, N, N, Y, Y, N),
    ("invoice run", "create"):             (N, N, N, N, N, N),
    ("invoice run", "unlink"):             (N, N, N, N, Y, N),
    # Timesheet lines: the author's own, and somebody else's.
    ("own time", "read"):                  (N, N, Y, Y, Y, N),
    ("own time", "read billing status"):   (N, N, Y, Y, Y, N),
    ("own time", "read rate and amount"):  (N, N, N, Y, Y, N),
    ("own time", "sum the amounts"):       (N, N, N, Y, Y, N),
    ("own time", "search by amount"):      (N, N, N, Y, Y, N),
    ("own time", "write billing field"):   (N, N, N, N, N, N),
    ("other's time", "read"):              (N, N, N, Y, Y, N),
    ("other's time", "approve"):           (N, N, N, Y, Y, N),
    ("other's time", "reject"):            (N, N, N, Y, Y, N),
}
# fmt: on


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestAccessMatrix(AccessCommon):
    def _operations(self):
        """{(model, operation): call(user)}: the call runs the operation as
        ``user`` and answers ``False`` when it got nothing."""
        company = self.company
        backend, line = self.backend, self.own_line
        amount = line.billing_amount
        Backend = self.env["time.billing.backend"]
        Line = self.env["account.analytic.line"]

        def secret_found(rows):
            return bool(rows) and (rows[0]["api_token"], rows[0]["webhook_secret"]) == (
                TOKEN,
                SECRET,
            )

        def create(model, vals):
            return lambda user: self.env[model].with_user(user).create(vals)

        def write(record, vals):
            return lambda user: record.with_user(user).write(vals)

        def unlink(record):
            return lambda user: record.with_user(user).unlink()

        def reopen(user):
            self.period.action_close()
            return self.period.with_user(user).action_reopen()

        return {
            ("backend", "read"): lambda user: self.read_as(backend, user),
            ("backend", "create"): create(
                "time.billing.backend",
                {"name": "Mine", "provider": "csv", "company_id": company.id},
            ),
            ("backend", "write"): write(backend, {"name": "Renamed"}),
            ("backend", "unlink"): unlink(backend),
            ("backend", "sync now"): lambda user: self.sync(user=user),
            ("backend", "new webhook secret"): lambda user: backend.with_user(
                user
            ).action_generate_webhook_secret(),
            ("secret", "read"): lambda user: secret_found(
                backend.with_user(user).read(["api_token", "webhook_secret"])
            ),
            ("secret", "search_read"): lambda user: secret_found(
                Backend.with_user(user).search_read(
                    [("id", "=", backend.id)], ["api_token", "webhook_secret"]
                )
            ),
            ("secret", "web_read"): lambda user: secret_found(
                backend.with_user(user).web_read(
                    {"api_token": {}, "webhook_secret": {}}
                )
            ),
            ("secret", "export_data"): lambda user: backend.with_user(user).export_data(
                ["api_token", "webhook_secret"]
            )["datas"]
            == [[TOKEN, SECRET]],
            ("secret", "search by value"): lambda user: Backend.with_user(user).search(
                [("api_token", "=", TOKEN)]
            )
            == backend,
            ("sync run", "read"): lambda user: self.read_as(self.sync_run, user),
            ("sync run", "create"): create(
                "time.billing.sync.run", {"backend_id": backend.id}
            ),
            ("sync run", "write"): write(self.sync_run, {"message": "Forged"}),
            ("sync run", "unlink"): unlink(self.sync_run),
            ("entry", "read"): lambda user: self.read_as(self.entry, user),
            ("entry", "create"): create(
                "time.billing.entry",
                {"backend_id": backend.id, "external_id": "forged"},
            ),
            ("entry", "write"): write(self.entry, {"hours": 40.0}),
            ("entry", "unlink"): unlink(self.entry),
            ("entry", "reprocess"): lambda user: self.entry.with_user(
                user
            ).action_reprocess(),
            ("mapping", "read"): lambda user: self.read_as(self.mapping, user),
            ("mapping", "create"): create(
                "time.billing.mapping",
                {
                    "backend_id": backend.id,
                    "kind": "user",
                    "external_ref": "u-x",
                    "employee_id": self.employee_senior.id,
                },
            ),
            ("mapping", "write"): write(self.mapping, {"external_name": "Jo"}),
            ("mapping", "unlink"): unlink(self.mapping),
            ("contract", "read"): lambda user: self.read_as(self.contract_a, user),
            ("contract", "create"): create(
                "time.billing.contract",
                {
                    "name": "New engagement",
                    "partner_id": self.client_b.id,
                    "company_id": company.id,
                    "project_ids": [Command.set(self.project_b.ids)],
                    "date_start": "2026-04-01",
                },
            ),
            ("contract", "write"): write(self.contract_a, {"default_rate": 120.0}),
            ("contract", "unlink"): unlink(self.spare_contract),
            ("contract", "price again"): lambda user: self.contract_a.with_user(
                user
            ).action_rerate(),
            ("contract", "create invoices"): lambda user: self.contract_a.with_user(
                user
            ).action_create_invoices("2026-03-31"),
            ("rate rule", "read"): lambda user: self.read_as(self.rate_rule, user),
            ("rate rule", "create"): create(
                "time.billing.rate.rule",
                {
                    "contract_id": self.contract_a.id,
                    "employee_id": self.employee_junior.id,
                    "rate": 500.0,
                },
            ),
            ("rate rule", "write"): write(self.rate_rule, {"rate": 1.0}),
            ("rate rule", "unlink"): unlink(self.rate_rule),
            ("period", "read"): lambda user: self.read_as(self.period, user),
            ("period", "create"): create(
                "time.billing.period",
                {
                    "contract_id": self.contract_a.id,
                    "date_from": "2026-05-01",
                    "date_to": "2026-05-31",
                },
            ),
            ("period", "write"): write(self.period, {"date_to": "2026-12-31"}),
            ("period", "unlink"): unlink(self.period),
            ("period", "close"): lambda user: self.period.with_user(
                user
            ).action_close(),
            ("period", "reopen"): reopen,
            ("webhook event", "read"): lambda user: self.read_as(
                self.webhook_event, user
            ),
            ("webhook event", "create"): create(
                "time.billing.webhook.event",
                {
                    "backend_id": backend.id,
                    "digest": "forged",
                    "expire_date": "2026-05-01 00:00:00",
                },
            ),
            ("webhook event", "write"): write(
                self.webhook_event, {"expire_date": "2026-04-10 00:00:00"}
            ),
            ("webhook event", "unlink"): unlink(self.webhook_event),
            ("invoice run", "read"): lambda user: self.read_as(self.invoice_run, user),
            ("invoice run", "create"): create(
                "time.billing.invoice.run",
                {"company_id": company.id, "date_to": "2026-03-31"},
            ),
            ("invoice run", "unlink"): unlink(self.invoice_run),
            ("own time", "read"): lambda user: self.read_as(line, user),
            ("own time", "read billing status"): lambda user: self.read_as(
                line, user, ("billing_state", "billable_hours", "billing_review_note")
            )[0]["billing_state"]
            == "to_approve",
            ("own time", "read rate and amount"): lambda user: self.read_as(
                line, user, ("billing_rate", "billing_amount")
            )[0]["billing_amount"]
            == amount,
            ("own time", "sum the amounts"): lambda user: Line.with_user(
                user
            ).formatted_read_group([("id", "=", line.id)], [], ["billing_amount:sum"])[
                0
            ]["billing_amount:sum"]
            == amount,
            ("own time", "search by amount"): lambda user: Line.with_user(user).search(
                [("id", "=", line.id), ("billing_amount", "=", amount)]
            )
            == line,
            ("own time", "write billing field"): write(
                line, {"billing_state": "approved"}
            ),
            ("other's time", "read"): lambda user: self.read_as(self.other_line, user),
            ("other's time", "approve"): lambda user: self.other_line.with_user(
                user
            ).action_billing_approve(),
            ("other's time", "reject"): lambda user: self.other_line.with_user(
                user
            ).action_billing_reject("Not agreed with the client"),
        }

    def test_matrix(self):
        self.use_adapter(FakeAdapter())
        self.assertEqual(
            (self.own_line.billing_state, self.own_line.billing_amount),
            ("to_approve", 300.0),
        )
        self.assertEqual(self.other_line.billing_state, "to_approve")
        operations = self._operations()
        self.assertEqual(set(operations), set(MATRIX))
        for (model, operation), allowed in MATRIX.items():
            for role, expected in zip(ROLES, allowed, strict=True):
                with self.subTest(model=model, operation=operation, role=role):
                    got = self.outcome(
                        lambda o=operations[model, operation], r=role: o(self.people[r])
                    )
                    self.assertEqual(
                        got,
                        expected,
                        f"{role} {'may' if got else 'may not'} {operation} ({model})",
                    )
