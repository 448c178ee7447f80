# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_webhooks import CONTROLLER_LOGGER, WebhookCommon


@tagged("post_install", "-at_install")
class TestClockifyWebhooks(WebhookCommon):
    # -- Clockify ---------------------------------------------------------------

    def test_clockify_token(self):
        record = self.clockify.add(_seconds=2700)
        payload, headers = self.clockify.webhook_event(
            record["id"], event="NEW_TIME_ENTRY"
        )
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 200, response.text)
        entry = self._entries(self.clockify_backend)
        self.assertEqual(entry.external_id, str(record["id"]))
        self.assertEqual(entry.state, "imported", entry.exception_reason)
        self.assertEqual(entry.timesheet_id.unit_amount, 0.75)
        self.assertEqual(self._runs(self.clockify_backend).trigger, "webhook")

        # The same entry deleted: another event type, so not a duplicate.
        payload, headers = self.clockify.webhook_event(
            record["id"], event="TIME_ENTRY_DELETED"
        )
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "processed")
        self.assertEqual(entry.state, "deleted")

    @mute_logger(CONTROLLER_LOGGER)
    def test_clockify_wrong_token(self):
        record = self.clockify.add()
        payload, headers = self.clockify.webhook_event(record["id"])
        headers["Clockify-Signature"] = "guessed-token"
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 401)
        self._assert_nothing_written(self.clockify_backend)

    def test_clockify_one_token_per_webhook(self):
        # Clockify gives each webhook its own token: the backend holds several.
        self.clockify_backend.webhook_secret = (
            f"token-of-the-new-entries-webhook {self.clockify.webhook_secret}"
        )
        record = self.clockify.add()
        payload, headers = self.clockify.webhook_event(record["id"])
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self._entries(self.clockify_backend)), 1)

    def test_a_clockify_deletion_of_approved_time_waits_for_a_person(self):
        # Whoever holds a Clockify webhook's token can send any event: a
        # deletion of approved time is a conflict, never a silent removal.
        record = self.clockify.add(_seconds=3600)
        payload, headers = self.clockify.webhook_event(
            record["id"], event="NEW_TIME_ENTRY"
        )
        self._post(self.clockify_backend, payload, headers)
        entry = self._entries(self.clockify_backend)
        line = entry.timesheet_id
        self._set_billing_state(line, "approved")
        payload, headers = self.clockify.webhook_event(
            record["id"], event="TIME_ENTRY_DELETED"
        )
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((entry.state, entry.conflict_type), ("conflict", "delete"))
        self.assertTrue(line.exists())
        self.assertEqual(line.billing_state, "approved")
