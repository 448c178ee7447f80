# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): value parsing.

Without the ORM.
"""

from datetime import date, datetime, time, timedelta

from odoo.tests import BaseCase, tagged

from ..providers.files.values import parse_bool, parse_date, parse_hours, parse_time


@tagged("post_install", "-at_install")
class TestValues(BaseCase):
    def test_hours(self):
        for text, hours in (
            ("1.5", 1.5),
            ("1,5", 1.5),
            (" 2 ", 2.0),
            ("0", 0.0),
            (".5", 0.5),
            ("1:30", 1.5),
            ("01:30:00", 1.5),
            ("0:47:06", 0.785),
            ("100:00", 100.0),
            ("1h30", 1.5),
            ("1h 30m", 1.5),
            ("1 h 30 min", 1.5),
            ("2h", 2.0),
            ("1.5h", 1.5),
            ("1,5 hrs", 1.5),
            ("90m", 1.5),
            ("45 min", 0.75),
            ("47:06 min", 0.785),
            ("PT1H30M", 1.5),
            ("pt45m", 0.75),
            ("1,234.5", 1234.5),
            ("1.234,5", 1234.5),
            ("1 234,5", 1234.5),
            ("1'234.5", 1234.5),
            ("1,234,567", 1234567.0),
        ):
            with self.subTest(text=text):
                self.assertEqual(parse_hours(text), hours)
        self.assertEqual(parse_hours(1.25), 1.25)
        self.assertEqual(parse_hours(time(0, 45)), 0.75)
        self.assertEqual(parse_hours(timedelta(hours=30)), 30.0)
        self.assertEqual(parse_hours(datetime(1900, 1, 1, 6, 0)), 30.0)

    def test_hours_errors(self):
        for text, hours_format, separator, message in (
            ("1h7x", "auto", "auto", "duration '1h7x' is not a number of hours"),
            ("", "auto", "auto", "no duration"),
            ("  ", "auto", "auto", "no duration"),
            ("-1.5", "auto", "auto", "duration '-1.5' is negative"),
            ("-0:30", "auto", "auto", "duration '-0:30' is negative"),
            ("1h75", "auto", "auto", "duration '1h75' is not a number of hours"),
            ("1,2,3.4.5", "auto", "auto", "is not a number of hours or h:mm"),
            ("1,23,4", "auto", "auto", "is not a number of hours or h:mm"),
            ("1:30", "decimal", "auto", "duration '1:30' is not a decimal number"),
            ("1.5", "hh:mm", "auto", "duration '1.5' is not a duration in h:mm"),
            ("1.5", "auto", ",", "duration '1.5' is not a number of hours"),
            ("true", "auto", "auto", "is not a number of hours"),
        ):
            with self.subTest(text=text, hours_format=hours_format):
                with self.assertRaises(ValueError) as caught:
                    parse_hours(text, hours_format, separator)
                self.assertIn(message, str(caught.exception))
        with self.assertRaisesRegex(ValueError, "is negative"):
            parse_hours(-2.0)

    def test_hours_formats(self):
        self.assertEqual(parse_hours("1.30", "hh:mm"), 1.5)
        self.assertEqual(parse_hours("1,45", "hh:mm"), 1.75)
        self.assertEqual(parse_hours("7h15", "hh:mm"), 7.25)
        self.assertEqual(parse_hours("7", "hh:mm"), 7.0)
        self.assertEqual(parse_hours("1.30", "auto"), 1.3)
        self.assertEqual(parse_hours("1.5 h", "decimal"), 1.5)
        self.assertEqual(parse_hours("1.500,5", "decimal", ","), 1500.5)
        self.assertEqual(parse_hours("1,500.5", "decimal", "."), 1500.5)

    def test_dates(self):
        for text, order, expected in (
            ("2026-03-31", "mdy", date(2026, 3, 31)),
            ("2026-3-1", "dmy", date(2026, 3, 1)),
            ("2026-03-31T10:00:00Z", "dmy", date(2026, 3, 31)),
            ("2026/03/31", "dmy", date(2026, 3, 31)),
            ("31/03/2026", "dmy", date(2026, 3, 31)),
            ("03/31/2026", "mdy", date(2026, 3, 31)),
            ("03/04/2026", "dmy", date(2026, 4, 3)),
            ("03/04/2026", "mdy", date(2026, 3, 4)),
            ("03.04.2026", "mdy", date(2026, 4, 3)),  # dots: always day first
            ("31-03-2026", "dmy", date(2026, 3, 31)),
            ("31/03/26", "dmy", date(2026, 3, 31)),
            ("03/06/2024 10:00", "mdy", date(2024, 3, 6)),
            ("02-Mar-2026", "dmy", date(2026, 3, 2)),
            ("2 March 2026", "dmy", date(2026, 3, 2)),
            ("Mar 2, 2026", "dmy", date(2026, 3, 2)),
        ):
            with self.subTest(text=text, order=order):
                self.assertEqual(parse_date(text, order), expected)
        self.assertEqual(parse_date(46083), date(2026, 3, 2))
        self.assertEqual(parse_date(46083.75), date(2026, 3, 2))
        self.assertEqual(parse_date(datetime(2026, 3, 2, 9)), date(2026, 3, 2))
        self.assertEqual(
            parse_date("2026.31.03", date_format="%Y.%d.%m"), date(2026, 3, 31)
        )
        self.assertEqual(
            parse_date("2026-03-31", date_format="%Y.%d.%m"), date(2026, 3, 31)
        )
        self.assertEqual(parse_date("03/04/2026", date_format="mdy"), date(2026, 3, 4))

    def test_date_errors(self):
        for text, order, date_format, message in (
            ("31/02/2026", "dmy", "auto", "date '31/02/2026' is not a valid date"),
            ("", "dmy", "auto", "no date"),
            ("soon", "dmy", "auto", "date 'soon' is not a valid date (expected e.g."),
            ("2026-13-01", "dmy", "auto", "date '2026-13-01' is not a valid date"),
            ("01/01/0026", "dmy", "auto", "date '01/01/0026' is not a valid date"),
            ("31/12/2026", "dmy", "%m/%d/%Y", "does not match the date format %m/%d"),
        ):
            with self.subTest(text=text):
                with self.assertRaises(ValueError) as caught:
                    parse_date(text, order, date_format)
                self.assertIn(message, str(caught.exception))
        # The impossible date of the demo gets no hint: no order would save it.
        with self.assertRaises(ValueError) as caught:
            parse_date("31/02/2026", "mdy")
        self.assertEqual(str(caught.exception), "date '31/02/2026' is not a valid date")
        # A date that only the other order would read says which order applies.
        with self.assertRaisesRegex(ValueError, r"read as month/day/year; change"):
            parse_date("13/02/2026", "mdy")

    def test_times(self):
        for text, expected in (
            ("10:00", time(10, 0)),
            ("9:05:30", time(9, 5, 30)),
            ("3:00pm", time(15, 0)),
            ("03:00:00 PM", time(15, 0)),
            ("12:00 AM", time(0, 0)),
            ("12:30 p.m.", time(12, 30)),
            ("3pm", time(15, 0)),
            ("10h00", time(10, 0)),
            ("2026-03-02T10:15:00+01:00", time(10, 15)),
        ):
            with self.subTest(text=text):
                self.assertEqual(parse_time(text), expected)
        for text in ("25:00", "13:00 PM", "10", "noon", "10:60"):
            with (
                self.subTest(text=text),
                self.assertRaisesRegex(ValueError, "is not a valid time of day"),
            ):
                parse_time(text)

    def test_booleans(self):
        for values, expected in (
            (("Yes", "y", "TRUE", "1", "x", "Oui", "Ja", "Sí", True, 1.0), True),
            (("No", "n", "false", "0", "Non", "Nein", "Non-billable", False, 0), False),
            (("", "  ", None), None),
        ):
            for value in values:
                with self.subTest(value=value):
                    self.assertIs(parse_bool(value), expected)
        with self.assertRaisesRegex(ValueError, "'maybe' is not yes or no"):
            parse_bool(" maybe ")
        with self.assertRaisesRegex(ValueError, "'2' is not yes or no"):
            parse_bool(2)
