# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Base of the deletion check tests: what every source without a deletion
feed passes, through the real adapter over HTTP against its local fake."""

import dataclasses
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from ..providers import get_adapter_class
from .common_import import ImportCommon
from .common_providers import LocalFakes

CONFLICT_REASON = (
    "Deleted at the source, but its timesheet line is approved: accept the "
    "deletion or keep the line"
)


def _days_ago(days):
    """9:00 UTC, ``days`` ago: the same date in every fake person's zone."""
    return datetime.now(UTC).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) - timedelta(days=days)


class DeletionCheckCase(LocalFakes, ImportCommon):
    """The checks every provider passes; each provider's class runs them
    (Odoo's loader runs only the tests a class defines unless told)."""

    allow_inherited_tests_method = True
    fake_class = None
    provider = ""

    def setUp(self):
        super().setUp()
        self.fake = self.fake_class()
        self.fake.start()
        self.addCleanup(self.fake.stop)
        self.fake.build_world(users=2, projects=1, clients=1, tasks=1)
        self.backend.write(
            {
                "provider": self.provider,
                "api_url": self.fake.url,
                "api_token": self.fake.token,
                "account_ref": self.fake.account_id,
                "default_project_id": self.project_a.id,
            }
        )
        project = self.fake.projects[0]
        people = self.fake.people
        self.env["time.billing.mapping"].create(
            [
                {
                    "backend_id": self.backend.id,
                    "kind": "user",
                    "external_ref": str(people[0].id),
                    "employee_id": self.employee_senior.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "user",
                    "external_ref": str(people[1].id),
                    "employee_id": self.employee_junior.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "project",
                    "external_ref": str(project.id),
                    "project_id": self.project_a.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "task",
                    "external_ref": str(project.tasks[0].id),
                    "task_id": self.task_a.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "client",
                    "external_ref": str(project.client.id),
                    "partner_id": self.client_a.id,
                },
            ]
        )
        # Small pages, and no waiting between retries.
        backend_class = type(self.env["time.billing.backend"])
        config = backend_class._get_adapter_config
        self.patch(
            backend_class,
            "_get_adapter_config",
            lambda backend: dataclasses.replace(
                config(backend), page_size=2, retry_backoff=0.0, max_retries=1
            ),
        )

    def external_id(self, record):
        """The id the adapter gives the entry of the fake's ``record``."""
        return self.fake.record_id(record)

    def add(self, days, person=0):
        return self.fake.add(
            _started=_days_ago(days), _person=self.fake.people[person], _seconds=3600
        )

    def line(self, record):
        return self.entry(self.external_id(record)).timesheet_id

    def check_due(self):
        """Make the next synchronisation check for deleted time."""
        self.backend.deletion_check_date = False
        self.env.flush_all()

    def test_open_line_removed_approved_line_conflict_window_kept(self):
        self.assertTrue(self.backend.checks_deletions)
        self.assertEqual(self.backend.deletion_check_days, 60)
        open_one, approved, kept = self.add(2), self.add(3, person=1), self.add(4)
        inside, outside = self.add(59), self.add(62)
        run = self.sync()
        self.assertEqual((run.state, run.created_count), ("done", 5), run.message)
        self.assertIn("0 of 4 entries gone at the source", run.message)
        self.assertTrue(self.backend.deletion_check_date)
        approved_line = self.line(approved)
        self._set_billing_state(approved_line, "approved")
        open_line = self.line(open_one)
        for record in (open_one, approved, inside, outside):
            self.fake.delete(self.fake.record_id(record))
        self.check_due()

        run = self.sync()
        # A conflict to review: the run has something to fix.
        self.assertEqual(run.state, "partial", run.message)
        # The open line is gone, like a deletion the source reports.
        self.assertFalse(open_line.exists())
        self.assertEqual(self.entry(self.external_id(open_one)).state, "deleted")
        self.assertEqual(self.entry(self.external_id(inside)).state, "deleted")
        # The approved line stays, and waits as a conflict to review.
        conflict = self.entry(self.external_id(approved))
        self.assertEqual(conflict.state, "conflict")
        self.assertEqual(conflict.conflict_type, "delete")
        self.assertEqual(conflict.exception_reason, CONFLICT_REASON)
        self.assertEqual(approved_line.billing_state, "approved")
        # Outside the window: not checked, still imported.
        self.assertEqual(self.entry(self.external_id(outside)).state, "imported")
        self.assertTrue(self.line(outside))
        self.assertEqual(self.entry(self.external_id(kept)).state, "imported")
        self.assertEqual((run.deleted_count, run.error_count), (2, 1))
        self.assertIn(
            "3 of 4 entries gone at the source; lines removed: 2, kept as "
            "conflicts to review: 1",
            run.message,
        )
        # The conflict is not counted again by the next check.
        self.check_due()
        run = self.sync()
        self.assertIn("0 of 1 entries gone at the source", run.message)

    def test_failed_listing_deletes_nothing(self):
        records = [self.add(days, person=days % 2) for days in range(2, 8)]
        self.sync()
        line = self.line(records[0])
        self.fake.delete(self.fake.record_id(records[0]))
        self.check_due()
        adapter_class = get_adapter_class(self.provider)
        list_present = adapter_class.list_present

        def failing(adapter, first_day, last_day):
            # The listing's first answer arrives, then the source fails.
            self.fake.pass_next(1)
            self.fake.fail_next(503, times=5)
            return list_present(adapter, first_day, last_day)

        with patch.object(adapter_class, "list_present", failing):
            run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertIn("Deleted time not checked", run.message)
        self.assertTrue(line.exists())
        self.assertEqual(self.entry(self.external_id(records[0])).state, "imported")
        self.assertFalse(self.backend.deletion_check_date)
        # Tried again by the next synchronisation.
        self.fake.clear_faults()
        run = self.sync()
        self.assertFalse(line.exists())
        self.assertEqual(run.deleted_count, 1, run.message)


class PersonByPersonChecks:
    """Checks of the sources that list time person by person (Clockify,
    ClickUp): mixed into their DeletionCheckCase."""

    def test_a_person_the_listing_no_longer_covers_is_left_alone(self):
        mine, theirs = self.add(2), self.add(3, person=1)
        self.sync()
        # The second person leaves the workspace: the source no longer lists
        # their entries, which are not gone for all that.
        self.fake.people.pop(1)
        self.fake.delete(mine["id"])
        self.check_due()
        run = self.sync()
        self.assertIn("1 of 1 entries gone at the source", run.message)
        self.assertEqual(self.entry(mine["id"]).state, "deleted")
        self.assertEqual(self.entry(theirs["id"]).state, "imported")
