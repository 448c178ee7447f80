# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Jira Cloud site: ``GET /rest/api/3/issue/{issueIdOrKey}`` (with
``fields=project``) for the issues of a :class:`~.tempo.FakeTempo`.

Auth: HTTP Basic ``e-mail:API token`` (401 otherwise; ``forbid = True``
answers 403, like an account that may not browse the projects). An issue
the site does not hold answers 404 with Jira's error body.
"""

import base64

from .base import FakeServer, json_response


class FakeJira(FakeServer):
    label = "Jira"
    api_root = ""

    def __init__(self, email="jira@example.com", token="jira-token", **kw):
        super().__init__(token=token, **kw)
        self.email = email
        self.forbid = False
        # issue id -> (issue key, project key, project name)
        self.issues = {}

    def add_issue(self, issue_id, key, project_key, project_name):
        self.issues[str(issue_id)] = (key, project_key, project_name)

    def adapter_settings(self, **overrides):
        """``linked_*`` settings of a Tempo adapter that asks this site."""
        return {
            "linked_url": self.url,
            "linked_user": self.email,
            "linked_token": self.token,
            **overrides,
        }

    def error_body(self, status):
        return json_response(
            {"errorMessages": [f"Request failed with status {status}"], "errors": {}},
            status,
        )

    def check_auth(self, request):
        expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        if request.header("Authorization") != f"Basic {expected}":
            return json_response(
                {"errorMessages": ["Client must be authenticated"], "errors": {}}, 401
            )
        if self.forbid:
            return json_response(
                {"errorMessages": ["You do not have permission"], "errors": {}}, 403
            )
        return None

    def route(self, request):
        prefix = "/rest/api/3/issue/"
        if request.method != "GET" or not request.path.startswith(prefix):
            return self.not_found(request)
        wanted = request.path[len(prefix) :]
        for issue_id, (key, project_key, project_name) in self.issues.items():
            if wanted in (issue_id, key):
                return json_response(
                    {
                        "id": issue_id,
                        "key": key,
                        "self": f"{self.url}{prefix}{issue_id}",
                        "fields": {
                            "project": {
                                "id": str(10_000 + len(project_key)),
                                "key": project_key,
                                "name": project_name,
                                "self": f"{self.url}/rest/api/3/project/{project_key}",
                            }
                        },
                    }
                )
        return self.not_found(request)

    def not_found(self, request):
        return json_response(
            {
                "errorMessages": [
                    "Issue does not exist or you do not have permission to see it."
                ],
                "errors": {},
            },
            404,
        )
