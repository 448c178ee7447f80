# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..controllers import main as webhook_controller
from ..providers.webhooks import hmac_sha256_hex, sign_toggl
from .common import TimeBillingCommon

CONTROLLER_LOGGER = "odoo.addons.time_billing_bridge.controllers.main"


@tagged("post_install", "-at_install")
class TestWebhookLimits(TimeBillingCommon, HttpCase):
    """What the webhook endpoint does with calls that are not deliveries:
    bodies too large for it, and floods of forged calls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "In-house tool", "provider": "csv", "webhook_secret": "s3cret"}
        )
        cls.url = f"/time_billing_bridge/webhook/{cls.backend.id}"
        cls.toggl = cls.env["time.billing.backend"].create(
            {
                "name": "Toggl",
                "provider": "toggl",
                "api_url": "https://api.track.toggl.com/api/v9",
                "api_token": "token",
                "account_ref": "123",
                "webhook_secret": "toggl-secret",
            }
        )

    def setUp(self):
        super().setUp()
        webhook_controller._last_refusal_logs.clear()
        self.addCleanup(webhook_controller._last_refusal_logs.clear)

    def _nothing_written(self):
        for model in ("time.billing.webhook.event", "time.billing.sync.run"):
            self.assertFalse(
                self.env[model].search([("backend_id", "=", self.backend.id)])
            )

    @mute_logger(CONTROLLER_LOGGER)
    def test_a_form_too_large_is_refused_before_odoo_reads_it(self):
        self.env["ir.config_parameter"].set_param(
            "time_billing_bridge.webhook_max_bytes", "4096"
        )
        # A multipart form is parsed by Odoo before the endpoint runs: the
        # route's limit stops it there.
        response = self.url_open(
            self.url,
            files={"upload": ("big.bin", b"x" * 20000)},
            data={"field": "value"},
        )
        self.assertEqual(response.status_code, 413)
        response = self.url_open(
            self.url, data={"field": "y" * 20000}
        )  # url-encoded form
        self.assertEqual(response.status_code, 413)
        self._nothing_written()
        # A small form is read, and refused for its missing signature.
        response = self.url_open(self.url, data={"field": "value"})
        self.assertEqual(response.status_code, 401)
        self._nothing_written()

    def test_forged_calls_are_logged_once_a_minute(self):
        body = json.dumps({"entries": []}).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Timestamp": stamp,
            "X-Signature-256": "sha256="
            + hmac_sha256_hex("guessed", stamp.encode() + b"." + body),
        }
        with self.assertLogs(CONTROLLER_LOGGER, "WARNING") as logs:
            for _attempt in range(5):
                response = self.url_open(self.url, data=body, headers=headers)
                self.assertEqual(response.status_code, 401)
            # Another id is logged on its own.
            self.url_open(
                f"/time_billing_bridge/webhook/{self.backend.id + 1000}",
                data=body,
                headers=headers,
            )
        self.assertEqual(len(logs.records), 2, logs.output)
        self.assertIn("invalid signature", logs.output[0])
        self.assertIn("no active backend", logs.output[1])
        # After the interval, the next refusal says how many were not logged.
        backend_id = self.backend.id
        last, count = webhook_controller._last_refusal_logs[backend_id]
        webhook_controller._last_refusal_logs[backend_id] = (
            last - webhook_controller.REFUSAL_LOG_INTERVAL,
            count,
        )
        with self.assertLogs(CONTROLLER_LOGGER, "WARNING") as logs:
            self.url_open(self.url, data=body, headers=headers)
        self.assertIn("4 more refused", logs.output[0])
        self._nothing_written()

    @mute_logger(CONTROLLER_LOGGER)
    def test_a_timestamp_that_is_not_a_string_is_checked_all_the_same(self):
        url = f"/time_billing_bridge/webhook/{self.toggl.id}"

        def post(stamp):
            event = {
                "event_id": 42,
                "timestamp": stamp,
                "metadata": {"model": "time_entry", "action": "created"},
                "payload": "ping",
            }
            body = json.dumps(event).encode()
            return self.url_open(
                url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Webhook-Signature-256": sign_toggl("toggl-secret", body),
                },
            )

        # Signed, but not a moment at all: refused.
        refused = (400, {"error": "timestamp_out_of_window"})
        for stamp in ({"at": "now"}, ["now"], True, "soon", "nan", -5):
            response = post(stamp)
            self.assertEqual(
                (response.status_code, response.json()), refused, repr(stamp)
            )
        # From 1970 or 2001: late, not applied.
        for stamp in (1, 1_000_000_000.5):
            response = post(stamp)
            self.assertEqual(response.json(), {"status": "late"}, repr(stamp))
        self.assertFalse(
            self.env["time.billing.webhook.event"].search(
                [("backend_id", "=", self.toggl.id)]
            )
        )
        # UNIX seconds of now are a moment like any other.
        response = post(int(time.time()))
        self.assertEqual(response.status_code, 200, response.text)

    def _post_signed(self, body):
        stamp = str(int(time.time()))
        return self.url_open(
            self.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Timestamp": stamp,
                "X-Signature-256": "sha256="
                + hmac_sha256_hex("s3cret", stamp.encode() + b"." + body),
            },
        )

    def test_a_signed_but_hostile_payload_is_refused_or_kept_as_exceptions(self):
        good = {
            "external_id": "OK-1",
            "date": "2026-03-02",
            "hours": 1.5,
            "user_email": "sam@example.com",
            "project_name": "Project A",
        }
        hostile = [
            {**good, "external_id": "NAN", "hours": float("nan")},
            {**good, "external_id": "INF", "hours": float("inf")},
            {**good, "external_id": "HUGE", "hours": 1_000_000},
            {**good, "external_id": "NUL", "description": "a\x00b"},
            {**good, "external_id": "Y9999", "date": "9999-12-31"},
            {**good, "external_id": "NEG", "hours": -3},
        ]
        body = json.dumps({"entries": [good, *hostile]}).encode()
        response = self._post_signed(body)
        self.assertEqual(response.status_code, 200, response.text)
        entries = self.env["time.billing.entry"].search(
            [("backend_id", "=", self.backend.id)]
        )
        by_id = {entry.external_id: entry for entry in entries}
        # The valid entries are imported; a NUL character is dropped.
        self.assertEqual(by_id.pop("OK-1").state, "imported")
        nul = by_id.pop("NUL")
        self.assertEqual(nul.state, "imported", nul.exception_reason)
        self.assertEqual(nul.timesheet_id.name, "ab")
        # The others wait as exceptions that say what is wrong.
        expected = {
            "NAN": "hours nan is not a number",
            "INF": "hours inf is not a number",
            "HUGE": "1e+06 hours in one entry is more than a month of time",
            "Y9999": "the date 9999-12-31 is not a day time can be logged on",
            "NEG": "hours -3.0 is negative",
        }
        self.assertEqual(set(by_id), set(expected))
        for external_id, reason in expected.items():
            entry = by_id[external_id]
            self.assertEqual(entry.state, "exception", external_id)
            self.assertIn(reason, entry.exception_reason)
            self.assertFalse(entry.timesheet_id)

    @mute_logger(CONTROLLER_LOGGER)
    def test_too_many_entries_in_one_body_are_refused_whole(self):
        # 20,000 entries: more than one delivery may carry; importing them
        # would outlast the provider's patience.
        body = json.dumps(
            {"entries": [{"external_id": str(n)} for n in range(20000)]}
        ).encode()
        self.assertLess(len(body), 1024 * 1024)
        response = self._post_signed(body)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json(), {"error": "too_many_entries"})
        self._nothing_written()
        # The limit is a system parameter.
        self.env["ir.config_parameter"].set_param(
            "time_billing_bridge.webhook_max_entries", "20000"
        )
        small = json.dumps({"entries": [{"external_id": "1"}]}).encode()
        self.assertEqual(self._post_signed(small).status_code, 200)
