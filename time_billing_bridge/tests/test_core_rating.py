# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The pure rating engine, with hand-computed expectations."""

from datetime import date
from decimal import Decimal as D

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from ..tools.rating import (
    Entry,
    RateRow,
    Terms,
    Usage,
    billable_minutes,
    rate_entries,
    resolve_rate,
    round_money,
)

MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)
EMPLOYEE, OTHER_EMPLOYEE = 1, 2
JOB, OTHER_JOB = 10, 11
TASK, OTHER_TASK = 20, 21


def entry(id_=1, day=MONDAY, hours=1.0, **kw):
    values = {"employee_id": EMPLOYEE, "job_id": JOB, "task_id": TASK}
    values.update(kw)
    return Entry(id=id_, date=day, hours=hours, **values)


def rate_one(terms, item, rows=(), usage=None, holidays=None):
    return rate_entries([item], terms, rows, usage, holidays).ratings[0]


@tagged("post_install", "-at_install")
class TestRounding(BaseCase):
    def test_billable_minutes(self):
        cases = [
            # (raw hours, increment, method, minimum) -> billable minutes
            ((0.0, 6, "up", 12), 0),  # nothing stays nothing, minimum or not
            ((-1.0, 6, "up", 12), 0),
            ((0.05, 6, "up", 12), 12),  # 3 min -> 6 -> minimum 12
            ((1.03, 6, "up", 0), 66),  # 61.8 min -> 66 min = 1.1 h
            ((1.03, 6, "down", 0), 60),
            ((1.03, 15, "nearest", 0), 60),  # 4.12 steps -> 4
            ((0.125, 15, "nearest", 0), 15),  # 7.5 min: half goes up
            ((4 / 60, 6, "down", 0), 0),  # 4 min rounded down to nothing
            ((4 / 60, 6, "down", 12), 12),  # ... the minimum still applies
            ((1.0, 6, "up", 0), 60),  # already on a step: unchanged
            ((2.0, 0, "up", 0), 120),  # no increment: the exact duration
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(billable_minutes(*args), D(expected))

    def test_float_noise_does_not_cross_a_step(self):
        # 10 minutes typed in the float_time widget is 0.1666666... hours; a
        # tiny excess must not round up to the next 10-minute step.
        self.assertEqual(billable_minutes(0.16666667, 10, "up"), 10)
        self.assertEqual(billable_minutes(10 / 60, 10, "up"), 10)
        self.assertEqual(billable_minutes(0.1 + 0.2, 6, "up"), 18)

    def test_round_money(self):
        self.assertEqual(round_money(D("1234.5"), 1), D(1235))
        self.assertEqual(round_money(D("10.024"), "0.05"), D("10.00"))
        self.assertEqual(round_money(D("10.025"), "0.05"), D("10.05"))
        self.assertEqual(round_money(D("0.125"), "0.01"), D("0.13"))
        self.assertEqual(round_money(D("7.3"), 0), D("7.3"))


@tagged("post_install", "-at_install")
class TestRateResolution(BaseCase):
    def setUp(self):
        super().setUp()
        self.rows = [
            RateRow(1, 100, label="default line"),
            RateRow(2, 150, task_id=TASK),
            RateRow(3, 200, job_id=JOB),
            RateRow(4, 250, employee_id=EMPLOYEE),
            RateRow(5, 300, employee_id=EMPLOYEE, task_id=TASK),
        ]

    def _winner(self, rows, item, default=90):
        choice = resolve_rate(rows, item, default)
        return choice.rate, choice.row.id if choice.row else None

    def test_precedence(self):
        item = entry()
        rows = list(self.rows)
        self.assertEqual(self._winner(rows, item), (300, 5))  # employee + task
        rows.pop()
        self.assertEqual(self._winner(rows, item), (250, 4))  # employee
        rows.pop()
        self.assertEqual(self._winner(rows, item), (200, 3))  # role
        rows.pop()
        self.assertEqual(self._winner(rows, item), (150, 2))  # task
        rows.pop()
        self.assertEqual(self._winner(rows, item), (100, 1))  # default line
        rows.pop()
        self.assertEqual(self._winner(rows, item), (90, None))  # contract default

    def test_rows_of_others_do_not_match(self):
        item = entry(employee_id=OTHER_EMPLOYEE, job_id=OTHER_JOB, task_id=OTHER_TASK)
        self.assertEqual(self._winner(self.rows, item), (100, 1))
        item = entry(employee_id=OTHER_EMPLOYEE, task_id=OTHER_TASK)
        self.assertEqual(self._winner(self.rows, item), (200, 3))

    def test_more_specific_line_wins_inside_a_level(self):
        rows = [
            RateRow(1, 250, employee_id=EMPLOYEE, date_from=date(2026, 3, 1)),
            RateRow(2, 270, employee_id=EMPLOYEE, product_id=7),
        ]
        self.assertEqual(self._winner(rows, entry(product_id=7)), (270, 2))
        self.assertEqual(self._winner(rows, entry(product_id=8)), (250, 1))

    def test_date_effective_rows(self):
        rows = [
            RateRow(1, 200, employee_id=EMPLOYEE, date_to=date(2026, 6, 30)),
            RateRow(2, 230, employee_id=EMPLOYEE, date_from=date(2026, 7, 1)),
        ]
        # A line valid to June 30 applies on June 30.
        self.assertEqual(self._winner(rows, entry(day=date(2026, 6, 30))), (200, 1))
        self.assertEqual(self._winner(rows, entry(day=date(2026, 7, 1))), (230, 2))

    def test_latest_start_then_sequence(self):
        rows = [
            RateRow(1, 180, employee_id=EMPLOYEE),
            RateRow(2, 190, employee_id=EMPLOYEE, date_from=date(2026, 3, 1)),
            RateRow(
                3, 195, employee_id=EMPLOYEE, date_from=date(2026, 3, 1), sequence=5
            ),
            RateRow(4, 999, employee_id=EMPLOYEE, date_from=date(2026, 5, 1)),
        ]
        # Before March, only the open-ended line is valid.
        self.assertEqual(self._winner(rows, entry(day=date(2026, 2, 27))), (180, 1))
        # From March, two lines start the same day: the lower sequence wins.
        self.assertEqual(self._winner(rows, entry(day=date(2026, 4, 1))), (195, 3))
        self.assertEqual(self._winner(rows, entry(day=date(2026, 5, 1))), (999, 4))

    def test_non_billable_task_at_its_level(self):
        rows = [
            RateRow(1, 0, billable=False, task_id=TASK, label="Travel"),
            RateRow(2, 220, employee_id=OTHER_EMPLOYEE),
        ]
        terms = Terms(default_rate=100)
        rating = rate_one(terms, entry(hours=2), rows)
        self.assertFalse(rating.billable)
        self.assertEqual((rating.hours, rating.amount), (0, 0))
        self.assertEqual(rating.notes[0].code, "non_billable_row")
        self.assertEqual(rating.notes[0].params["label"], "Travel")
        # An employee line outranks the task line: that person's travel bills.
        rating = rate_one(terms, entry(hours=2, employee_id=OTHER_EMPLOYEE), rows)
        self.assertTrue(rating.billable)
        self.assertEqual(rating.amount, 440)

    def test_not_billable_at_source_or_fixed_fee(self):
        rating = rate_one(Terms(default_rate=100), entry(billable=False))
        self.assertFalse(rating.billable)
        self.assertEqual(rating.notes[0].code, "non_billable_source")
        rating = rate_one(Terms(default_rate=100, billing_mode="fixed"), entry())
        self.assertFalse(rating.billable)
        self.assertEqual(rating.notes[0].code, "fixed_fee")


@tagged("post_install", "-at_install")
class TestMultipliers(BaseCase):
    def test_weekend_and_holiday_do_not_stack(self):
        terms = Terms(default_rate=100, weekend_multiplier=1.5, holiday_multiplier=2)
        self.assertEqual(rate_one(terms, entry(hours=2)).amount, 200)
        saturday = rate_one(terms, entry(day=SATURDAY, hours=2))
        self.assertEqual(saturday.amount, 300)
        self.assertEqual(saturday.notes[-1].code, "weekend")
        holidays = {"cal": {MONDAY, SATURDAY}}
        holiday = rate_one(terms, entry(hours=2, calendar="cal"), holidays=holidays)
        self.assertEqual(holiday.amount, 400)
        # A holiday on a Saturday: the highest multiplier, not 1.5 x 2.
        both = rate_one(
            terms, entry(day=SATURDAY, hours=2, calendar="cal"), holidays=holidays
        )
        self.assertEqual(both.amount, 400)
        self.assertEqual([n.code for n in both.notes], ["rate_default", "holiday"])
        # Another calendar has no holiday that day.
        other = rate_one(terms, entry(hours=2, calendar="x"), holidays=holidays)
        self.assertEqual(other.amount, 200)

    def test_daily_overtime_in_order(self):
        terms = Terms(default_rate=100, overtime_daily_hours=8, overtime_multiplier=1.5)
        run = rate_entries(
            [entry(2, hours=4), entry(1, hours=5), entry(3, day=date(2026, 3, 3))],
            terms,
        )
        # Processed by date then id: 5 h normal, then 3 h normal + 1 h x1.5.
        self.assertEqual([r.id for r in run.ratings], [1, 2, 3])
        self.assertEqual([r.amount for r in run.ratings], [500, 450, 100])
        note = run.ratings[1].notes[-1]
        self.assertEqual(note.code, "overtime")
        self.assertEqual((note.params["hours"], note.params["per"]), (1, "day"))
        # Earlier time of that person on that day counts first; someone
        # else's time does not.
        usage = Usage()
        usage.daily[EMPLOYEE, MONDAY] = D(7)
        usage.daily[OTHER_EMPLOYEE, MONDAY] = D(8)
        self.assertEqual(rate_one(terms, entry(hours=2), usage=usage).amount, 250)
        self.assertEqual(usage.daily[EMPLOYEE, MONDAY], 7)  # not modified

    def test_weekly_overtime(self):
        terms = Terms(
            default_rate=100, overtime_weekly_hours=40, overtime_multiplier=1.5
        )
        entries = [
            entry(n + 1, day=date(2026, 3, 2 + n), hours=10) for n in range(4)
        ] + [entry(5, day=date(2026, 3, 6), hours=2)]
        ratings = rate_entries(entries, terms).ratings
        self.assertEqual([r.amount for r in ratings], [1000] * 4 + [300])
        # Next week starts afresh.
        monday = rate_one(terms, entry(day=date(2026, 3, 9), hours=2))
        self.assertEqual(monday.amount, 200)

    def test_daily_and_weekly_overtime_take_the_larger_part(self):
        terms = Terms(
            default_rate=100,
            overtime_daily_hours=8,
            overtime_weekly_hours=40,
            overtime_multiplier=2,
        )
        usage = Usage()
        usage.weekly[EMPLOYEE, MONDAY] = D(39)
        usage.daily[EMPLOYEE, MONDAY] = D(6)
        # Daily: 1 h beyond 8; weekly: 2 h beyond 40 -> 2 h at x2, once.
        rating = rate_one(terms, entry(hours=3), usage=usage)
        self.assertEqual(rating.amount, 100 + 400)
        self.assertEqual(rating.notes[-1].params["per"], "week")

    def test_overtime_on_a_weekend_gets_the_highest_multiplier(self):
        terms = Terms(
            default_rate=100,
            weekend_multiplier=1.5,
            overtime_daily_hours=8,
            overtime_multiplier=1.25,
        )
        rating = rate_one(terms, entry(day=SATURDAY, hours=10))
        self.assertEqual(rating.amount, 1500)  # 10 h x 1.5, no x1.25 on top
        self.assertNotIn("overtime", [n.code for n in rating.notes])
        terms = Terms(
            default_rate=100,
            weekend_multiplier=1.5,
            overtime_daily_hours=8,
            overtime_multiplier=2,
        )
        rating = rate_one(terms, entry(day=SATURDAY, hours=10))
        self.assertEqual(rating.amount, 8 * 150 + 2 * 200)


@tagged("post_install", "-at_install")
class TestAmounts(BaseCase):
    def test_discount_after_rounding(self):
        terms = Terms(default_rate=100, rounding_increment=6, discount=10)
        rating = rate_one(terms, entry(hours=1.03))
        # 61.8 min -> 66 min = 1.1 h; 110.00 less 10 % = 99.00.
        self.assertEqual(
            (rating.hours, rating.rate, rating.amount), (D("1.1"), 100, 99)
        )
        self.assertEqual(
            [n.code for n in rating.notes], ["rate_default", "rounding", "discount"]
        )

    def test_currency_rounding(self):
        yen = Terms(default_rate=3333, rounding_increment=6, currency_rounding=1.0)
        # 0.1 h x 3333 = 333.3 -> 333 yen.
        self.assertEqual(rate_one(yen, entry(hours=0.1)).amount, 333)
        cash = Terms(default_rate=123.45, rounding_increment=6, currency_rounding=0.05)
        # 0.3 h x 123.45 = 37.035 -> 37.05 in steps of 0.05.
        self.assertEqual(rate_one(cash, entry(hours=0.3)).amount, D("37.05"))

    def test_zero_minutes_bill_nothing(self):
        terms = Terms(default_rate=100, rounding_increment=6, minimum_minutes=12)
        rating = rate_one(terms, entry(hours=0))
        self.assertTrue(rating.billable)
        self.assertEqual((rating.hours, rating.amount), (0, 0))
        self.assertEqual(rating.notes[-1].code, "zero_duration")
        small = rate_one(terms, entry(hours=0.05))
        self.assertEqual((small.hours, small.amount), (D("0.2"), 20))
        self.assertEqual(small.notes[-1].code, "minimum")


@tagged("post_install", "-at_install")
class TestCaps(BaseCase):
    def _terms(self, **kw):
        values = {
            "default_rate": 100,
            "cap_type": "hours",
            "cap_value": 10,
            "cap_action": "write_off",
        }
        values.update(kw)
        return Terms(**values)

    def test_hours_cap_written_off_inside_one_entry(self):
        usage = Usage()
        usage.cap[None] = D(8)
        run = rate_entries(
            [entry(1, hours=3), entry(2, day=date(2026, 3, 3))],
            self._terms(),
            (),
            usage,
        )
        crossing, after = run.ratings
        # Billed up to the cap: 2 h of 3, the last hour written off.
        self.assertEqual((crossing.hours, crossing.amount), (2, 200))
        self.assertEqual(crossing.hold.code, "cap_write_off")
        self.assertEqual(crossing.hold.params["written_off"], 1)
        self.assertFalse(crossing.hold.params["whole"])
        # Past the cap: written off entirely, with the reason.
        self.assertEqual((after.hours, after.amount), (0, 0))
        self.assertTrue(after.hold.params["whole"])
        self.assertEqual(run.usage.cap[None], 10)

    def test_hours_cap_held_as_a_whole(self):
        usage = Usage()
        usage.cap[None] = D(8)
        run = rate_entries(
            [entry(1, hours=2), entry(2, hours=3), entry(3, hours=1)],
            self._terms(cap_action="hold"),
            (),
            usage,
        )
        exact, crossing, after = run.ratings
        self.assertIsNone(exact.hold)  # reaching the cap exactly is fine
        self.assertEqual((crossing.hours, crossing.amount), (3, 300))
        self.assertEqual(crossing.hold.code, "cap_hold_reached")
        self.assertEqual(after.hold.code, "cap_hold_reached")
        usage.cap[None] = D(9)
        crossing = rate_one(self._terms(cap_action="hold"), entry(hours=3), (), usage)
        self.assertEqual((crossing.hours, crossing.amount), (3, 300))
        self.assertEqual(crossing.hold.code, "cap_hold_crossing")
        self.assertEqual(crossing.hold.params["used"], 9)

    def test_amount_cap_written_off(self):
        terms = self._terms(cap_type="amount", cap_value=1000, discount=50)
        usage = Usage()
        usage.cap[None] = D(900)
        # 4 h x 100 less 50 % = 200, 100 of which fit under the cap.
        rating = rate_one(terms, entry(hours=4), (), usage)
        self.assertEqual((rating.hours, rating.amount), (4, 100))
        self.assertEqual(rating.hold.params["written_off"], 100)

    def test_written_off_part_is_the_overtime_tail(self):
        terms = self._terms(overtime_daily_hours=1, overtime_multiplier=2)
        usage = Usage()
        usage.cap[None] = D(8)
        # 3 h: 1 h normal + 2 h overtime; the cap leaves 2 h: 1 h at x1 and
        # 1 h at x2 are billed.
        rating = rate_one(terms, entry(hours=3), (), usage)
        self.assertEqual((rating.hours, rating.amount), (2, 300))

    def test_period_cap_restarts_each_period(self):
        terms = self._terms(cap_scope="period", cap_value=4)
        march, april = date(2026, 3, 1), date(2026, 4, 1)
        usage = Usage()
        usage.cap[march] = D(4)
        run = rate_entries(
            [
                entry(1, day=date(2026, 3, 31), hours=2, period_start=march),
                entry(2, day=date(2026, 4, 1), hours=2, period_start=april),
            ],
            terms,
            (),
            usage,
        )
        self.assertEqual([r.amount for r in run.ratings], [0, 200])
        self.assertEqual(run.usage.cap[april], 2)


@tagged("post_install", "-at_install")
class TestRetainer(BaseCase):
    def _run(self, action, used=7):
        terms = Terms(
            default_rate=100,
            billing_mode="retainer",
            retainer_size=10,
            retainer_exhausted_action=action,
        )
        usage = Usage(retainer=D(used))
        return rate_entries(
            [entry(1, hours=2), entry(2, hours=2), entry(3, hours=1)],
            terms,
            (),
            usage,
        )

    def test_consumption_and_flag(self):
        run = self._run("flag")
        inside, crossing, beyond = run.ratings
        self.assertEqual(inside.notes[-1].code, "retainer")
        self.assertEqual(inside.notes[-1].params["used"], 9)
        self.assertEqual(crossing.notes[-1].code, "retainer_flag")
        self.assertEqual(crossing.notes[-1].params["beyond"], 1)
        self.assertEqual(beyond.notes[-1].params["beyond"], 1)
        # Flag keeps billing hourly: nothing is held.
        self.assertEqual([r.amount for r in run.ratings], [200, 200, 100])
        self.assertFalse(any(r.hold for r in run.ratings))
        self.assertEqual(run.usage.retainer, 12)

    def test_stop_holds_new_time(self):
        inside, crossing, beyond = self._run("stop").ratings
        self.assertIsNone(inside.hold)
        self.assertEqual(crossing.hold.code, "retainer_stop")
        self.assertEqual(beyond.hold.code, "retainer_stop")
        self.assertEqual(crossing.amount, 200)
