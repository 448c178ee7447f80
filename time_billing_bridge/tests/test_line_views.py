# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common_approval import ApprovalCommon

FORM_VIEW = "hr_timesheet.timesheet_view_form_user"
REVIEW_ACTIONS = (
    "time_billing_bridge.account_analytic_line_to_approve_action",
    "time_billing_bridge.account_analytic_line_to_bill_action",
    "time_billing_bridge.account_analytic_line_billing_action",
)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestLineBillingForm(ApprovalCommon):
    """The time line form shows its billing to billing users, and the review
    buttons to whoever may review it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sam's own time, above the 8 h threshold: waits for Ann.
        cls.line = cls._create_timesheet(hours=9.0)

    def _form_arch(self, user):
        views = (
            self.env["account.analytic.line"]
            .with_user(user)
            .get_views([(self.env.ref(FORM_VIEW).id, "form")])
        )
        return etree.fromstring(views["views"]["form"]["arch"])

    def test_plain_timesheet_user_sees_no_billing(self):
        arch = self._form_arch(self.sam)
        self.assertFalse(arch.xpath("//button[@name='action_billing_approve']"))
        self.assertFalse(arch.xpath("//group[@name='billing']"))
        self.assertFalse(arch.xpath("//field[@name='billing_rate']"))
        # The form opens for them on their own time, rates and all hidden.
        form = Form(self.line.with_user(self.sam), view=FORM_VIEW)
        self.assertEqual(form.unit_amount, 9.0)

    def test_plain_user_sees_why_their_time_was_rejected(self):
        self.line.with_user(self.approver).action_billing_reject("Split per task")
        arch = self._form_arch(self.sam)
        self.assertTrue(arch.xpath("//field[@name='billing_rejection_reason']"))
        form = Form(self.line.with_user(self.sam), view=FORM_VIEW)
        self.assertEqual(form.billing_rejection_reason, "Split per task")

    def test_approver_sees_billing_and_review_buttons(self):
        arch = self._form_arch(self.approver)
        for xpath in (
            "//button[@name='action_billing_approve']",
            "//button[@name='action_billing_open_reject_wizard']",
            "//header/field[@name='billing_state'][@widget='statusbar']",
            "//group[@name='billing']//field[@name='billing_contract_id']",
            "//group[@name='billing']//field[@name='billing_rate']",
            "//group[@name='billing']//field[@name='billing_amount']",
            "//group[@name='billing']//field[@name='billing_invoice_id']",
        ):
            self.assertTrue(arch.xpath(xpath), xpath)
        form = Form(self.line.with_user(self.approver), view=FORM_VIEW)
        self.assertEqual(form.billing_state, "to_approve")
        self.assertTrue(form.billing_can_review)
        self.assertEqual(form.billing_rate, 100.0)
        self.assertEqual(
            form.billing_review_note, "09:00 h, above the 08:00 h approval threshold"
        )

    def test_review_buttons_follow_who_may_review(self):
        Line = self.env["account.analytic.line"]
        self.assertTrue(
            Line.browse(self.line.id).with_user(self.approver).billing_can_review
        )
        self.assertTrue(
            Line.browse(self.line.id).with_user(self.billing_manager).billing_can_review
        )
        # Another billing user sees the billing, not the buttons: the contract
        # refuses them too.
        other = Line.browse(self.line.id).with_user(self.billing_user)
        self.assertFalse(other.billing_can_review)
        with self.assertRaises(AccessError):
            other.action_billing_approve()
        # Time under no contract has nobody to review it.
        outside = self._create_timesheet(project=self.project_b, hours=1.0)
        self.assertFalse(outside.with_user(self.billing_manager).billing_can_review)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestReviewLists(ApprovalCommon):
    """The review lists fit a screen; "to bill" is approved time on no
    invoice yet, and offers the invoice run."""

    def _action(self, xmlid):
        return self.env["ir.actions.act_window"]._for_xml_id(xmlid)

    def _default_columns(self, action):
        list_view = next(view for view, mode in action["views"] if mode == "list")
        arch = etree.fromstring(
            self.env["account.analytic.line"]
            .with_user(self.billing_manager)
            .get_views([(list_view, "list")])["views"]["list"]["arch"]
        )
        return [
            field.get("name")
            for field in arch.xpath("/list/field")
            if field.get("optional") != "hide"
            and field.get("column_invisible") not in ("True", "1")
        ]

    def test_review_lists_show_few_columns_and_the_state(self):
        for xmlid in REVIEW_ACTIONS:
            with self.subTest(action=xmlid):
                columns = self._default_columns(self._action(xmlid))
                self.assertLessEqual(len(columns), 9, columns)
                self.assertIn("billing_state", columns)
                self.assertIn("billable_hours", columns)

    def test_rates_do_not_add_up(self):
        Line = self.env["account.analytic.line"]
        info = Line.fields_get(["billing_rate", "billing_amount"], ["aggregator"])
        self.assertFalse(info["billing_rate"].get("aggregator"))
        self.assertEqual(info["billing_amount"]["aggregator"], "sum")

    def test_to_bill_is_approved_time_on_no_invoice(self):
        approved = self._create_timesheet(hours=2.0)
        waiting = self._create_timesheet(date="2026-03-03", hours=9.0)
        invoiced = self._create_timesheet(date="2026-03-04", hours=1.0)
        self._set_billing_state(invoiced, "invoiced")
        rejected = self._create_timesheet(date="2026-03-05", hours=9.5)
        self._set_billing_state(rejected, "rejected")
        self.assertEqual(approved.billing_state, "approved")
        self.assertEqual(waiting.billing_state, "to_approve")
        action = self._action(
            "time_billing_bridge.account_analytic_line_to_bill_action"
        )
        found = self.env["account.analytic.line"].search(safe_eval(action["domain"]))
        self.assertEqual(found, approved)
        Line = self.env["account.analytic.line"]
        self.assertEqual(Line.search(Line._get_billing_to_bill_domain()), approved)

    def test_to_bill_list_offers_the_invoice_run(self):
        approved = self._create_timesheet(hours=2.0)
        invoiced = self._create_timesheet(date="2026-03-04", hours=1.0)
        self._set_billing_state(invoiced, "invoiced")
        Line = self.env["account.analytic.line"].with_user(self.billing_user)
        action = self._action(
            "time_billing_bridge.account_analytic_line_to_bill_action"
        )
        list_view = next(view for view, mode in action["views"] if mode == "list")
        arch = Line.get_views([(list_view, "list")])["views"]["list"]["arch"]
        self.assertIn('name="action_billing_open_invoice_wizard"', arch)
        self.assertNotIn('name="action_billing_approve"', arch)
        # Nothing selected: every contract with time to bill.
        wizard_action = Line.action_billing_open_invoice_wizard()
        self.assertEqual(wizard_action["res_model"], "time.billing.invoice.wizard")
        wizard = (
            self.env["time.billing.invoice.wizard"]
            .with_user(self.billing_user)
            .with_context(**wizard_action["context"])
            .create({})
        )
        self.assertEqual(wizard.contract_ids, self.contract_a)
        self.assertEqual(
            Line.browse(approved.ids).action_billing_open_invoice_wizard()["context"],
            {"default_contract_ids": self.contract_a.ids},
        )
        with self.assertRaisesRegex(UserError, "only approved time"):
            Line.browse(invoiced.ids).action_billing_open_invoice_wizard()


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestApprovalActivityHours(ApprovalCommon):
    """Activities tell hours as the lists do."""

    def test_activity_hours_read_as_in_the_lists(self):
        # 55.25 h in entries above the 8 h threshold: all of it waits.
        for day, hours in (
            ("2026-03-02", 11.0),
            ("2026-03-03", 11.0),
            ("2026-03-04", 11.0),
            ("2026-03-05", 11.0),
            ("2026-03-06", 11.25),
        ):
            self._create_timesheet(date=day, hours=hours)
        activity = self._approval_activities()
        self.assertRegex(
            activity.summary, r"^Approve 55:15 h \(\$\xa05,5\d\d\.00\), March 2026$"
        )
        self.assertIn("5 time entries wait for your approval, 55:15 h", activity.note)
