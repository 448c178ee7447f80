# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common_approval import ApprovalCommon

APPROVED_LOCK = (
    "Line of 03/02/2026 (Sam Senior, 02:00 h) is approved: only a billing manager "
    "can change it. Ask a billing manager, or ask Ann Approver to reject it first."
)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestBillingLock(ApprovalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": cls.client_a.id}
        )

    def setUp(self):
        super().setUp()
        self.line = self._create_timesheet(hours=2.0, name="Board pack")
        self.assertEqual(self.line.billing_state, "approved")

    def _invoiced(self):
        line = self._create_timesheet(date="2026-03-03", hours=3.0)
        # What invoicing does once the line is on an invoice.
        self._set_billing_state(line, "invoiced", billing_invoice_id=self.invoice.id)
        return line

    def test_author_cannot_change_approved_time(self):
        as_sam = self.line.with_user(self.sam)
        for vals in (
            {"unit_amount": 3.0},
            {"date": "2026-03-03"},
            {"name": "Board pack and minutes"},
            {"project_id": self.project_b.id},
        ):
            with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                as_sam.write(vals)
            self.assertEqual(str(caught.exception), APPROVED_LOCK)
        self.assertEqual(self.line.unit_amount, 2.0)
        self.assertTrue(as_sam.readonly_timesheet)
        self.line.invalidate_recordset(["readonly_timesheet"])
        self.assertFalse(self.line.with_user(self.billing_manager).readonly_timesheet)

    def test_billing_user_cannot_change_approved_time_either(self):
        self.billing_user.group_ids += self.env.ref(
            "hr_timesheet.group_hr_timesheet_approver"
        )
        with self.assertRaisesRegex(UserError, "is approved: only a billing manager"):
            self.line.with_user(self.billing_user).unit_amount = 5.0

    def test_manager_changes_approved_time_and_it_is_reviewed_again(self):
        as_manager = self.line.with_user(self.billing_manager)
        as_manager.name = "Board pack, final"
        self.assertEqual(self.line.billing_state, "approved")  # a description
        as_manager.unit_amount = 9.0
        self.assertEqual(self.line.unit_amount, 9.0)
        # Above the 8 h threshold now: back to the approver.
        self.assertEqual(self.line.billing_state, "to_approve")
        self.assertEqual(len(self._approval_activities()), 1)
        self.contract_a.invalidate_recordset(["message_ids"])
        self.assertIn(
            "changed reviewed time (03/02/2026 Sam Senior 09:00 h): it is priced and "
            "reviewed again.",
            self.contract_a.message_ids[0].body,
        )

    def test_approved_time_cannot_be_deleted_but_by_a_manager(self):
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            self.line.with_user(self.sam).unlink()
        self.assertEqual(
            str(caught.exception),
            "Line of 03/02/2026 (Sam Senior, 02:00 h) is approved: only a billing "
            "manager can delete it. Ask a billing manager, or ask Ann Approver to "
            "reject it first.",
        )
        self.assertTrue(self.line.exists())
        self.line.with_user(self.billing_manager).unlink()
        self.assertFalse(self.line.exists())

    def test_invoiced_time(self):
        line = self._invoiced()
        # Nobody changes or deletes invoiced time, billing managers included:
        # the invoice bills it as it is, and must be undone first.
        for user in (self.sam, self.billing_manager):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(
                    UserError,
                    r"Line of 03/03/2026 \(Sam Senior, 03:00 h\) is on invoice .*: it "
                    "cannot change while the invoice bills it",
                ),
                self.env.cr.savepoint(),
            ):
                line.with_user(user).unit_amount = 4.0
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "cannot be deleted"),
                self.env.cr.savepoint(),
            ):
                line.with_user(user).unlink()
        # Its description is not what the invoice bills: a manager may fix it.
        line.with_user(self.billing_manager).name = "Board pack, final"
        self.assertEqual(
            (line.billing_state, line.unit_amount, line.billing_invoice_id),
            ("invoiced", 3.0, self.invoice),
        )

    def test_open_time_stays_editable(self):
        line = self._create_timesheet(date="2026-03-04", hours=10.0)
        self.assertEqual(line.billing_state, "to_approve")
        line.with_user(self.sam).unit_amount = 6.0
        self.assertEqual(line.billing_state, "approved")
        line_open = self._create_timesheet(date="2026-03-05", hours=9.0)
        line_open.with_user(self.sam).unlink()
        self.assertFalse(line_open.exists())


OUTSIDE_VALUES = (
    r"Billing fields of timesheet lines \(%s\) are set by validation, pricing "
    "and approval, not by hand: leave them out."
)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestBillingFactsHaveOneOwner(ApprovalCommon):
    """Attacks on the billing fields of timesheet lines, and their refusal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": cls.client_a.id}
        )
        # A billing user who may also change other people's timesheets.
        cls.billing_user.group_ids += cls.env.ref(
            "hr_timesheet.group_hr_timesheet_approver"
        )

    def _people(self):
        """Everyone who could try: the author, billing staff, the superuser."""
        return {
            "timesheet user": self.sam,
            "billing user": self.billing_user,
            "billing manager": self.billing_manager,
            "superuser": self.env.user,
        }

    def _vals(self, **vals):
        return {
            "name": "Work",
            "employee_id": self.employee_senior.id,
            "project_id": self.project_a.id,
            "date": "2026-03-02",
            "unit_amount": 1.0,
            **vals,
        }

    def test_nobody_creates_time_already_approved_or_invoiced(self):
        Line = self.env["account.analytic.line"]
        attacks = [
            {"billing_state": "approved", "billing_amount": 99999.0},
            {"billing_state": "invoiced", "billing_invoice_id": self.invoice.id},
            {"billable_hours": 40.0, "billing_rate": 1000.0},
        ]
        for who, user in self._people().items():
            for attack in attacks:
                with (
                    self.subTest(who=who, attack=attack),
                    self.assertRaisesRegex(UserError, OUTSIDE_VALUES % ".+") as caught,
                    self.env.cr.savepoint(),
                ):
                    Line.with_user(user).create(self._vals(**attack))
                for fname in attack:
                    self.assertIn(fname, str(caught.exception))
        self.assertFalse(Line.search([("billing_amount", "=", 99999.0)]))
        # The same line without the billing values is priced as usual.
        line = Line.with_user(self.sam).create(self._vals())
        # The author does not read what their time is billed at.
        self.assertEqual(
            (line.billing_state, line.sudo().billing_amount), ("approved", 100.0)
        )

    def test_nobody_sends_invoiced_time_back_to_open_to_change_it(self):
        line = self._create_timesheet(date="2026-03-03", hours=3.0)
        self._set_billing_state(line, "invoiced", billing_invoice_id=self.invoice.id)
        for who, user in self._people().items():
            with (
                self.subTest(who=who),
                self.assertRaisesRegex(UserError, OUTSIDE_VALUES % "billing_state"),
                self.env.cr.savepoint(),
            ):
                line.with_user(user).write({"billing_state": False})
        # Without its state changed, the line stays locked for billing staff.
        with self.assertRaisesRegex(UserError, "is on invoice"):
            line.with_user(self.billing_user).unit_amount = 30.0
        self.assertEqual(
            (line.billing_state, line.unit_amount, line.billing_invoice_id),
            ("invoiced", 3.0, self.invoice),
        )

    def test_no_billing_field_is_written_by_hand(self):
        line = self._create_timesheet(date="2026-03-04", hours=10.0)
        self.assertEqual(line.billing_state, "to_approve")
        other_contract = self.env["time.billing.contract"].create(
            {
                "name": "Other",
                "partner_id": self.client_b.id,
                "project_ids": [Command.set(self.project_b.ids)],
                "date_start": "2026-01-01",
            }
        )
        attacks = {
            "billing_state": "approved",
            "billing_contract_id": other_contract.id,
            "billable_hours": 0.5,
            "billing_rate": 1.0,
            "billing_amount": 1.0,
            "billing_invoice_id": self.invoice.id,
            "billing_note": "Free of charge",
            "billing_review_note": "Approved by the partner",
            "billing_reviewer_id": self.approver.id,
            "billing_review_date": "2026-04-01 10:00:00",
            "billing_auto_approve_date": "2026-04-01",
            "billing_rejection_reason": False,
            "billing_period_id": False,
            "billing_hold_reason": False,
            "billing_written_off_hours": 9.0,
            "billing_written_off_amount": 900.0,
        }
        for who, user in self._people().items():
            for fname, value in attacks.items():
                with (
                    self.subTest(who=who, field=fname),
                    self.assertRaisesRegex(UserError, OUTSIDE_VALUES % fname),
                    self.env.cr.savepoint(),
                ):
                    line.with_user(user).write({fname: value})
        self.assertEqual(
            (line.billing_state, line.billing_contract_id, line.billing_amount),
            ("to_approve", self.contract_a, 1000.0),
        )

    def test_the_state_moves_only_as_billing_allows(self):
        line = self._create_timesheet(date="2026-03-05", hours=2.0)
        self._set_billing_state(line, "invoiced", billing_invoice_id=self.invoice.id)
        for state in (False, "to_approve", "exception", "rejected", "non_billable"):
            with (
                self.subTest(state=state),
                self.assertRaisesRegex(UserError, "cannot go from 'Invoiced'"),
                self.env.cr.savepoint(),
            ):
                line._billing_set_state(state)
        # The writer of the pipeline takes the same door.
        with self.assertRaisesRegex(UserError, "cannot go from 'Invoiced'"):
            line._billing_write({"billing_state": "to_approve"})
        self.assertEqual(line.billing_state, "invoiced")

    def test_contract_of_another_company_is_refused(self):
        line = self._create_timesheet(date="2026-03-06")
        other_company = self.env["res.company"].create({"name": "Other Co (test)"})
        foreign = self.env["time.billing.contract"].create(
            {
                "name": "Foreign",
                "partner_id": self.client_b.id,
                "company_id": other_company.id,
                "currency_id": other_company.currency_id.id,
                "date_start": "2026-01-01",
            }
        )
        with (
            self.assertRaisesRegex(
                ValidationError, "time is billed under a contract of its own company"
            ),
            self.env.cr.savepoint(),
        ):
            line._billing_write({"billing_contract_id": foreign.id})
        self.assertEqual(line.billing_contract_id, self.contract_a)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestSelfApproval(ApprovalCommon):
    """Attack: an approver approves their own time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee_approver = cls.env["hr.employee"].create(
            {"name": "Ann Approver", "user_id": cls.approver.id}
        )
        cls.employee_manager = cls.env["hr.employee"].create(
            {"name": "Max Manager", "user_id": cls.billing_manager.id}
        )

    def test_approvers_do_not_approve_their_own_time(self):
        own = self._create_timesheet(employee=self.employee_approver, hours=9.0)
        self.assertEqual(own.billing_state, "to_approve")
        with self.assertRaisesRegex(
            AccessError,
            r"You cannot approve your own time \(03/02/2026\) on contract 'Contract A'",
        ):
            own.with_user(self.approver).action_billing_approve()
        self.assertEqual(own.billing_state, "to_approve")
        # Nor do billing managers, who may approve anybody else's time.
        managers = self._create_timesheet(employee=self.employee_manager, hours=9.0)
        with self.assertRaisesRegex(AccessError, "You cannot approve your own time"):
            managers.with_user(self.billing_manager).action_billing_approve()
        own.with_user(self.billing_manager).action_billing_approve()
        managers.with_user(self.approver).action_billing_approve()
        self.assertEqual((own | managers).mapped("billing_state"), ["approved"] * 2)

    def test_a_contract_may_allow_it(self):
        self.contract_a.allow_self_approval = True
        own = self._create_timesheet(employee=self.employee_approver, hours=9.0)
        own.with_user(self.approver).action_billing_approve()
        self.assertEqual(own.billing_state, "approved")
        self.assertEqual(own.billing_reviewer_id, self.approver)
