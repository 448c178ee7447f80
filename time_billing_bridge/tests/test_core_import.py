# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The pure helpers of the importer, without database."""

from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..importer import matching, staging
from .common_import import make_entry


@tagged("post_install", "-at_install")
class TestStagingHelpers(BaseCase):
    def test_payload_text_is_stable(self):
        first = staging.payload_text({"b": 1, "a": {"y": 2, "x": date(2026, 3, 2)}})
        second = staging.payload_text({"a": {"x": "2026-03-02", "y": 2}, "b": 1})
        self.assertEqual(first, '{"a": {"x": "2026-03-02", "y": 2}, "b": 1}')
        self.assertEqual(first, second)
        self.assertEqual(staging.payload_hash(first), staging.payload_hash(second))
        self.assertNotEqual(
            staging.payload_hash(first),
            staging.payload_hash(staging.payload_text({"b": 2})),
        )

    def test_phone_numbers_are_normalised_to_e164(self):
        self.assertEqual(staging.normalise_phone("0470/12.34.56", "be"), "+32470123456")
        self.assertEqual(
            staging.normalise_phone("+32 470 12 34 56", None), "+32470123456"
        )
        self.assertEqual(
            staging.normalise_phone("(415) 555-0134", "US"), "+14155550134"
        )
        self.assertEqual(staging.normalise_phone("not a phone", "BE"), "")
        self.assertEqual(staging.normalise_phone("0470 12 34 56", None), "")
        self.assertEqual(staging.normalise_phone("", "BE"), "")

    def test_keys_ignore_case_and_spacing(self):
        self.assertEqual(staging.normalise_key("  Jane   ROE "), "jane roe")
        self.assertEqual(staging.normalise_key(None), "")

    def test_advisory_keys_are_signed_64_bit_and_stable(self):
        key = staging.advisory_lock_key("time.billing.entry", 3, "1234")
        self.assertEqual(
            key, staging.advisory_lock_key("time.billing.entry", 3, "1234")
        )
        self.assertNotEqual(
            key, staging.advisory_lock_key("time.billing.entry", 4, "1234")
        )
        self.assertTrue(-(2**63) <= key < 2**63)

    def test_entry_locks_are_bounded_per_backend(self):
        ids = [f"row-{index}" for index in range(5000)]
        keys = staging.entry_lock_keys(3, ids)
        self.assertEqual(len(keys), staging.ENTRY_LOCK_BUCKETS)
        self.assertEqual(keys, sorted(keys))
        # One id always takes a lock of the big set, never one of another backend.
        self.assertIn(staging.entry_lock_keys(3, ["row-42"])[0], keys)
        self.assertNotIn(staging.entry_lock_keys(4, ["row-42"])[0], keys)

    def test_staged_values_rebuild_the_entry(self):
        entry = make_entry(
            "77",
            client_phone="+3212345678",
            billable=False,
            is_locked=True,
            updated_at=datetime(2026, 3, 2, 18, 30),
        )
        vals = staging.staging_values(entry)
        self.assertEqual(vals["billable_at_source"], "non_billable")
        self.assertEqual(vals["external_user_email"], "sam@example.com")
        self.assertIs(vals["external_task_ref"], False)
        through_json = staging.staging_from_json(staging.staging_to_json(vals))
        self.assertEqual(through_json, vals)
        rebuilt = staging.entry_from_staging("77", through_json, raw=entry.raw)
        self.assertEqual(rebuilt, entry)


@tagged("post_install", "-at_install")
class TestMatchingRules(BaseCase):
    def lookups(self, **values):
        lookups = matching.Lookups()
        for name, value in values.items():
            current = getattr(lookups, name)
            if isinstance(current, dict):
                current.update(value)
            else:
                setattr(lookups, name, value)
        return lookups

    def test_mapping_beats_email_beats_name(self):
        lookups = self.lookups(
            employees_by_email={"sam@example.com": {1}},
            employees_by_name={"sam senior": {2}},
            projects_by_name={"project a": {10}},
        )
        entry = make_entry(1)
        self.assertEqual(matching.resolve(lookups, entry).employee_id, 1)
        by_name = make_entry(2, user_email="other@example.com")
        self.assertEqual(matching.resolve(lookups, by_name).employee_id, 2)
        lookups.mappings[("user", "sam@example.com")] = 3
        self.assertEqual(matching.resolve(lookups, entry).employee_id, 3)

    def test_ambiguous_email_falls_back_to_a_unique_name(self):
        lookups = self.lookups(
            employees_by_email={"sam@example.com": {1, 2}},
            employees_by_name={"sam senior": {2}},
            projects_by_name={"project a": {10}},
        )
        resolution = matching.resolve(lookups, make_entry(1))
        self.assertEqual(resolution.employee_id, 2)
        self.assertEqual(resolution.problems, [])
        lookups.employees_by_name["sam senior"] = {1, 2}
        resolution = matching.resolve(lookups, make_entry(1))
        self.assertEqual(resolution.employee_id, 0)
        self.assertEqual(
            [(p.code, p.kind, p.count) for p in resolution.problems],
            [("ambiguous", "user", 2)],
        )

    def test_task_mapping_applies_within_its_project_only(self):
        lookups = self.lookups(
            employees_by_email={"sam@example.com": {1}},
            projects_by_name={"project a": {10}},
            mappings={("task", "t-1"): 100},
            task_projects={100: 11},
            tasks_by_name={(10, "design"): {101}},
        )
        entry = make_entry(1, task_ref="t-1", task_name="Design")
        self.assertEqual(matching.resolve(lookups, entry).task_id, 101)
        lookups.task_projects[100] = 10
        self.assertEqual(matching.resolve(lookups, entry).task_id, 100)

    def test_problems_name_what_to_map(self):
        resolution = matching.resolve(
            matching.Lookups(),
            make_entry(
                1, date=None, hours=-1.0, task_name="Design", client_name="Acme"
            ),
        )
        self.assertEqual(
            [(p.code, p.kind) for p in resolution.problems],
            [
                ("no_date", ""),
                ("negative_hours", ""),
                ("unknown", "user"),
                ("unknown", "project"),
                ("unknown", "client"),
            ],
        )
        self.assertEqual(resolution.kinds, ["user", "project", "client"])
        user_problem = resolution.problems[2]
        self.assertEqual(
            (user_problem.label, user_problem.name), ("sam@example.com", "Sam Senior")
        )
        self.assertEqual(matching.mapping_reference("user", make_entry(1)), "u-sam")
        self.assertEqual(
            matching.mapping_reference("user", make_entry(1, user_ref="")),
            "sam@example.com",
        )
