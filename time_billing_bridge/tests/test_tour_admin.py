# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The admin's tour: connect a Harvest account, synchronise, and map the
person nobody in Odoo matched. The web client talks to Odoo, and Odoo to a
fake Harvest on 127.0.0.1, over real HTTP."""

from urllib.parse import quote

from odoo.tests import HttpCase, new_test_user, tagged

from .common import allow_local_api_urls
from .common_providers import LocalFakes
from .fakes import FakeHarvest

PEOPLE = [
    {"name": "Sam Senior", "email": "sam@example.com"},
    {"name": "Alex Outsider", "email": "alex@freelance.example"},
]


@tagged("post_install", "-at_install")
class TestTourAdmin(LocalFakes, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The fake Harvest listens on http://127.0.0.1, which the system
        # parameters must allow, as an administrator would for a proxy.
        allow_local_api_urls(cls.env)
        cls.fake = FakeHarvest(token="tour-harvest-token", account_id="7654321")
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)
        cls.fake.build_world(
            users=PEOPLE,
            projects=["Website Redesign"],
            clients=["Tour Client"],
            tasks=1,
        )
        sam, cls.alex = cls.fake.people
        cls.fake.add(_person=sam, _notes="Design review")
        cls.record = cls.fake.add(_person=cls.alex, _seconds=5400, _notes="Kick-off")

        cls.admin_user = new_test_user(
            cls.env,
            login="tbb_tour_admin",
            name="Tour Admin",
            groups="base.group_user,base.group_system,"
            "time_billing_bridge.group_time_billing_manager",
        )
        client = cls.env["res.partner"].create(
            {"name": "Tour Client", "is_company": True}
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Website Redesign", "partner_id": client.id}
        )
        cls.task = cls.env["project.task"].create(
            {
                "name": cls.fake.projects[0].tasks[0].name,
                "project_id": cls.project.id,
            }
        )
        cls.sam, cls.robin = cls.env["hr.employee"].create(
            [
                {"name": "Sam Senior", "work_email": "sam@example.com"},
                # Alex's employee record bears another name and address.
                {"name": "Robin Contractor", "work_email": "robin@bridge.example"},
            ]
        )

    def test_admin_connects_backend_and_maps_person(self):
        self.start_tour(
            f"/odoo?tbb_api_url={quote(self.fake.url, safe='')}",
            "time_billing_admin_connects_backend",
            login=self.admin_user.login,
            timeout=180,
        )

        backend = self.env["time.billing.backend"].search(
            [("name", "=", "Harvest Bridge Consulting")]
        )
        self.assertEqual(len(backend), 1)
        self.assertEqual(
            (backend.provider, backend.api_url, backend.account_ref),
            ("harvest", self.fake.url, "7654321"),
        )
        self.assertEqual(backend.sudo().api_token, "tour-harvest-token")
        # Check Connection and Sync Now reached the fake.
        self.assertTrue(self.fake.requests_to("/users/me"))
        self.assertTrue(self.fake.requests_to("/time_entries"))
        # Sync Now imported Sam's entry and held Alex's back; mapping him
        # re-processed it in a review run.
        runs = backend.sync_run_ids.sorted("id")
        self.assertEqual(
            [(r.trigger, r.state, r.created_count, r.error_count) for r in runs],
            [("manual", "partial", 1, 1), ("review", "done", 1, 0)],
        )

        # The mapping keys on Harvest's user id, which survives a new e-mail.
        mapping = backend.mapping_ids
        self.assertEqual(len(mapping), 1)
        self.assertEqual(
            (mapping.kind, mapping.external_ref, mapping.employee_id),
            ("user", str(self.alex.id), self.robin),
        )

        entry = backend.entry_ids.filtered(
            lambda e: e.external_id == str(self.record["id"])
        )
        self.assertEqual(entry.state, "imported")
        self.assertFalse(entry.exception_reason)
        line = entry.timesheet_id
        self.assertEqual(
            (line.employee_id, line.project_id, line.task_id, line.unit_amount),
            (self.robin, self.project, self.task, 1.5),
        )
        self.assertEqual(
            self.env["account.analytic.line"].search_count(
                [("employee_id", "=", self.robin.id)]
            ),
            1,
        )
        self.assertEqual(backend.exception_count, 0)
        self.assertEqual(len(backend.entry_ids.timesheet_id), 2)
