# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The worked example of readme/USAGE.md, priced for real.

The table in the README is rendered from these lines and checked here, so the
documentation cannot drift from what the module computes.
"""

import os

from odoo import Command
from odoo.tests import tagged

from .common import TimeBillingCommon

README = os.path.join(os.path.dirname(__file__), os.pardir, "readme", "USAGE.md")

# date, person, task, raw time (h:mm) -> billable hours, rate, amount, note
EXPECTED = [
    (
        "2026-03-02",
        "Alice Moreau",
        "Discovery",
        "2:50",
        2.9,
        450,
        1305,
        "Rate $\xa0450.00 from 'Partner'; 02:50 h rounded up to "
        "02:54 h (6-minute steps)",
    ),
    (
        "2026-03-03",
        "Bruno Keller",
        "Discovery",
        "0:05",
        0.2,
        280,
        56,
        "Rate $\xa0280.00 from 'Senior'; 00:05 h raw billed as 00:12 "
        "h (12-minute minimum)",
    ),
    (
        "2026-03-04",
        "Chloé Dubois",
        "Hearing preparation",
        "3:00",
        3.0,
        220,
        660,
        "Rate $\xa0220.00 from 'Chloé Dubois on Hearing preparation' "
        "(valid from 01/01/2026)",
    ),
    (
        "2026-03-05",
        "Chloé Dubois",
        "Discovery",
        "1:10",
        1.2,
        190,
        228,
        "Rate $\xa0190.00 (contract default); 01:10 h rounded up to 01:12 h "
        "(6-minute steps)",
    ),
    (
        "2026-03-06",
        "Dev Patel",
        "Travel",
        "2:00",
        0.0,
        0,
        0,
        "Not billable: rate card line 'Travel'",
    ),
    (
        "2026-03-07",
        "Bruno Keller",
        "Discovery",
        "4:00",
        4.0,
        280,
        1680,
        "Rate $\xa0280.00 from 'Senior'; Weekend ×1.5",
    ),
    (
        "2026-03-09",
        "Alice Moreau",
        "Hearing preparation",
        "9:30",
        9.5,
        450,
        4275,
        "Rate $\xa0450.00 from 'Partner'",
    ),
    (
        "2026-03-10",
        "Bruno Keller",
        "Hearing preparation",
        "7:00",
        7.0,
        280,
        1960,
        "Rate $\xa0280.00 from 'Senior'; Crosses the cap of $\xa010,000.00 per billing "
        "period ($\xa08,204.00 used before): held as a whole for approval",
    ),
    (
        "2026-03-11",
        "Chloé Dubois",
        "Discovery",
        "0:45",
        0.8,
        190,
        152,
        "Rate $\xa0190.00 (contract default); 00:45 h rounded up to 00:48 h "
        "(6-minute steps); Cap of $\xa010,000.00 per billing period already reached: "
        "held for approval",
    ),
    (
        "2026-04-01",
        "Alice Moreau",
        "Discovery",
        "1:00",
        1.0,
        450,
        450,
        "Rate $\xa0450.00 from 'Partner'",
    ),
]


@tagged("post_install", "-at_install")
class TestWorkedExample(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        jobs = cls.env["hr.job"].create(
            [{"name": "Partner"}, {"name": "Senior"}, {"name": "Junior"}]
        )
        cls.jobs = dict(zip(jobs.mapped("name"), jobs, strict=True))
        cls.people = {
            name: cls.env["hr.employee"].create(
                {"name": name, "job_id": cls.jobs[job].id}
            )
            for name, job in [
                ("Alice Moreau", "Partner"),
                ("Bruno Keller", "Senior"),
                ("Chloé Dubois", "Junior"),
                ("Dev Patel", "Junior"),
            ]
        }
        client = cls.env["res.partner"].create(
            {"name": "Northwind Legal LLP", "is_company": True}
        )
        project = cls.env["project.project"].create(
            {"name": "Northwind: Litigation Support", "partner_id": client.id}
        )
        cls.project = project
        cls.tasks = {
            name: cls.env["project.task"].create(
                {"name": name, "project_id": project.id}
            )
            for name in ("Discovery", "Hearing preparation", "Travel")
        }
        # The engagement letter, as a contract.
        cls.contract = cls.env["time.billing.contract"].create(
            {
                "name": "Northwind 2026 litigation",
                "partner_id": client.id,
                "project_ids": [Command.set(project.ids)],
                "date_start": "2026-01-01",
                "billing_mode": "capped",
                "default_rate": 190.0,
                "rounding_increment": 6,
                "rounding_method": "up",
                "minimum_minutes": 12,
                "weekend_multiplier": 1.5,
                "cap_type": "amount",
                "cap_value": 10000.0,
                "cap_scope": "period",
                "cap_action": "hold",
                "billing_period": "monthly",
                "approval_hours_threshold": 8.0,
                "approval_amount_threshold": 2000.0,
                "state": "active",
                "rate_rule_ids": [
                    Command.create({"job_id": cls.jobs["Partner"].id, "rate": 450}),
                    Command.create({"job_id": cls.jobs["Senior"].id, "rate": 280}),
                    Command.create(
                        {
                            "employee_id": cls.people["Chloé Dubois"].id,
                            "task_id": cls.tasks["Hearing preparation"].id,
                            "rate": 220,
                            "date_from": "2026-01-01",
                        }
                    ),
                    Command.create(
                        {"task_id": cls.tasks["Travel"].id, "billable": False}
                    ),
                ],
            }
        )

    @staticmethod
    def _hours(raw):
        hours, minutes = raw.split(":")
        return int(hours) + int(minutes) / 60

    def _row(self, line, raw):
        digits = line.billing_currency_id.decimal_places
        note = line.billing_note.replace("\xa0", " ")
        return (
            f"| {line.date} | {line.employee_id.name} | {line.task_id.name} | {raw} "
            f"| {line.billable_hours:.2f} | {line.billing_rate:,.{digits}f} "
            f"| {line.billing_amount:,.{digits}f} | {note} |"
        )

    def test_worked_example(self):
        lines = self.env["account.analytic.line"]
        for day, person, task, raw, *__ in EXPECTED:
            lines |= self.env["account.analytic.line"].create(
                {
                    "name": f"{task} ({person})",
                    "project_id": self.project.id,
                    "task_id": self.tasks[task].id,
                    "employee_id": self.people[person].id,
                    "date": day,
                    "unit_amount": self._hours(raw),
                }
            )
        priced = [
            (
                str(line.date),
                line.employee_id.name,
                line.task_id.name,
                raw,
                line.billable_hours,
                line.billing_rate,
                line.billing_amount,
                line.billing_note,
            )
            for line, (*__, raw, _h, _r, _a, _n) in zip(lines, EXPECTED, strict=True)
        ]
        self.assertEqual(priced, EXPECTED)
        held = lines.filtered("billing_hold_reason")
        self.assertEqual(held.mapped("date"), lines[7:9].mapped("date"))
        self.assertEqual(sum(lines[:9].mapped("billing_amount")), 10316)
        with open(README, encoding="utf-8") as readme:
            text = readme.read()
        for line, expected in zip(lines, EXPECTED, strict=True):
            row = self._row(line, expected[3])
            self.assertIn(row, text, "readme/USAGE.md no longer shows this line")
