# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from lxml import etree

from odoo.tests import freeze_time, tagged

from .common import TimeBillingCommon

TODAY = "2026-06-15"


@tagged("post_install", "-at_install")
class TestContractGauges(TimeBillingCommon):
    """The contract's gauges tell the truth: the cap gauge names its period,
    and earlier periods still open that are over their cap or hold time are
    flagged. Contract A bills monthly with a 10 h cap per month that holds
    the excess; time under the cap is approved at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_a.write(
            {
                "billing_period": "monthly",
                "approval_hours_threshold": 0.0,
                "billing_mode": "capped",
                "cap_type": "hours",
                "cap_value": 10.0,
                "cap_scope": "period",
                "cap_action": "hold",
            }
        )

    @classmethod
    def _log(cls, day, hours):
        with freeze_time(day):
            return cls._create_timesheet(date=day, hours=hours)

    @classmethod
    def _over_cap(cls, first_day, second_day):
        """8 h approved, then 4 h crossing the 10 h cap: held for approval."""
        first = cls._log(first_day, 8.0)
        crossing = cls._log(second_day, 4.0)
        return first, crossing

    def _contract(self):
        self.env.invalidate_all()
        with freeze_time(TODAY):
            contract = self.contract_a
            # Read while today is frozen: the fields are not stored.
            return {
                "periods": contract.budget_warning_period_ids,
                "html": contract.budget_warning or "",
                "label": contract.cap_gauge_label,
            }

    def test_held_time_is_flagged(self):
        _first, crossing = self._over_cap("2026-03-02", "2026-03-03")
        self.assertTrue(crossing.billing_hold_reason)
        self.assertEqual(crossing.billing_state, "to_approve")
        march = crossing.billing_period_id
        self.assertEqual(march.held_hours, 4.0)
        self.assertEqual(march.cap_label, "10:00 h")
        self.assertGreater(march.cap_percent, 100.0)
        shown = self._contract()
        self.assertEqual(shown["periods"], march)
        self.assertIn("March 2026", shown["html"])
        self.assertIn("04:00 h held", shown["html"])
        self.assertIn(f'href="/odoo/time.billing.period/{march.id}"', shown["html"])

    def test_held_time_in_a_period_closed_by_invoicing_is_flagged(self):
        first, crossing = self._over_cap("2026-03-02", "2026-03-03")
        self._set_billing_state(first, "invoiced")
        march = crossing.billing_period_id
        march.action_close()
        self.assertEqual(crossing.billing_state, "to_approve")
        shown = self._contract()
        self.assertEqual(shown["periods"], march)
        self.assertIn("March 2026</a>: closed, 04:00 h held", shown["html"])
        self.assertNotIn("over its cap", shown["html"])

    def test_over_cap_without_held_time_is_flagged(self):
        first, crossing = self._over_cap("2026-02-02", "2026-02-03")
        self._set_billing_state(crossing, "approved")
        february = first.billing_period_id
        self.assertFalse(february.held_hours)
        self.assertGreater(february.cap_over, 0.0)
        shown = self._contract()
        self.assertEqual(shown["periods"], february)
        self.assertRegex(
            shown["html"], r"February 2026</a>: over its cap by \d\d:\d\d h</li>"
        )
        self.assertNotIn("held", shown["html"])

    def test_invoiced_and_current_periods_are_not_flagged(self):
        first, crossing = self._over_cap("2026-04-01", "2026-04-02")
        self._set_billing_state(first | crossing, "invoiced")
        first.billing_period_id.action_close()
        # The current period over its cap shows on the gauge, not in the list.
        self._over_cap("2026-06-01", "2026-06-02")
        shown = self._contract()
        self.assertFalse(shown["periods"])
        self.assertFalse(shown["html"])

    def test_flags_each_earlier_open_period(self):
        feb_first, feb_crossing = self._over_cap("2026-02-02", "2026-02-03")
        self._set_billing_state(feb_crossing, "approved")
        mar_crossing = self._over_cap("2026-03-02", "2026-03-03")[1]
        apr_lines = self._over_cap("2026-04-01", "2026-04-02")
        self._set_billing_state(apr_lines[0] | apr_lines[1], "invoiced")
        apr_lines[0].billing_period_id.action_close()
        shown = self._contract()
        self.assertEqual(
            shown["periods"],
            feb_first.billing_period_id | mar_crossing.billing_period_id,
        )
        self.assertNotIn("April 2026", shown["html"])
        action = self.contract_a.action_view_budget_warning_periods()
        self.assertEqual(action["res_model"], "time.billing.period")

    def test_gauge_label_names_its_period(self):
        self._log("2026-06-01", 1.0)
        self.assertEqual(self._contract()["label"], "June 2026: 10 % of the cap used")
        self.contract_a.cap_scope = "contract"
        self.assertEqual(
            self._contract()["label"], "Whole contract: 10 % of the cap used"
        )

    def test_multipliers_read_as_written(self):
        self.contract_a.write({"weekend_multiplier": 1.5, "overtime_multiplier": 2.0})
        self.assertEqual(
            self.contract_a.multiplier_summary,
            "weekend ×1.5, public holidays ×1, overtime ×2",
        )

    def test_periods_tab_fits(self):
        arch = etree.fromstring(
            self.env["time.billing.contract"].get_view(view_type="form")["arch"]
        )
        columns = arch.xpath("//field[@name='billing_period_ids']/list/field")
        names = [column.get("name") for column in columns]
        self.assertIn("state", names)
        shown = [
            column
            for column in columns
            if column.get("optional") != "hide"
            and column.get("column_invisible") not in ("True", "1")
        ]
        self.assertLessEqual(len(shown), 8)
        for name in ("display_name", "billed_hours", "cap_percent", "held_hours"):
            self.assertIn(name, names)
        amount = arch.xpath(
            "//field[@name='billing_period_ids']/list/field[@name='billed_amount']"
        )[0]
        self.assertEqual(amount.get("widget"), "monetary")
