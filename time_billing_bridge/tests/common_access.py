# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""People of every role, and one record of each kind in the main company, for
the access matrix."""

from contextlib import closing

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..providers.base import Page
from .common_approval import ApprovalCommon
from .common_import import ImportCommon, make_entry

TOKEN = "token-import-test"
SECRET = "hook-secret-matrix"

# Columns of the matrix, in the order of its rows' tuples.
ROLES = (
    "portal",
    "internal",
    "timesheet",
    "billing_user",
    "billing_manager",
    "other_company",
)


class AccessCommon(ImportCommon, ApprovalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other Co (matrix)"})
        cls.people = {
            "portal": new_test_user(
                cls.env, login="tbb_m_portal", groups="base.group_portal"
            ),
            "internal": new_test_user(
                cls.env, login="tbb_m_internal", groups="base.group_user"
            ),
            # Sam logs time as Sam Senior (ApprovalCommon).
            "timesheet": cls.sam,
            "billing_user": cls.billing_user,
            "billing_manager": cls.billing_manager,
            "other_company": new_test_user(
                cls.env,
                login="tbb_m_other",
                groups="time_billing_bridge.group_time_billing_manager,"
                "hr_timesheet.group_hr_timesheet_approver",
                company_id=cls.other_company.id,
                company_ids=[Command.set(cls.other_company.ids)],
            ),
        }
        # Everybody may export, so that exports show what fields give away.
        export = cls.env.ref("base.group_allow_export")
        for role, user in cls.people.items():
            if role != "portal":
                user.group_ids += export
        # The billing user approves the contract's time.
        cls.contract_a.approver_id = cls.billing_user
        cls.backend.webhook_secret = SECRET
        run = cls.backend._start_sync_run("manual")
        cls.backend._process_page(
            Page(entries=[make_entry(1, user_ref="u-x", user_name="Nobody Known")]),
            run,
        )
        run._finish()
        cls.sync_run = run
        cls.entry = cls.env["time.billing.entry"].search(
            [("backend_id", "=", cls.backend.id), ("external_id", "=", "1")]
        )
        cls.mapping = cls.env["time.billing.mapping"].create(
            {
                "backend_id": cls.backend.id,
                "kind": "user",
                "external_ref": "u-jo",
                "employee_id": cls.employee_junior.id,
            }
        )
        cls.rate_rule = cls.env["time.billing.rate.rule"].create(
            {
                "contract_id": cls.contract_a.id,
                "employee_id": cls.employee_senior.id,
                "rate": 150.0,
            }
        )
        cls.spare_contract = cls.env["time.billing.contract"].create(
            {
                "name": "Spare",
                "partner_id": cls.client_b.id,
                "date_start": "2026-01-01",
            }
        )
        # Sam's own time, and somebody else's waiting for approval.
        cls.own_line = cls._create_timesheet(hours=2.0, date="2026-03-02")
        cls.other_line = cls._create_timesheet(
            employee=cls.employee_junior, hours=9.0, date="2026-03-03"
        )
        cls.period = cls.other_line.billing_period_id
        cls.webhook_event = cls.env["time.billing.webhook.event"]._claim(
            cls.backend, "digest-matrix", event_ref="evt-1"
        )
        cls.invoice_run = cls.env["time.billing.invoice.run"]._run(
            cls.contract_a, "2026-03-31"
        )

    def outcome(self, call):
        """Whether ``call`` was allowed: it ran and did not answer ``False``.
        A refusal must be an AccessError or a UserError; anything else fails
        the test. Whatever it did is rolled back."""
        try:
            with closing(self.env.cr.savepoint()):
                result = call()
                self.env.flush_all()
        except (AccessError, UserError):
            return False
        finally:
            self.env.invalidate_all()
        return result is not False

    def read_as(self, record, user, fnames=()):
        """Search for ``record`` and read it as ``user``: both succeed or
        both refuse (nothing found, AccessError); then read ``fnames``."""
        Model = record.with_user(user)
        try:
            found = Model.search([("id", "=", record.id)])
        except AccessError:
            found = Model.browse()
        try:
            values = Model.read(["display_name"])
        except AccessError:
            self.assertFalse(found, f"{user.login} finds {record} but cannot read it")
            raise
        self.assertEqual(found, record, f"{user.login} reads {record} unfound")
        return Model.read(list(fnames)) if fnames else values
