# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Jira project of a Tempo worklog's issue.

A Tempo v4 worklog names only its Jira issue (``issue.id``). When the
backend knows the Jira site and a Jira user's e-mail and API token, the
issue's project is read from Jira Cloud (``GET /rest/api/3/issue/{id}
?fields=project``, HTTP Basic ``e-mail:API token``), once per issue in a
run, so that the worklog is mapped by its project like any other entry.

Jira is a help, never a condition: an issue Jira does not know (404) keeps
no project; credentials Jira refuses, a rate limit that outlives the
retries or an unreachable site stop the questions for the run, with a note
for the person reading the run. Either way the worklog is imported as
without Jira (its task's project, else the backend's default project, else
an exception).
"""

import dataclasses
from urllib.parse import quote

from requests.auth import HTTPBasicAuth

from ..exceptions import ProviderAuthError, ProviderError, ProviderNotFound
from .common import nested, ref, text
from .http import HttpClient

LABEL = "Jira"


class JiraIssues:
    """Issue -> project lookups of one run, cached (failures included)."""

    def __init__(self, config):
        self.config = config
        self._http = None
        self._projects = {}
        self.note = ""  # why Jira stopped being asked, for the run

    @property
    def enabled(self):
        config = self.config
        return (
            bool(config.linked_url and config.linked_user and config.linked_token)
            and not self.note
        )

    @property
    def http(self):
        if self._http is None:
            site = self.config.linked_url.strip().rstrip("/")
            # The Jira token is this client's secret: masked in its logs.
            config = dataclasses.replace(
                self.config, api_url=site, api_token=self.config.linked_token
            )
            self._http = HttpClient(
                config,
                LABEL,
                site,
                auth=HTTPBasicAuth(self.config.linked_user, self.config.linked_token),
                auth_message=(
                    "Jira refused the e-mail and API token of the backend: check "
                    "them (the token of an Atlassian account that can browse the "
                    "projects)"
                ),
            )
        return self._http

    def project(self, issue_id):
        """``{"key", "name", "issue_key"}`` of the issue's project, or None."""
        issue_id = ref(issue_id)
        if not issue_id or not self.enabled:
            return None
        if issue_id in self._projects:
            return self._projects[issue_id]
        found = None
        try:
            data, _response = self.http.get_json(
                f"rest/api/3/issue/{quote(issue_id, safe='')}", {"fields": "project"}
            )
            project = nested(data, "fields", "project") or {}
            key = text(project.get("key"))
            if key:
                found = {
                    "key": key,
                    "name": text(project.get("name")),
                    "issue_key": text(nested(data, "key")),
                }
        except ProviderNotFound:
            found = None
        except ProviderAuthError as err:
            self.note = (
                f"{err} The projects of the worklogs' Jira issues were not read: "
                f"the worklogs went to their task's project or the backend's "
                f"default project."
            )
        except ProviderError as err:
            self.note = (
                f"Jira could not be asked for the projects of the worklogs' issues "
                f"({err}): the worklogs went to their task's project or the "
                f"backend's default project."
            )
        self._projects[issue_id] = found
        return found

    def close(self):
        if self._http is not None:
            self._http.close()
            self._http = None
