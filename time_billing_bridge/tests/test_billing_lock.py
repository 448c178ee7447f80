# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .approval_common import ApprovalCommon

APPROVED_LOCK = (
    "Line of 2026-03-02 (Sam Senior, 2.00 h) is approved: only a billing manager "
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
        line.write({"billing_state": "invoiced", "billing_invoice_id": self.invoice.id})
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
            "changed reviewed time (2026-03-02 Sam Senior 9.00 h): it is priced and "
            "reviewed again.",
            self.contract_a.message_ids[0].body,
        )

    def test_approved_time_cannot_be_deleted_but_by_a_manager(self):
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            self.line.with_user(self.sam).unlink()
        self.assertEqual(
            str(caught.exception),
            "Line of 2026-03-02 (Sam Senior, 2.00 h) is approved: only a billing "
            "manager can delete it. Ask a billing manager, or ask Ann Approver to "
            "reject it first.",
        )
        self.assertTrue(self.line.exists())
        self.line.with_user(self.billing_manager).unlink()
        self.assertFalse(self.line.exists())

    def test_invoiced_time(self):
        line = self._invoiced()
        with self.assertRaisesRegex(
            UserError,
            r"Line of 2026-03-03 \(Sam Senior, 3.00 h\) is invoiced on .*: only a "
            "billing manager can change it",
        ):
            line.with_user(self.sam).unit_amount = 4.0
        # Nobody deletes invoiced time: the invoice must be undone first.
        for user in (self.sam, self.billing_manager):
            with self.assertRaisesRegex(UserError, "cannot be deleted"):
                line.with_user(user).unlink()
        # A manager's correction keeps the line on its invoice.
        line.with_user(self.billing_manager).unit_amount = 3.5
        self.assertEqual(line.billing_state, "invoiced")
        self.assertEqual(line.billing_invoice_id, self.invoice)

    def test_open_time_stays_editable(self):
        line = self._create_timesheet(date="2026-03-04", hours=10.0)
        self.assertEqual(line.billing_state, "to_approve")
        line.with_user(self.sam).unit_amount = 6.0
        self.assertEqual(line.billing_state, "approved")
        line_open = self._create_timesheet(date="2026-03-05", hours=9.0)
        line_open.with_user(self.sam).unlink()
        self.assertFalse(line_open.exists())

    def test_billing_fields_are_not_set_by_hand(self):
        line = self._create_timesheet(date="2026-03-04", hours=10.0)
        with self.assertRaisesRegex(AccessError, "set by pricing and approval"):
            line.with_user(self.sam).billing_state = "approved"
        with self.assertRaisesRegex(AccessError, "set by pricing and approval"):
            line.with_user(self.sam).write({"billing_amount": 1.0})
        self.assertEqual(line.billing_state, "to_approve")
