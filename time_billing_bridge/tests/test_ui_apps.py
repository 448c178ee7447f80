# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from lxml import etree

from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.misc import file_path

from .common import TimeBillingCommon


@tagged("post_install", "-at_install")
class TestAppsEntry(TransactionCase):
    """The addon is found in Apps under the default filter, with its page."""

    def test_module_is_an_application_with_a_rendered_page(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "time_billing_bridge")]
        )
        self.assertTrue(module.application)
        # The Apps action opens with this filter on.
        self.assertIn(
            module,
            module.search([("application", "=", True), ("name", "=", module.name)]),
        )
        page = module.description_html
        self.assertTrue(page)
        self.assertIn("<h2", page)
        for marker in ("## ", "**", "](http"):
            self.assertNotIn(marker, page, "the page shows raw Markdown")
        self.assertEqual(
            module.icon, "/time_billing_bridge/static/description/icon.png"
        )
        self.assertTrue(file_path("time_billing_bridge/static/description/icon.png"))


@tagged("post_install", "-at_install")
class TestBillingMenu(TimeBillingCommon):
    """The Billing menu follows the work: review, contracts and periods,
    invoicing, then imports and configuration."""

    def _children(self, xmlid):
        menu = self.env.ref(f"time_billing_bridge.{xmlid}")
        return menu.child_id.sorted(lambda m: (m.sequence, m.id)).mapped("name")

    def test_order_of_the_work(self):
        self.assertEqual(
            self._children("time_billing_menu_root"),
            ["Review", "Contracts", "Invoicing", "Imports", "Configuration"],
        )
        self.assertEqual(
            self._children("time_billing_review_menu"),
            ["Time to Approve", "Import Exceptions", "Import Conflicts", "Priced Time"],
        )
        self.assertEqual(
            self._children("time_billing_contracts_menu"),
            ["Contracts", "Billing Periods"],
        )
        self.assertEqual(
            self._children("time_billing_invoicing_menu"),
            ["Time to Bill", "Invoice Runs", "Payment Reminders"],
        )
        self.assertEqual(
            self._children("time_billing_imports_menu"),
            [
                "Backends",
                "Synchronisations",
                "Imported Entries",
                "Import File",
                "Webhook Events",
            ],
        )
        self.assertEqual(
            self._children("time_billing_config_menu"),
            ["Mappings", "Reminder Policies"],
        )

    def test_every_action_reachable_and_groups_kept(self):
        root = self.env.ref("time_billing_bridge.time_billing_menu_root")
        Menu = self.env["ir.ui.menu"]
        menus = Menu.search([("id", "child_of", root.id)])
        actions = {
            menu.action.get_external_id()[menu.action.id]
            for menu in menus
            if menu.action
        }
        self.assertLessEqual(
            {
                f"time_billing_bridge.{name}"
                for name in (
                    "account_analytic_line_to_approve_action",
                    "account_analytic_line_to_bill_action",
                    "account_analytic_line_billing_action",
                    "time_billing_entry_exception_action",
                    "time_billing_entry_conflict_action",
                    "time_billing_contract_action",
                    "time_billing_period_action",
                    "time_billing_invoice_run_action",
                    "time_billing_backend_action",
                    "time_billing_sync_run_action",
                    "time_billing_entry_action",
                    "time_billing_import_file_action",
                    "time_billing_webhook_event_action",
                    "time_billing_mapping_action",
                    "time_billing_reminder_policy_action",
                    "time_billing_reminder_action",
                )
            },
            actions,
        )
        manager_only = {
            self.env.ref(f"time_billing_bridge.{xmlid}").id
            for xmlid in (
                "time_billing_backend_menu",
                "time_billing_webhook_event_menu",
                "time_billing_config_menu",
            )
        }
        user_sees = Menu.with_user(self.billing_user)._visible_menu_ids()
        manager_sees = Menu.with_user(self.billing_manager)._visible_menu_ids()
        self.assertFalse(manager_only & user_sees)
        self.assertLessEqual(manager_only, manager_sees)
        self.assertIn(
            self.env.ref("time_billing_bridge.time_billing_import_file_menu").id,
            user_sees,
        )

    def test_accountants_find_runs_and_reminders_in_invoicing(self):
        accountant = new_test_user(
            self.env,
            login="tbb_menu_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        Menu = self.env["ir.ui.menu"]
        customers = self.env.ref("account.menu_finance_receivables")
        in_invoicing = {
            self.env.ref(f"time_billing_bridge.{xmlid}")
            for xmlid in (
                "time_billing_account_invoice_run_menu",
                "time_billing_account_reminder_menu",
            )
        }
        for menu in in_invoicing:
            self.assertEqual(menu.parent_id, customers)
        seen = Menu.with_user(accountant)._visible_menu_ids()
        self.assertLessEqual({menu.id for menu in in_invoicing}, seen)
        # Without the Billing group, the Billing menu stays hidden.
        root = self.env.ref("time_billing_bridge.time_billing_menu_root")
        self.assertNotIn(root.id, seen)
        # What the menus open, the accountant may read.
        for menu in in_invoicing:
            model = menu.action.res_model
            self.env[model].with_user(accountant).search([])


@tagged("post_install", "-at_install")
class TestContractCloseConfirm(TimeBillingCommon):
    """Closing a contract asks first and counts the time it leaves open."""

    def test_close_button_opens_the_confirmation(self):
        action = self.env.ref(
            "time_billing_bridge.time_billing_contract_close_wizard_action"
        )
        arch = etree.fromstring(
            self.env["time.billing.contract"].get_view(view_type="form")["arch"]
        )
        [button] = arch.xpath("//header/button[@string='Close']")
        self.assertEqual(button.get("type"), "action")
        self.assertEqual(button.get("name"), str(action.id))
        # Not the bare method: the periods tab's own Close is the period's.
        self.assertFalse(arch.xpath("//header/button[@name='action_close']"))

    def test_wizard_counts_open_time_and_closes(self):
        # Time above an hour waits for approval.
        self.contract_a.approval_hours_threshold = 1.0
        approved = self._create_timesheet(hours=2.0)
        waiting = self._create_timesheet(hours=1.5, date="2026-03-03")
        invoiced = self._create_timesheet(hours=4.0, date="2026-03-04")
        self._set_billing_state(approved, "approved")
        self._set_billing_state(invoiced, "invoiced")
        self.assertEqual(waiting.billing_state, "to_approve")
        self.assertEqual(self.contract_a.state, "active")
        Wizard = self.env["time.billing.contract.close.wizard"].with_user(
            self.billing_user
        )
        context = {
            "active_model": "time.billing.contract",
            "active_ids": self.contract_a.ids,
        }
        wizard = Form(Wizard.with_context(**context)).save()
        self.assertEqual(wizard.contract_ids, self.contract_a)
        self.assertEqual(
            (wizard.to_bill_count, wizard.to_bill_hours), (1, approved.billable_hours)
        )
        self.assertEqual(
            (wizard.to_approve_count, wizard.to_approve_hours),
            (1, waiting.billable_hours),
        )
        self.assertEqual(approved.billable_hours, 2.0)
        wizard.action_close()
        self.assertEqual(self.contract_a.state, "closed")
        # The time stays on the contract, uninvoiced.
        self.assertEqual(
            (approved.billing_state, approved.billing_contract_id),
            ("approved", self.contract_a),
        )
