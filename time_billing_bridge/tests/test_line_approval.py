# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date
from html import unescape

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common_approval import ApprovalCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestBillingApproval(ApprovalCommon):
    def _review(self, lines, action, user=None, reason=None):
        """Approve or reject through the wizard bound to the timesheet list."""
        Wizard = self.env["time.billing.review.wizard"].with_user(user or self.approver)
        form = Form(
            Wizard.with_context(
                active_model="account.analytic.line",
                active_ids=lines.ids,
                default_review_action=action,
            )
        )
        if reason is not None:
            form.reason = reason
        wizard = form.save()
        if action == "approve":
            return wizard.action_approve()
        return wizard.action_reject()

    def _contract_messages(self, contract=None):
        contract = contract or self.contract_a
        contract.invalidate_recordset(["message_ids"])
        return contract.message_ids

    def test_under_the_thresholds_time_is_approved_at_once(self):
        line = self._create_timesheet(hours=8.0)
        self.assertEqual(line.billing_state, "approved")
        self.assertFalse(line.billing_auto_approve_date)
        self.assertEqual(
            line.billing_review_note,
            "Approved automatically: under the approval thresholds.",
        )
        self.assertFalse(self._approval_activities())

    def test_above_the_hours_threshold_time_waits(self):
        line = self._create_timesheet(hours=8.5)
        self.assertEqual(line.billing_state, "to_approve")
        self.assertEqual(
            line.billing_review_note, "08:30 h, above the 08:00 h approval threshold"
        )
        activity = self._approval_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.approver)
        self.assertEqual(activity.time_billing_period_id, line.billing_period_id)
        # Raising the threshold routes the waiting time again.
        self.contract_a.approval_hours_threshold = 9.0
        self.assertEqual(line.billing_state, "approved")
        self.assertFalse(self._approval_activities())
        # Approved time stays approved when the threshold comes down again.
        self.contract_a.approval_hours_threshold = 8.0
        self.assertEqual(line.billing_state, "approved")

    def test_grace_period_set_later(self):
        with freeze_time("2026-03-02"):
            line = self._create_timesheet(date="2026-03-02", hours=2.0)
            self.assertEqual(line.billing_state, "approved")
            waiting = self._create_timesheet(date="2026-03-02", hours=9.0)
            # A grace period applies to the time routed from now on.
            self.contract_a.write(
                {"auto_approve_delay": 5, "approval_hours_threshold": 10.0}
            )
        self.assertEqual(line.billing_state, "approved")
        self.assertEqual(waiting.billing_state, "to_approve")
        self.assertEqual(waiting.billing_auto_approve_date, date(2026, 3, 7))
        self.assertFalse(self._approval_activities())

    def test_grace_period(self):
        self.contract_a.auto_approve_delay = 3
        with freeze_time("2026-03-02"):
            line = self._create_timesheet(date="2026-03-02", hours=2.0)
            waiting = self._create_timesheet(date="2026-03-02", hours=9.0)
        self.assertEqual(line.billing_state, "to_approve")
        self.assertEqual(line.billing_auto_approve_date, date(2026, 3, 5))
        self.assertEqual(
            line.billing_review_note,
            "Under the approval thresholds: auto-approves on 03/05/2026.",
        )
        # Time waiting for the grace period is not the approver's business.
        activity = self._approval_activities()
        self.assertEqual(len(activity), 1)
        self.assertIn("1 time entry wait", activity.note)
        # Correcting the line during the grace period keeps the promised day.
        with freeze_time("2026-03-04"):
            line.unit_amount = 2.5
        self.assertEqual(line.billing_auto_approve_date, date(2026, 3, 5))
        Line = self.env["account.analytic.line"]
        self.assertFalse(Line._billing_auto_approve_due(date(2026, 3, 4)))
        self.assertEqual(line.billing_state, "to_approve")
        self.assertEqual(Line._billing_auto_approve_due(date(2026, 3, 5)), line)
        self.assertEqual(line.billing_state, "approved")
        self.assertFalse(line.billing_reviewer_id)
        self.assertEqual(
            line.billing_review_note,
            "Approved automatically on 03/05/2026, after the grace period.",
        )
        self.assertEqual(waiting.billing_state, "to_approve")
        self.assertIn(
            "Time approved automatically after the grace period: 1 time entry, 02:30 h",
            unescape(self._contract_messages()[0].body),
        )

    def test_the_daily_cron_approves_after_the_grace_period(self):
        self.contract_a.auto_approve_delay = 2
        with freeze_time("2026-03-02"):
            line = self._create_timesheet(date="2026-03-02", hours=2.0)
        self.assertEqual(line.billing_auto_approve_date, date(2026, 3, 4))
        cron = self.env.ref("time_billing_bridge.ir_cron_time_billing_auto_approve")
        with freeze_time("2026-03-03"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(line.billing_state, "to_approve")
        with freeze_time("2026-03-04"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(line.billing_state, "approved")

    def test_amount_and_budget_thresholds_on_priced_time(self):
        """Routing reads the price pricing wrote: set one by hand here."""
        self.contract_a.write(
            {
                "approval_hours_threshold": 0.0,
                "approval_amount_threshold": 500.0,
                "approval_budget_share": 5.0,
                "cap_type": "hours",
                "cap_value": 100.0,
            }
        )
        line = self._create_timesheet(hours=4.0)

        def route(hours, amount):
            line._billing_write(
                {
                    "billing_state": False,
                    "billable_hours": hours,
                    "billing_amount": amount,
                }
            )
            line._billing_route()
            return line.billing_state, line.billing_review_note

        # 4 h of 100 h is 4 %, 400.00 is under 500.00.
        self.assertEqual(route(4.0, 400.0)[0], "approved")
        self.assertEqual(route(4.0, 500.0)[0], "approved")  # at the threshold
        self.assertEqual(
            route(4.0, 600.0),
            ("to_approve", "$\xa0600.00, above the $\xa0500.00 approval threshold"),
        )
        self.assertEqual(
            route(6.0, 300.0),
            ("to_approve", "6.0% of the budget, above the 5.0% approval threshold"),
        )
        # A retainer is a budget too, in hours or in money.
        self.contract_a.write(
            {
                "cap_type": "none",
                "billing_mode": "retainer",
                "retainer_size": 2000.0,
                "retainer_unit": "amount",
            }
        )
        self.assertEqual(
            route(1.0, 120.0),
            ("to_approve", "6.0% of the budget, above the 5.0% approval threshold"),
        )
        self.assertEqual(route(1.0, 100.0)[0], "approved")  # 5 % exactly

    def test_amount_threshold_on_priced_time(self):
        # 100.00 an hour (contract default), rounded up to 6 minutes.
        self.contract_a.write(
            {"approval_hours_threshold": 0.0, "approval_amount_threshold": 500.0}
        )
        at_threshold = self._create_timesheet(hours=5.0)
        self.assertEqual(at_threshold.billing_amount, 500.0)
        self.assertEqual(at_threshold.billing_state, "approved")
        above = self._create_timesheet(hours=5.05)  # 5.1 h billed: 510.00
        self.assertEqual(above.billable_hours, 5.1)
        self.assertEqual(above.billing_amount, 510.0)
        self.assertEqual(above.billing_state, "to_approve")
        self.assertEqual(
            above.billing_review_note,
            "$\xa0510.00, above the $\xa0500.00 approval threshold",
        )
        activity = self._approval_activities()
        self.assertEqual(activity.summary, "Approve 05:03 h ($\xa0510.00), March 2026")

    def test_budget_share_on_priced_time(self):
        # A 40 h cap: above 10 % of it (4 h) an entry waits.
        self.contract_a.write(
            {
                "approval_hours_threshold": 0.0,
                "approval_budget_share": 10.0,
                "billing_mode": "capped",
                "cap_type": "hours",
                "cap_value": 40.0,
                "cap_action": "hold",
            }
        )
        self.assertEqual(self._create_timesheet(hours=4.0).billing_state, "approved")
        above = self._create_timesheet(hours=4.6)
        self.assertEqual(above.billing_state, "to_approve")
        self.assertEqual(
            above.billing_review_note,
            "11.5% of the budget, above the 10.0% approval threshold",
        )

    def test_time_held_by_pricing_waits(self):
        self.contract_a.write(
            {
                "approval_hours_threshold": 0.0,
                "billing_mode": "capped",
                "cap_type": "hours",
                "cap_value": 10.0,
                "cap_action": "hold",
            }
        )
        first = self._create_timesheet(hours=8.0)
        self.assertEqual(first.billing_state, "approved")
        crossing = self._create_timesheet(date="2026-03-03", hours=4.0)
        self.assertTrue(crossing.billing_hold_reason)
        self.assertEqual(crossing.billing_state, "to_approve")
        self.assertEqual(crossing.billing_review_note, crossing.billing_hold_reason)
        self.assertEqual(len(self._approval_activities()), 1)

    def test_one_activity_per_approver_contract_and_period(self):
        lines = self.env["account.analytic.line"]
        for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
            lines |= self._create_timesheet(date=day, hours=10.0)
        lines |= self._create_timesheet(
            employee=self.employee_junior, date="2026-03-05", hours=9.5
        )
        self.assertEqual(set(lines.mapped("billing_state")), {"to_approve"})
        activity = self._approval_activities()
        self.assertEqual(len(activity), 1)
        march = lines.billing_period_id
        self.assertEqual(march.display_name, "March 2026")
        self.assertEqual(activity.time_billing_period_id, march)
        # 49.50 h at the contract's 100.00 an hour.
        self.assertEqual(
            activity.summary, "Approve 49:30 h ($\xa04,950.00), March 2026"
        )
        self.assertIn(
            "Contract A, March 2026: 5 time entries wait for your approval, "
            "49:30 h, $\xa04,950.00.",
            unescape(activity.note),
        )
        self.assertIn(
            f'href="/odoo/time.billing.period/{march.id}/action-time_billing_bridge.'
            'account_analytic_line_period_to_approve_action"',
            unescape(activity.note),
        )
        # One more line in March updates the same activity.
        self._create_timesheet(date="2026-03-20", hours=12.0)
        self.assertEqual(self._approval_activities(), activity)
        self.assertIn("6 time entries wait", activity.note)
        self.assertIn("61:30 h", activity.summary)
        # April is another period: another activity.
        april_line = self._create_timesheet(date="2026-04-01", hours=9.0)
        activities = self._approval_activities()
        self.assertEqual(len(activities), 2)
        self.assertEqual(
            activities.time_billing_period_id, march | april_line.billing_period_id
        )
        # A line moved from March to April moves between the activities.
        lines[0].date = "2026-04-02"
        self.assertIn("5 time entries wait", activity.note)
        april_activity = activities - activity
        self.assertIn("2 time entries wait", april_activity.note)
        # A new approver takes the waiting activities over.
        self.contract_a.approver_id = self.billing_manager
        self.assertEqual(activity.user_id, self.billing_manager)
        self.assertEqual(april_activity.user_id, self.billing_manager)

    def test_link_of_the_activity_opens_the_lines_of_the_period(self):
        march_line = self._create_timesheet(date="2026-03-02", hours=10.0)
        self._create_timesheet(date="2026-04-01", hours=10.0)
        self._create_timesheet(date="2026-03-03", hours=1.0)  # approved
        march = march_line.billing_period_id
        action = self.contract_a.action_view_lines_to_approve(march)
        lines = self.env["account.analytic.line"].search(action["domain"])
        self.assertEqual(lines, march_line)
        # The same by id, as a client calls it.
        action = self.contract_a.action_view_lines_to_approve(march.id)
        self.assertEqual(
            self.env["account.analytic.line"].search(action["domain"]), lines
        )
        self.assertEqual(self.contract_a.to_approve_count, 2)
        self.assertEqual(march.to_approve_count, 1)
        # The action the activity links to filters on its period.
        xml_action = self.env.ref(
            "time_billing_bridge.account_analytic_line_period_to_approve_action"
        )
        self.assertIn("('billing_period_id', '=', active_id)", xml_action.domain)

    def test_bulk_approval_closes_the_activity(self):
        lines = self.env["account.analytic.line"]
        for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
            lines |= self._create_timesheet(date=day, hours=10.0)
        activity = self._approval_activities()
        self.assertEqual(len(activity), 1)
        self._review(lines[:2], "approve")
        # Partial: the activity stays, with what is left.
        self.assertTrue(activity.exists() and activity.active)
        self.assertIn("1 time entry wait", activity.note)
        self.assertEqual(lines[:2].mapped("billing_state"), ["approved"] * 2)
        self.assertEqual(lines[:2].billing_reviewer_id, self.approver)
        self.assertIn(
            "Time approved by Ann Approver: 2 time entries, 20:00 h, "
            "$\xa02,000.00 (March 2026).",
            unescape(self._contract_messages()[0].body),
        )
        self._review(lines[2], "approve")
        self.assertEqual(lines[2].billing_state, "approved")
        self.assertFalse(self._approval_activities())
        done = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("id", "=", activity.id)])
        )
        self.assertTrue(done)
        self.assertFalse(done.active)
        self.assertIn(
            "All time approved or rejected", self._contract_messages()[0].body
        )

    def test_rejection_needs_a_reason_that_reaches_the_employee(self):
        lines = self._create_timesheet(
            date="2026-03-02", hours=10.0, name="Travel"
        ) | self._create_timesheet(date="2026-03-03", hours=9.0, name="Drafting")
        with self.assertRaisesRegex(UserError, "A rejection needs a reason"):
            lines.with_user(self.approver).action_billing_reject("  ")
        self.assertEqual(set(lines.mapped("billing_state")), {"to_approve"})
        self._review(lines, "reject", reason="Travel is not billable to this client.")
        self.assertEqual(set(lines.mapped("billing_state")), {"rejected"})
        self.assertEqual(
            set(lines.mapped("billing_rejection_reason")),
            {"Travel is not billable to this client."},
        )
        self.assertEqual(lines.billing_reviewer_id, self.approver)
        self.assertFalse(self._approval_activities())
        notification = self.env["mail.message"].search(
            [
                ("partner_ids", "in", self.sam.partner_id.ids),
                ("subject", "=", "Time rejected: Contract A"),
            ]
        )
        self.assertEqual(len(notification), 1)
        self.assertEqual(notification.subject, "Time rejected: Contract A")
        self.assertIn(
            "Ann Approver rejected your time on Contract A: Travel is not billable "
            "to this client.",
            notification.body,
        )
        self.assertIn("03/02/2026, Project A, 10:00 h: Travel", notification.body)
        summary = (
            "Time rejected by Ann Approver: 2 time entries, 19:00 h, "
            "$\xa01,900.00 (March 2026). Reason: Travel is not billable "
            "to this client."
        )
        self.assertTrue(
            any(
                summary in unescape(body)
                for body in self._contract_messages().mapped("body")
            )
        )
        # Sam corrects one line: it is reviewed again, the reason stays.
        lines[0].with_user(self.sam).write({"unit_amount": 9.5})
        self.assertEqual(lines[0].billing_state, "to_approve")
        self.assertEqual(
            lines[0].billing_rejection_reason, "Travel is not billable to this client."
        )
        self.assertEqual(lines[1].billing_state, "rejected")
        self.assertEqual(len(self._approval_activities()), 1)

    def test_approved_time_can_still_be_rejected(self):
        line = self._create_timesheet(hours=2.0)
        self.assertEqual(line.billing_state, "approved")
        line.with_user(self.approver).action_billing_reject("Wrong project")
        self.assertEqual(line.billing_state, "rejected")

    def test_only_the_approver_or_a_manager_reviews(self):
        line = self._create_timesheet(hours=10.0)
        with self.assertRaisesRegex(
            AccessError,
            r"Only the approver of contract 'Contract A' \(Ann Approver\) or a "
            "billing manager",
        ):
            self._review(line, "approve", user=self.billing_user)
        self.assertEqual(line.billing_state, "to_approve")
        with self.assertRaises(AccessError):
            line.with_user(self.sam).action_billing_approve()
        self._review(line, "approve", user=self.billing_manager)
        self.assertEqual(line.billing_state, "approved")
        self.assertEqual(line.billing_reviewer_id, self.billing_manager)

    def test_approvers_see_the_time_under_contracts(self):
        under_contract = self._create_timesheet(hours=10.0)
        internal = self._create_timesheet(project=self.project_b, hours=1.0)
        Line = self.env["account.analytic.line"].with_user(self.approver)
        visible = Line.search([("id", "in", (under_contract | internal).ids)])
        self.assertEqual(visible, under_contract)
        # Seeing is not changing: changes go through approval and the locks.
        with self.assertRaises(AccessError):
            under_contract.with_user(self.approver).unit_amount = 1.0

    def test_only_waiting_time_can_be_approved(self):
        waiting = self._create_timesheet(hours=10.0)
        approved = self._create_timesheet(hours=1.0)
        broken = self._create_timesheet(hours=0.0)
        with self.assertRaisesRegex(
            UserError,
            r"2 of the selected lines cannot be approved \(1 Approved and 1 "
            r"Exception\): only time waiting for approval can be\.",
        ):
            (waiting | approved | broken).with_user(
                self.approver
            ).action_billing_approve()
        self.assertEqual(waiting.billing_state, "to_approve")
        with self.assertRaisesRegex(UserError, "cannot be rejected"):
            broken.with_user(self.approver).action_billing_reject("No")
        with self.assertRaisesRegex(UserError, "Select the time to review"):
            self.env["account.analytic.line"].action_billing_approve()

    def test_list_buttons(self):
        line = self._create_timesheet(hours=10.0)
        action = line.with_user(self.approver).action_billing_open_reject_wizard()
        self.assertEqual(action["res_model"], "time.billing.review.wizard")
        self.assertEqual(action["context"]["active_ids"], line.ids)
        result = line.with_user(self.approver).action_billing_approve()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(line.billing_state, "approved")

    def test_billing_filters_work_on_time_and_its_analysis(self):
        """The timesheet search view, billing filters included, also serves
        the timesheet analysis: both models must answer them."""
        self._create_timesheet(hours=10.0)
        for model in ("account.analytic.line", "timesheets.analysis.report"):
            Model = self.env[model].with_user(self.approver)
            arch = Model.get_views([(False, "search")])["views"]["search"]["arch"]
            filters = etree.fromstring(arch).iterfind(".//filter")
            checked = 0
            for node in filters:
                domain = node.get("domain") or "[]"
                group_by = safe_eval(node.get("context") or "{}").get("group_by")
                if "billing_" not in domain + str(group_by):
                    continue
                Model.search(safe_eval(domain, {"uid": self.approver.id}))
                if group_by:
                    Model._read_group([], [group_by], ["__count"])
                checked += 1
            self.assertGreaterEqual(checked, 10, model)

    def test_closing_and_reopening_periods(self):
        line = self._create_timesheet(date="2026-03-02")
        march = line.billing_period_id.with_user(self.billing_user)
        march.action_close()
        self.assertEqual(march.state, "closed")
        self.assertEqual(march.closed_by_id, self.billing_user)
        self.assertIn(
            "Billing period March 2026 closed by", self._contract_messages()[0].body
        )
        with self.assertRaisesRegex(UserError, "already closed"):
            march.action_close()
        with self.assertRaisesRegex(UserError, "Only a billing manager can reopen"):
            march.action_reopen()
        march.with_user(self.billing_manager).action_reopen()
        self.assertEqual(march.state, "open")
