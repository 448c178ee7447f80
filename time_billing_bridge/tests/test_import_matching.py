# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).

from odoo.tests import Form, new_test_user, tagged

from .common_import import ImportCommon, make_entry


@tagged("post_install", "-at_install")
class TestImportMatching(ImportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project_a.account_id.code = "PA-01"
        cls.task_b = cls.env["project.task"].create(
            {"name": "Task A", "project_id": cls.project_b.id}
        )

    def test_user_by_email_then_by_name(self):
        self.process(
            # The e-mail wins over the name, whatever the case.
            make_entry(
                1, user_ref="x1", user_email="SAM@Example.com", user_name="Jo Junior"
            ),
            # No e-mail known: the name decides.
            make_entry(
                2,
                user_ref="x2",
                user_email="jo.private@example.org",
                user_name="jo  junior",
            ),
        )
        self.assertEqual(self.entry(1).timesheet_id.employee_id, self.employee_senior)
        self.assertEqual(self.entry(2).timesheet_id.employee_id, self.employee_junior)

    def test_user_by_linked_user_login(self):
        self.employee_junior.user_id = new_test_user(
            self.env, login="jo.login@example.com", email="jo.other@example.com"
        )
        self.process(
            make_entry(
                3,
                user_ref="x3",
                user_email="JO.LOGIN@example.com",
                user_name="Someone Else",
            )
        )
        self.assertEqual(self.entry(3).timesheet_id.employee_id, self.employee_junior)

    def test_explicit_mapping_wins(self):
        self.env["time.billing.mapping"].create(
            [
                {
                    "backend_id": self.backend.id,
                    "kind": "user",
                    "external_ref": "u-sam",
                    "employee_id": self.employee_junior.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "project",
                    "external_ref": "Project A",
                    "project_id": self.project_b.id,
                },
            ]
        )
        self.process(make_entry(4, project_code="", project_ref=""))
        line = self.entry(4).timesheet_id
        self.assertEqual(line.employee_id, self.employee_junior)
        self.assertEqual(line.project_id, self.project_b)

    def test_project_by_code_then_by_name(self):
        self.process(
            make_entry(
                5, project_ref="h-1", project_code="pa-01", project_name="Project B"
            ),
            make_entry(
                6, project_ref="h-2", project_code="ZZ-99", project_name="project b"
            ),
        )
        self.assertEqual(self.entry(5).timesheet_id.project_id, self.project_a)
        self.assertEqual(self.entry(6).timesheet_id.project_id, self.project_b)

    def test_task_by_name_within_its_project(self):
        self.process(
            make_entry(7, task_ref="t-1", task_name="task a"),
            make_entry(
                8,
                task_ref="t-1",
                task_name="Task A",
                project_ref="p-b",
                project_name="Project B",
            ),
            make_entry(9, task_ref="t-2", task_name="Onboarding"),
        )
        self.assertEqual(self.entry(7).timesheet_id.task_id, self.task_a)
        self.assertEqual(self.entry(8).timesheet_id.task_id, self.task_b)
        unknown = self.entry(9)
        self.assertEqual(unknown.state, "exception")
        self.assertEqual(
            unknown.exception_reason,
            "Unknown task 'Onboarding' in project Project A: map it to a task",
        )
        self.assertEqual(unknown.match_issues, "task")
        # A backend may import such time on the project instead.
        self.backend.import_without_task = True
        unknown.action_reprocess()
        self.assertEqual(unknown.state, "imported")
        self.assertEqual(unknown.timesheet_id.project_id, self.project_a)
        self.assertFalse(unknown.timesheet_id.task_id)

    def test_client_by_name_email_or_phone(self):
        self.company.country_id = self.env.ref("base.be")
        self.client_b.phone = "+32 470 12 34 56"
        self.assertEqual(self.client_b.phone_sanitized, "+32470123456")
        self.process(
            make_entry(
                10,
                client_ref="c-9",
                client_name="B Corp (old name)",
                client_phone="0470/12.34.56",
            ),
            make_entry(
                11,
                client_ref="c-8",
                client_name="Someone",
                client_email="A@CLIENT.example",
            ),
            make_entry(12, client_ref="c-7", client_name="client b"),
            make_entry(
                13,
                client_ref="c-6",
                client_name="Nobody Ltd",
                client_email="info@nobody.example",
            ),
        )
        self.assertEqual(self.entry(10).timesheet_id.partner_id, self.client_b)
        self.assertEqual(self.entry(11).timesheet_id.partner_id, self.client_a)
        self.assertEqual(self.entry(12).timesheet_id.partner_id, self.client_b)
        self.assertEqual(
            self.entry(13).exception_reason,
            "Unknown client 'Nobody Ltd': map it to a partner",
        )

    def test_unknown_user_waits_for_a_mapping(self):
        jane = {
            "user_ref": "u-jane",
            "user_email": "jane@x.com",
            "user_name": "Jane Roe",
        }
        counts, run = self.process(
            make_entry(20, **jane),
            make_entry(21, hours=2.0, **jane),
            make_entry(22, project_ref="p-z", project_name="Zeta", **jane),
        )
        self.assert_counts(counts, errors=3)
        waiting = self.entry(20)
        self.assertEqual(waiting.state, "exception")
        self.assertEqual(
            waiting.exception_reason,
            "Unknown user 'jane@x.com' (Jane Roe): map it to an employee",
        )
        self.assertEqual(waiting.match_issues, "user")
        self.assertEqual(
            self.entry(22).exception_reason,
            "Unknown user 'jane@x.com' (Jane Roe): map it to an employee\n"
            "Unknown project 'p-z' (Zeta): map it to a project",
        )
        self.assertIn(
            "Entry 20: Unknown user 'jane@x.com' (Jane Roe): map it to an employee",
            run.message,
        )
        # Same data again: still waiting, nothing written.
        with self.capture_queries() as queries:
            counts, _run = self.process(make_entry(20, **jane))
        self.assert_counts(counts, unchanged=1)
        self.assertEqual(self.writes_to(queries, "time_billing_entry"), [])

        # "Map to..." from the list: one mapping re-processes every entry
        # waiting on it.
        entries = self.entry(20) | self.entry(21) | self.entry(22)
        action = entries.with_user(self.billing_user).action_open_map_wizard()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.billing_user)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard_form.kind, "user")
        self.assertEqual(wizard_form.external_ref, "u-jane")
        self.assertEqual(wizard_form.external_name, "Jane Roe")
        wizard_form.employee_id = self.employee_junior
        result = wizard_form.save().action_map()
        self.assertEqual(result["params"]["message"], "2 imported, 1 still waiting.")
        mapping = self.env["time.billing.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_ref", "=", "u-jane")]
        )
        self.assertEqual(mapping.employee_id, self.employee_junior)
        self.assertEqual(mapping.kind, "user")
        for external_id, hours in ((20, 1.5), (21, 2.0)):
            entry = self.entry(external_id)
            self.assertEqual(entry.state, "imported")
            self.assertEqual(entry.timesheet_id.employee_id, self.employee_junior)
            self.assertEqual(entry.timesheet_id.unit_amount, hours)
        still = self.entry(22)
        self.assertEqual(still.state, "exception")
        self.assertEqual(
            still.exception_reason, "Unknown project 'p-z' (Zeta): map it to a project"
        )
        self.assertEqual(still.match_issues, "project")
        # The next mapping, made in Settings, picks the last one up too.
        self.env["time.billing.mapping"].with_user(self.billing_user).create(
            {
                "backend_id": self.backend.id,
                "kind": "project",
                "external_ref": "P-Z",
                "project_id": self.project_b.id,
            }
        )
        self.assertEqual(still.state, "imported")
        self.assertEqual(still.timesheet_id.project_id, self.project_b)

    def test_ambiguous_and_missing_users(self):
        self.env["hr.employee"].create({"name": "Sam Senior"})
        self.process(
            make_entry(30, user_ref="", user_email="", user_name="Sam Senior"),
            make_entry(31, user_ref="", user_email="", user_name=""),
        )
        self.assertEqual(
            self.entry(30).exception_reason,
            "User 'Sam Senior' matches 2 employees: map it to one of them",
        )
        self.assertEqual(
            self.entry(31).exception_reason,
            "The source gives no user for this entry",
        )

    def test_a_source_naming_only_the_task_bills_the_mapped_tasks_project(self):
        # Tempo: a worklog names its Jira issue, no project.
        self.env["time.billing.mapping"].create(
            {
                "backend_id": self.backend.id,
                "kind": "task",
                "external_ref": "10042",
                "task_id": self.task_b.id,
            }
        )
        issue_only = {"project_ref": "", "project_name": "", "task_name": ""}
        self.process(
            make_entry(50, task_ref="10042", **issue_only),
            make_entry(51, task_ref="10077", **issue_only),
        )
        line = self.entry(50).timesheet_id
        self.assertEqual((line.project_id, line.task_id), (self.project_b, self.task_b))
        self.assertEqual(self.entry(51).state, "exception")
        self.assertIn("project", self.entry(51).exception_reason)
        # The mapped task's project comes before the backend's default one.
        self.backend.default_project_id = self.project_a
        self.process(
            make_entry(52, task_ref="10042", **issue_only),
            make_entry(53, task_ref="10077", **issue_only),
        )
        self.assertEqual(self.entry(52).timesheet_id.task_id, self.task_b)
        # An unmapped issue in the default project waits for its task.
        self.assertEqual(self.entry(53).match_issues, "task")
        self.assertIn("in project Project A", self.entry(53).exception_reason)

    def test_default_project_of_the_backend(self):
        self.process(make_entry(40, project_ref="p-q", project_name="Unknown Q"))
        self.assertEqual(self.entry(40).state, "exception")
        self.backend.default_project_id = self.project_b
        self.entry(40).action_reprocess()
        self.assertEqual(self.entry(40).timesheet_id.project_id, self.project_b)


@tagged("post_install", "-at_install")
class TestImportMultiCompany(ImportCommon):
    def test_backend_of_company_b_creates_lines_in_company_b(self):
        # Same e-mail and project name in both companies: the backend's
        # company decides.
        company_b, sam_b, project_b, backend_b = self.setup_company_b("import", "7")
        self.env.user.company_ids |= company_b
        counts, run = self.process(make_entry(1), backend=backend_b)
        self.assert_counts(counts, created=1)
        line = self.entry(1, backend=backend_b).timesheet_id
        self.assertEqual(line.company_id, company_b)
        self.assertEqual(line.employee_id, sam_b)
        self.assertEqual(line.project_id, project_b)
        self.assertEqual(run.company_id, company_b)
        # The same id from the main company's backend is another entry.
        self.process(make_entry(1))
        main_line = self.entry(1).timesheet_id
        self.assertEqual(main_line.company_id, self.company)
        self.assertEqual(main_line.employee_id, self.employee_senior)
