# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..providers.base import EntryError, Page
from .common_import import FakeAdapter, ImportCommon, make_entry


@tagged("post_install", "-at_install")
class TestImportReadable(ImportCommon):
    """Imports a person can read: run states and titles, exceptions grouped by
    kind, entry titles, conflicts side by side, the mapping wizard."""

    def test_a_run_with_entries_to_fix_is_partially_done(self):
        self.use_adapter(
            FakeAdapter(
                pages=[
                    Page(
                        entries=[
                            make_entry("ok-1"),
                            make_entry(
                                "who-1", user_ref="u-x", user_email="", user_name="Xi"
                            ),
                        ]
                    )
                ]
            )
        )
        run = self.sync()
        self.assertEqual(
            (run.state, run.created_count, run.error_count), ("partial", 1, 1)
        )
        self.assertTrue(run.date_end)
        # It went to its end: the next synchronisation starts after it.
        self.assertTrue(self.backend.last_sync_date)
        self.assertFalse(self.backend.sync_resume_run_id)
        self.assertFalse(self.backend.last_error)
        # The same data again: nothing new, the exception still waits.
        again = self.sync()
        self.assertEqual((again.state, again.error_count), ("done", 0))

    def test_a_page_without_problems_is_done_and_a_review_that_fixes_all_too(self):
        _counts, run = self.process(
            make_entry("who-2", user_ref="u-y", user_email="", user_name="Yu")
        )
        run._finish()
        self.assertEqual(run.state, "partial")
        entry = self.entry("who-2")
        self.env["time.billing.mapping"].create(
            {
                "backend_id": self.backend.id,
                "kind": "user",
                "external_ref": "u-y",
                "employee_id": self.employee_senior.id,
            }
        )
        self.assertEqual(entry.state, "imported")
        self.assertFalse(entry.exception_kind)
        review = entry.sync_run_id
        self.assertEqual((review.trigger, review.state), ("review", "done"))
        # A run stopped by the source keeps "failed".
        failed = self.start_run()
        failed._finish("failed")
        self.assertEqual(failed.state, "failed")

    def test_exceptions_group_by_kind_not_by_line(self):
        self.process(
            make_entry("p1", user_ref="u-1", user_email="", user_name="Ann One"),
            make_entry("p2", user_ref="u-2", user_email="", user_name="Bob Two"),
            make_entry("p3", user_ref="u-3", user_email="", user_name="Cy Three"),
            make_entry("j1", project_ref="p-z", project_name="Zeta"),
            make_entry("d1", date=None),
            make_entry("t1", is_running=True),
            errors=[
                EntryError(
                    message="Line 4: date '31/02'", line_number=4, kind="bad_date"
                ),
                EntryError(
                    message="Harvest sent an entry that cannot be read", raw={"x": 1}
                ),
            ],
        )
        groups = dict(
            self.Entry._read_group(
                [("backend_id", "=", self.backend.id), ("state", "=", "exception")],
                ["exception_kind"],
                ["__count"],
            )
        )
        self.assertEqual(
            groups,
            {
                "unknown_person": 3,
                "unknown_project": 1,
                "bad_date": 2,
                "timer_running": 1,
                "unreadable_row": 1,
            },
        )
        # Their reasons stay specific to each entry.
        self.assertEqual(
            len(
                set(
                    self.Entry.search(
                        [("exception_kind", "=", "unknown_person")]
                    ).mapped("exception_reason")
                )
            ),
            3,
        )
        # The exceptions list opens grouped by that kind.
        action = self.env.ref("time_billing_bridge.time_billing_entry_exception_action")
        self.assertIn("'search_default_groupby_kind': 1", action.context)

    def test_conflict_and_deletion_kinds_and_their_clearing(self):
        self.process(make_entry("c1"), make_entry("c2"))
        first, second = self.entry("c1"), self.entry("c2")
        self._set_billing_state(first.timesheet_id | second.timesheet_id, "approved")
        self.process(make_entry("c1", hours=4.0), deleted_ids=["c2"])
        self.assertEqual(
            (first.exception_kind, second.exception_kind),
            ("source_changed", "source_deleted"),
        )
        first.action_dismiss_source()
        self.assertEqual((first.state, first.exception_kind), ("imported", False))

    def test_titles_of_runs_and_entries(self):
        self.env.user.tz = "Europe/Brussels"
        run = self.start_run()
        run.sudo().date_start = datetime(2026, 3, 2, 13, 5)
        self.assertEqual(
            run.display_name, "Harvest (import test) · 03/02/2026 02:05 PM"
        )
        self.process(make_entry("title-1", hours=1.75))
        entry = self.entry("title-1")
        self.assertEqual(
            entry.display_name,
            "Harvest (import test) · Sam Senior · 03/02/2026 · 01:45",
        )
        # A person the source names by an ID only.
        self.process(
            make_entry("title-2", user_ref="9500005", user_email="", user_name="")
        )
        only_id = self.entry("title-2")
        self.assertEqual(
            only_id.display_name,
            "Harvest (import test) · id 9500005 · 03/02/2026 · 01:30",
        )
        self.assertEqual(only_id.source_user_label, "id 9500005")
        self.assertEqual(entry.source_user_label, "Sam Senior (sam@example.com)")
        self.assertEqual(entry.source_project_label, "Project A (id p-a)")
        # A row the source could not give a person or date for: its line.
        self.process(errors=[EntryError(message="Line 9: ?", line_number=9, kind="")])
        unreadable = self.Entry.search([("line_number", "=", 9)])
        self.assertEqual(unreadable.display_name, "Harvest (import test) · line 9")

    def test_the_log_links_the_entries_it_names(self):
        _counts, run = self.process(
            make_entry("log-1", user_ref="u-q", user_email="", user_name="Quinn <Q>")
        )
        entry = self.entry("log-1")
        self.assertIn("Entry log-1: Unknown user", run.message)
        html = str(run.message_html)
        self.assertIn(f'href="/odoo/time.billing.entry/{entry.id}"', html)
        self.assertIn("Quinn &lt;Q&gt; · 03/02/2026 · 01:30</a>", html)
        self.assertNotIn("<Q>", html)

    def test_conflict_shows_both_versions_with_differences_marked(self):
        self.process(make_entry("side-1", description="Design review"))
        entry = self.entry("side-1")
        self._set_billing_state(entry.timesheet_id, "approved")
        self.process(make_entry("side-1", hours=4.0, description="Design <review>"))
        self.assertEqual(entry.state, "conflict")
        rows = {label: rest for label, *rest in entry._get_conflict_rows()}
        self.assertEqual(rows["Hours"], ["01:30", "04:00", True])
        self.assertEqual(rows["Date"], ["03/02/2026", "03/02/2026", False])
        self.assertEqual(rows["Person"], ["Sam Senior", "Sam Senior", False])
        self.assertEqual(
            rows["Description"], ["Design review", "Design <review>", True]
        )
        html = str(entry.conflict_html)
        self.assertIn("In Odoo", html)
        self.assertIn("At the Source Now", html)
        self.assertIn("Design &lt;review&gt;", html)
        self.assertEqual(html.count("table-warning"), 4)  # two rows, two cells each
        # A deletion: every row says so.
        self.process(deleted_ids=["side-1"])
        self.assertEqual(
            {source for _label, _odoo, source, _differs in entry._get_conflict_rows()},
            {"Deleted at the source"},
        )
        entry.action_dismiss_source()
        self.assertFalse(entry.conflict_html)

    def test_actions_fit_the_state(self):
        self.process(
            make_entry("act-1"),
            make_entry("act-2", user_ref="u-w", user_email="", user_name="Wu"),
        )
        imported, waiting = self.entry("act-1"), self.entry("act-2")
        with self.assertRaisesRegex(UserError, "Only entries in exception"):
            imported.action_reprocess()
        with self.assertRaisesRegex(UserError, "None of these entries is in conflict"):
            (imported | waiting).action_dismiss_source()
        with self.assertRaisesRegex(UserError, "None of these entries waits"):
            imported.action_open_map_wizard()
        self.process(errors=[EntryError(message="?", external_id="act-3")])
        unreadable = self.entry("act-3")
        with self.assertRaisesRegex(UserError, "cannot be read"):
            unreadable.action_reprocess()
        with self.assertRaisesRegex(UserError, "None of these entries waits"):
            unreadable.action_open_map_wizard()
        with self.assertRaisesRegex(UserError, "None of these entries is in conflict"):
            waiting.with_user(self.billing_manager).action_accept_source()

    def test_map_wizard_shows_the_name_next_to_the_id(self):
        self.process(
            make_entry("map-1", user_ref="4711", user_email="", user_name="Jane Doe")
        )
        entry = self.entry("map-1")
        action = entry.action_open_map_wizard()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(form.external_label, "Jane Doe (id 4711)")
        form.employee_id = self.employee_junior
        wizard = form.save()
        result = wizard.action_map()
        self.assertEqual(
            result["params"]["title"],
            f"Jane Doe (id 4711) mapped to {self.employee_junior.name}",
        )
        mapping = self.env["time.billing.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_ref", "=", "4711")]
        )
        self.assertEqual(mapping.display_name, "Jane Doe (id 4711)")
        self.assertEqual(entry.state, "imported")

    def test_map_wizard_maps_only_what_the_entries_wait_for(self):
        # Waiting on a user and a project: a task mapping would be keyed on
        # one of their references, and the entries would still wait. (With
        # one kind waiting, the form does not offer the choice.)
        unknown_user = {"user_ref": "u-k", "user_email": "", "user_name": "Kim"}
        self.process(
            make_entry("map-2", **unknown_user),
            make_entry("map-3", project_ref="p-q", project_name="Q", **unknown_user),
        )
        entries = self.entry("map-2") | self.entry("map-3")
        action = entries.action_open_map_wizard()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual((form.kind, form.available_kinds), ("user", "project,user"))
        form.kind = "task"
        form.task_id = self.task_a
        wizard = form.save()
        with self.assertRaisesRegex(
            UserError, "waits for a task mapping; they wait for: project, user"
        ):
            wizard.action_map()
        self.assertFalse(
            self.env["time.billing.mapping"].search(
                [("backend_id", "=", self.backend.id), ("kind", "=", "task")]
            )
        )
        self.assertEqual(set(entries.mapped("state")), {"exception"})
