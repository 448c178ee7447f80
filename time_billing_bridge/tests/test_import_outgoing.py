# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing calls of the backends: which API URLs they accept on save and at
call time, the system parameters that tune the calls, and secrets kept out
of runs, chatter, activities and logs."""

import base64
import logging
from urllib.parse import quote_plus

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..const import PARAM_ALLOW_HTTP, PARAM_ALLOW_PRIVATE
from .common_import import FakeAdapter
from .fakes import FakeToggl
from .test_import_sync_http import FAILURE_ACTIVITY, HttpSyncCase

LOGGER = "odoo.addons.time_billing_bridge"
# A token with characters that URL-encoding and base64 both change.
TOKEN = "s3cret/Tok+en=42&key"


def token_forms(token):
    """The token as a request carries it: plain, in a query string, and in
    Toggl's HTTP Basic credentials."""
    return {
        "plain": token,
        "query": quote_plus(token),
        "basic": base64.b64encode(f"{token}:api_token".encode()).decode(),
        "base64": base64.b64encode(token.encode()).decode(),
    }


def echo_body(token):
    """An error page that quotes the request back, secrets included."""
    forms = token_forms(token)
    return (
        f"Refused: GET /api/v9/me?api_token={forms['query']}&t=1 "
        f"with Authorization: Basic {forms['basic']} (raw {forms['plain']}, "
        f"{forms['base64']})"
    ).encode()


@tagged("post_install", "-at_install")
class TestApiUrlOnBackends(HttpSyncCase):
    fake_class = FakeToggl
    provider = "toggl"
    source_project = "Project A"

    def forbid(self, *params):
        for param in params:
            self.env["ir.config_parameter"].set_param(param, "0")

    def test_http_and_private_hosts_are_refused_on_save(self):
        self.forbid(PARAM_ALLOW_HTTP, PARAM_ALLOW_PRIVATE)
        cases = [
            ("http://93.184.216.34/api", PARAM_ALLOW_HTTP),
            (self.fake.url, PARAM_ALLOW_HTTP),
            ("https://127.0.0.1:8443/api", PARAM_ALLOW_PRIVATE),
            ("https://10.2.3.4/api", PARAM_ALLOW_PRIVATE),
            ("https://169.254.169.254/latest", PARAM_ALLOW_PRIVATE),
            ("https://[::1]/api", PARAM_ALLOW_PRIVATE),
            ("https://localhost/api", PARAM_ALLOW_PRIVATE),
        ]
        Backend = self.env["time.billing.backend"]
        for url, param in cases:
            with self.subTest(url=url):
                with self.assertRaises(ValidationError) as caught:
                    Backend.create(
                        {"name": f"New {url}", "provider": "toggl", "api_url": url}
                    )
                message = str(caught.exception)
                self.assertIn("The API URL of backend New", message)
                self.assertIn(param, message)
                with self.assertRaisesRegex(ValidationError, param):
                    self.backend.api_url = url
        # The providers' public APIs pass; so does a file backend.
        backend = Backend.create({"name": "Public", "provider": "clockify"})
        self.assertEqual(backend.api_url, "https://api.clockify.me/api/v1")
        Backend.create({"name": "Files", "provider": "csv"})

    def test_allowed_by_the_system_parameters(self):
        for value in ("1", "True", "yes"):
            self.env["ir.config_parameter"].set_param(PARAM_ALLOW_HTTP, value)
            self.env["ir.config_parameter"].set_param(PARAM_ALLOW_PRIVATE, value)
            self.backend.api_url = "http://10.2.3.4/api"
            self.backend.api_url = self.fake.url

    def test_refused_at_call_time_once_the_parameters_are_removed(self):
        """Saved while allowed, refused when called: nothing is sent."""
        self.fake.add()
        self.forbid(PARAM_ALLOW_PRIVATE)
        with self.assertRaisesRegex(UserError, PARAM_ALLOW_PRIVATE):
            self.backend.action_check_connection()
        run = self.sync()
        self.assertEqual(run.state, "failed")
        self.assertIn(PARAM_ALLOW_PRIVATE, run.message)
        self.forbid(PARAM_ALLOW_HTTP)
        run = self.sync()
        self.assertIn(PARAM_ALLOW_HTTP, run.message)
        self.assertEqual(self.fake.requests, [])

    def test_system_parameters_reach_the_adapter(self):
        params = self.env["ir.config_parameter"]
        config = self.backend.sudo()._get_adapter_config()
        self.assertEqual((config.deadline, config.max_response_bytes), (120, 2**25))
        self.assertTrue(config.allow_http and config.allow_private_hosts)
        params.set_param("time_billing_bridge.http_deadline", "7.5")
        params.set_param("time_billing_bridge.http_max_response_bytes", "1234")
        self.forbid(PARAM_ALLOW_HTTP)
        config = self.backend.sudo()._get_adapter_config()
        self.assertEqual((config.deadline, config.max_response_bytes), (7.5, 1234))
        self.assertFalse(config.allow_http)
        # Unreadable or non-positive values fall back to the defaults.
        params.set_param("time_billing_bridge.http_deadline", "soon")
        params.set_param("time_billing_bridge.http_max_response_bytes", "-1")
        config = self.backend.sudo()._get_adapter_config()
        self.assertEqual((config.deadline, config.max_response_bytes), (120, 2**25))


@tagged("post_install", "-at_install")
class TestSecretsStayHidden(HttpSyncCase):
    """Errors that quote the request never bring the token into a run
    message, the backend's error, its chatter and activity, or a log line."""

    fake_class = FakeToggl
    provider = "toggl"
    source_project = "Project A"

    def setUp(self):
        super().setUp()
        self.fake.token = TOKEN
        self.backend.api_token = TOKEN
        self.fake.add()

    def assert_hidden(self, *texts):
        for name, form in token_forms(TOKEN).items():
            for text in texts:
                self.assertNotIn(form, text or "", f"{name} form of the token")

    def shown(self, run):
        """Everything a person or an administrator can read after ``run``."""
        backend = self.backend.sudo()
        return [
            run.message,
            backend.last_error,
            repr(backend),
            repr(backend._get_adapter_config()),
            *backend.message_ids.mapped("body"),
            *backend.activity_ids.mapped("note"),
        ]

    def sync_logged(self):
        with self.assertLogs(LOGGER, logging.DEBUG) as logs:
            run = self.sync()
        return run, "\n".join(logs.output)

    def test_the_echo_really_carries_every_form(self):
        body = echo_body(TOKEN).decode()
        for form in token_forms(TOKEN).values():
            self.assertIn(form, body)
        self.assertEqual(len(set(token_forms(TOKEN).values())), 4)

    def test_refused_credentials_echoed_back(self):
        self.fake.fail_next(403, times=5, body=echo_body(TOKEN))
        run, logs = self.sync_logged()
        self.assertEqual(run.state, "failed")
        self.assertIn("Toggl Track refused the API token", run.message)
        self.assertIn("Refused: GET /api/v9/me?api_token=***", run.message)
        self.assertTrue(self.backend.activity_search([FAILURE_ACTIVITY]))
        self.assert_hidden(logs, *self.shown(run))

    def test_server_error_echoed_back(self):
        self.fake.fail_next(500, times=5, body=echo_body(TOKEN))
        run, logs = self.sync_logged()
        self.assertEqual(run.state, "failed")
        self.assertIn("HTTP 500", run.message)
        self.assertIn("Refused: GET /api/v9/me?api_token=***", run.message)
        self.assert_hidden(logs, *self.shown(run))

    def test_quota_message_echoed_back(self):
        self.fake.fail_next(402, body=echo_body(TOKEN))
        run, logs = self.sync_logged()
        self.assertEqual(run.state, "partial")
        self.assertIn("Refused: GET", run.message)
        self.assert_hidden(logs, *self.shown(run))

    def test_unexpected_error_quoting_the_request(self):
        """An exception whose text carries headers and a URL with the token
        (as some client libraries write them) reaches the log with its
        traceback, the run and the chatter without it."""
        self.use_adapter(
            FakeAdapter(
                pages=[None], failures={0: RuntimeError(echo_body(TOKEN).decode())}
            )
        )
        run, logs = self.sync_logged()
        self.assertEqual(run.state, "failed")
        self.assertIn("unexpected error", run.message)
        self.assertIn("Traceback", logs)
        self.assertIn("RuntimeError: Refused", logs)
        self.assert_hidden(logs, *self.shown(run))

    def test_check_connection_error(self):
        self.fake.fail_next(403, body=echo_body(TOKEN))
        with self.assertRaises(UserError) as caught:
            self.backend.action_check_connection()
        self.assertIn("api_token=***", str(caught.exception))
        self.assert_hidden(str(caught.exception))
