# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime, timedelta, timezone

from odoo.tests import BaseCase, tagged

from ..tools.approval import approval_reasons, auto_approve_date, budget_share
from ..tools.validation import (
    ContractSpan,
    coverage_gap,
    duplicate_key,
    duration_issue,
    entry_interval,
    find_duplicates,
    fit_bounds,
    overlapping,
)


@tagged("post_install", "-at_install")
class TestValidationHelpers(BaseCase):
    def test_duration_issue_boundaries(self):
        self.assertEqual(duration_issue(0.0), "zero")
        self.assertEqual(duration_issue(0.0001), "zero")  # under a second
        self.assertIsNone(duration_issue(1 / 60))  # one minute is billable
        self.assertEqual(duration_issue(-0.5), "negative")
        self.assertIsNone(duration_issue(24.0))
        self.assertEqual(duration_issue(24.01), "too_long")

    def test_coverage_gap_names_the_nearest_contract(self):
        first = ContractSpan(1, "2025 letter", date(2025, 1, 1), date(2025, 12, 31))
        second = ContractSpan(2, "2026 letter", date(2026, 1, 1), date(2026, 12, 31))
        self.assertEqual(
            coverage_gap(date(2027, 1, 15), [first, second]), ("ends", second)
        )
        self.assertEqual(
            coverage_gap(date(2024, 6, 1), [first, second]), ("starts", first)
        )
        later = ContractSpan(3, "2028 letter", date(2028, 1, 1))
        # 15 days after the end of 2026 beats 351 days before 2028.
        self.assertEqual(
            coverage_gap(date(2027, 1, 15), [second, later]), ("ends", second)
        )
        self.assertEqual(
            coverage_gap(date(2027, 12, 20), [second, later]), ("starts", later)
        )
        closed = ContractSpan(4, "closed", date(2026, 1, 1), None, closed=True)
        self.assertEqual(coverage_gap(date(2026, 5, 1), [closed]), ("closed", closed))
        self.assertIsNone(coverage_gap(date(2026, 5, 1), []))

    def test_fit_bounds_leaves_existing_periods_alone(self):
        # A monthly period around 2026-03-14 next to weekly periods that exist.
        existing = [
            (date(2026, 2, 23), date(2026, 3, 1)),
            (date(2026, 3, 23), date(2026, 3, 29)),
        ]
        self.assertEqual(
            fit_bounds(
                date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 14), existing
            ),
            (date(2026, 3, 2), date(2026, 3, 22)),
        )
        self.assertEqual(
            fit_bounds(date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 2), existing),
            (date(2026, 4, 1), date(2026, 4, 30)),
        )

    def test_duplicates_need_two_sources(self):
        day = date(2026, 3, 2)
        key = duplicate_key(7, day, 1.5, "Design  review")
        self.assertEqual(key, duplicate_key(7, day, 1.5000001, "design review"))
        self.assertNotEqual(key, duplicate_key(7, day, 1.5, "Design review, part 2"))
        self.assertNotEqual(key, duplicate_key(8, day, 1.5, "Design review"))
        # Line 10 was typed in Odoo (source 0); 20 comes from backend 1 and 21
        # from backend 2; 22 is a second identical entry from backend 1.
        in_place = [(10, key, 0)]
        checked = [(22, key, 1), (20, key, 1), (21, key, 2)]
        self.assertEqual(find_duplicates(checked, in_place), {20: 10, 21: 10, 22: 10})
        # Alone, the two entries of one source are not duplicates; a second
        # source repeating them is.
        self.assertEqual(find_duplicates([(20, key, 1), (22, key, 1)], []), {})
        self.assertEqual(
            find_duplicates([(20, key, 1), (21, key, 2), (22, key, 1)], []),
            {21: 20},
        )

    def test_overlapping_intervals(self):
        nine = datetime(2026, 3, 2, 9, 0)
        hour = timedelta(hours=1)
        intervals = [
            (1, nine, nine + 2 * hour),
            (2, nine + hour, nine + 3 * hour),
            (3, nine + 3 * hour, nine + 4 * hour),  # touches 2: no overlap
            (4, nine - hour, nine + 5 * hour),  # covers every other
        ]
        self.assertEqual(
            overlapping(intervals), {1: [2, 4], 2: [1, 4], 3: [4], 4: [1, 2, 3]}
        )
        self.assertEqual(overlapping(intervals[2:3]), {})

    def test_entry_interval_of_staged_texts(self):
        utc = timezone.utc
        self.assertEqual(
            entry_interval("2026-03-02T09:00:00+00:00", "2026-03-02T10:30:00Z"),
            (
                datetime(2026, 3, 2, 9, 0, tzinfo=utc),
                datetime(2026, 3, 2, 10, 30, tzinfo=utc),
            ),
        )
        start, end = entry_interval(
            "2026-03-02T08:00:00+01:00", "2026-03-02T09:00:00+01:00"
        )
        self.assertEqual(start.astimezone(utc), datetime(2026, 3, 2, 7, 0, tzinfo=utc))
        self.assertEqual(end - start, timedelta(hours=1))
        # Without an offset: the person's local wall-clock time, kept naive.
        self.assertEqual(
            entry_interval("2026-03-02T23:00:00", "2026-03-03T01:00:00"),
            (datetime(2026, 3, 2, 23, 0), datetime(2026, 3, 3, 1, 0)),
        )
        # Not recorded, unreadable, of two kinds, or not ending after the
        # start: no interval.
        self.assertIsNone(entry_interval(False, False))
        self.assertIsNone(entry_interval("2026-03-02T09:00:00Z", False))
        self.assertIsNone(entry_interval("", "2026-03-02T09:00:00Z"))
        self.assertIsNone(entry_interval("not a date", "2026-03-02T09:00:00"))
        self.assertIsNone(entry_interval("2026-03-02T09:00:00Z", "2026-03-02T10:00:00"))
        self.assertIsNone(entry_interval("2026-03-02T10:00:00", "2026-03-02T10:00:00"))
        self.assertIsNone(
            entry_interval("2026-03-02T10:00:00Z", "2026-03-02T09:00:00Z")
        )

    def test_approval_reasons(self):
        base = {
            "hours": 8.0,
            "amount": 800.0,
            "share": None,
            "hours_threshold": 8.0,
            "amount_threshold": 800.0,
            "share_threshold": 0.0,
        }
        # At the threshold is not above it; 0 disables a check.
        self.assertEqual(approval_reasons(**base), [])
        self.assertEqual(
            approval_reasons(**{**base, "hours": 8.25}),
            [("hours", {"hours": 8.25, "threshold": 8.0})],
        )
        self.assertEqual(
            [code for code, _v in approval_reasons(**{**base, "amount": 800.01})],
            ["amount"],
        )
        self.assertEqual(
            approval_reasons(**{**base, "hours": 100, "hours_threshold": 0}), []
        )
        share = budget_share(12.0, 200.0)
        self.assertAlmostEqual(share, 6.0)
        self.assertEqual(
            approval_reasons(**{**base, "share": share, "share_threshold": 5.0}),
            [("share", {"share": share, "threshold": 5.0})],
        )
        self.assertIsNone(budget_share(12.0, 0.0))
        self.assertEqual(
            approval_reasons(**base, hold_reason="Cap of 40.00 h reached"),
            [("hold", {"reason": "Cap of 40.00 h reached"})],
        )

    def test_auto_approve_date(self):
        today = date(2026, 3, 2)
        self.assertIsNone(auto_approve_date(today, 0))
        self.assertEqual(auto_approve_date(today, 3), date(2026, 3, 5))
        # Once promised, the day holds when the entry is routed again.
        self.assertEqual(
            auto_approve_date(date(2026, 3, 4), 3, date(2026, 3, 5)), date(2026, 3, 5)
        )
