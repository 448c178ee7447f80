# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A Tempo worklog names only its Jira issue: the issue's project is read
from Jira, once per issue in a run, unless the issue is mapped to a task."""

from datetime import date, datetime, timezone

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_providers import ProviderCase
from .fakes import FakeJira, FakeTempo
from .test_import_source_approval_tempo import TempoSyncCase

UTC = timezone.utc


@tagged("post_install", "-at_install")
class TestTempoJiraProjects(ProviderCase):
    provider = "tempo"

    def setUp(self):
        super().setUp()
        self.tempo = self.start(FakeTempo())
        self.jira = self.start(FakeJira())
        self.tempo.build_world(users=2, projects=2, tasks=1)
        for index, project in enumerate(self.tempo.projects):
            issue = project.tasks[0]
            self.jira.add_issue(
                issue.id, f"BRG-{index + 1}", f"P{index + 1}", project.name
            )
        self.records = [
            self.tempo.add(_project=project, _started=datetime(2026, 3, d, tzinfo=UTC))
            for project in self.tempo.projects
            for d in (2, 3, 4)
        ]

    def read_worklogs(self, settings=None, **jira):
        settings = settings or self.jira.adapter_settings()
        adapter = self.make_adapter(self.tempo, **{**settings, **jira})
        # Jira's own client: back-off waits recorded, not slept.
        adapter.jira.http._sleep = self.sleeps.append
        self.jira.reset_log()
        return self.collect(adapter.iter_pages())

    def test_project_of_each_issue_asked_once(self):
        pages, entries, errors = self.read_worklogs()
        self.assertEqual(errors, [])
        self.assertEqual(len(entries), 6)
        by_issue = {e.task_ref: e for e in entries}
        first = by_issue[str(self.tempo.projects[0].tasks[0].id)]
        self.assertEqual(
            (first.project_ref, first.project_code, first.project_name),
            ("P1", "P1", self.tempo.projects[0].name),
        )
        self.assertEqual(first.task_name, "BRG-1")
        calls = self.jira.requests
        self.assertEqual(len(calls), 2)  # two issues, six worklogs
        self.assertEqual(calls[0].params["fields"], "project")
        self.assertTrue(calls[0].header("Authorization").startswith("Basic "))
        self.assertEqual([n for p in pages for n in p.notes], [])

    def test_issues_mapped_to_tasks_are_not_asked(self):
        mapped = str(self.tempo.projects[0].tasks[0].id)
        adapter = self.make_adapter(
            self.tempo,
            **self.jira.adapter_settings(),
            options={"mapped_issue_refs": [mapped]},
        )
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(self.jira.requests), 1)
        for entry in entries:
            self.assertEqual(entry.project_ref == "", entry.task_ref == mapped)

    def test_without_jira_settings_nothing_is_asked(self):
        _pages, entries, _errors = self.read_worklogs(linked_url="")
        self.assertEqual(self.jira.requests, [])
        self.assertTrue(all(e.project_ref == "" for e in entries))

    def test_refused_credentials_keep_the_worklogs(self):
        pages, entries, errors = self.read_worklogs(linked_token="wrong")
        self.assertEqual((len(entries), errors), (6, []))
        self.assertTrue(all(e.project_ref == "" for e in entries))
        self.assertEqual(len(self.jira.requests), 1)  # then no more questions
        notes = [n for p in pages for n in p.notes]
        self.assertEqual(len(notes), 1)
        self.assertIn("Jira refused the e-mail and API token", notes[0])
        self.assertNotIn("wrong", notes[0])
        self.jira.forbid = True
        pages, entries, _errors = self.read_worklogs()
        self.assertIn("HTTP 403", [n for p in pages for n in p.notes][0])

    def test_unknown_issue_keeps_no_project(self):
        del self.jira.issues[str(self.tempo.projects[1].tasks[0].id)]
        pages, entries, _errors = self.read_worklogs()
        known = [e for e in entries if e.project_ref]
        self.assertEqual(len(known), 3)
        self.assertEqual(len(self.jira.requests), 2)
        self.assertEqual([n for p in pages for n in p.notes], [])

    def test_rate_limit_is_retried_then_given_up(self):
        self.jira.fail_next(429, headers={"Retry-After": "1"})
        _pages, entries, _errors = self.read_worklogs()
        self.assertTrue(all(e.project_ref for e in entries))
        self.assertEqual(self.sleeps, [1.0])
        self.jira.fail_next(429, times=10, headers={"Retry-After": "1"})
        pages, entries, _errors = self.read_worklogs()
        self.assertEqual(len(entries), 6)
        self.assertTrue(all(e.project_ref == "" for e in entries))
        self.assertIn("rate-limiting", [n for p in pages for n in p.notes][0])

    def test_unreachable_site_keeps_the_worklogs(self):
        settings = self.jira.adapter_settings()
        self.jira.stop()
        pages, entries, _errors = self.read_worklogs(settings)
        self.assertEqual(len(entries), 6)
        self.assertIn("Jira could not be asked", [n for p in pages for n in p.notes][0])


@tagged("post_install", "-at_install")
class TestTempoJiraSync(TempoSyncCase):
    def setUp(self):
        super().setUp()
        self.jira = FakeJira().start()
        self.addCleanup(self.jira.stop)
        # The Jira project's key is the Odoo project's code.
        self.other_issue = "29999"
        self.jira.add_issue(
            self.other_issue, "OPS-7", self.project_a.account_id.code, "Operations"
        )
        self.backend.write(
            {
                "jira_site_url": self.jira.url,
                "jira_user_email": self.jira.email,
                "jira_api_token": self.jira.token,
                "default_project_id": self.project_b.id,
                # An issue mapped to no task is billed on its project alone.
                "import_without_task": True,
            }
        )

    def add_unmapped(self):
        record = self.add_worklog()
        self.fake.edit(
            record["tempoWorklogId"],
            issue={"self": "x", "id": int(self.other_issue)},
        )
        return record

    def test_unmapped_issue_goes_to_its_jira_project(self):
        mapped = self.add_worklog(date(2026, 3, 3))
        record = self.add_unmapped()
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        entry = self.entry(record["tempoWorklogId"])
        self.assertEqual(entry.state, "imported", entry.exception_reason)
        self.assertEqual(entry.timesheet_id.project_id, self.project_a)
        self.assertEqual(entry.external_project_name, "Operations")
        self.assertEqual(entry.external_task_name, "OPS-7")
        # The mapped issue's task decides its project; Jira is not asked.
        line = self.entry(mapped["tempoWorklogId"]).timesheet_id
        self.assertEqual(line.task_id, self.task)
        self.assertEqual(
            [r.path for r in self.jira.requests], ["/rest/api/3/issue/29999"]
        )

    def test_refusing_jira_falls_back_to_the_default_project(self):
        self.backend.write(
            {"jira_api_token": "revoked", "default_project_id": self.project_a.id}
        )
        record = self.add_unmapped()
        run = self.sync()
        entry = self.entry(record["tempoWorklogId"])
        self.assertEqual(entry.state, "imported", entry.exception_reason)
        self.assertEqual(entry.timesheet_id.project_id, self.project_a)
        self.assertFalse(entry.external_project_name)
        self.assertIn("Jira refused", run.message or "")
        self.assertNotIn("revoked", run.message or "")

    def test_jira_token_is_for_managers_only(self):
        as_user = self.backend.with_user(self.billing_user)
        self.assertTrue(as_user.jira_site_url)
        with self.assertRaises(AccessError):
            _token = as_user.jira_api_token
        self.assertEqual(
            self.backend._redact_secrets(f"token {self.jira.token}"), "token ***"
        )
