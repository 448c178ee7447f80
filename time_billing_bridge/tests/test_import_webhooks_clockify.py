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

        # The same entry deleted at the source: Clockify confirms it is gone.
        self.clockify.reset_log()
        payload, headers = self.clockify.webhook_event(
            record["id"], event="TIME_ENTRY_DELETED"
        )
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "processed")
        self.assertEqual(entry.state, "deleted")
        self.assertEqual(
            len(self.clockify.requests_to(f"/time-entries/{record['id']}", "GET")), 1
        )
        # The deletion delivered again changes nothing.
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.json()["status"], "duplicate")

    def test_a_replay_under_another_event_name_is_the_same_delivery(self):
        # The event type travels in a header the token does not sign.
        record = self.clockify.add(_seconds=1800)
        payload, headers = self.clockify.webhook_event(
            record["id"], event="NEW_TIME_ENTRY"
        )
        self.assertEqual(
            self._post(self.clockify_backend, payload, headers).json()["status"],
            "processed",
        )
        for event in ("TIME_ENTRY_UPDATED", "TIMER_STOPPED", "time_entry_updated"):
            headers["Clockify-Webhook-Event-Type"] = event
            response = self._post(self.clockify_backend, payload, headers)
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(response.json()["status"], "duplicate", event)
        self.assertEqual(len(self._runs(self.clockify_backend)), 1)
        self.assertEqual(len(self._events(self.clockify_backend)), 1)

    @mute_logger("odoo.addons.time_billing_bridge.models.time_billing_webhook_event")
    def test_a_forged_deletion_of_time_still_at_the_source_deletes_nothing(self):
        # Whoever holds the token replays a creation as a deletion.
        record = self.clockify.add(_seconds=1800)
        payload, headers = self.clockify.webhook_event(
            record["id"], event="NEW_TIME_ENTRY"
        )
        self._post(self.clockify_backend, payload, headers)
        entry = self._entries(self.clockify_backend)
        line = entry.timesheet_id
        headers["Clockify-Webhook-Event-Type"] = "TIME_ENTRY_DELETED"
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "ignored")
        self.assertEqual(entry.state, "imported")
        self.assertTrue(line.exists())
        self.assertEqual(line.unit_amount, 0.5)
        forged = self._events(self.clockify_backend)[:1]
        self.assertEqual(forged.state, "ignored")
        self.assertIn(str(record["id"]), forged.message)
        self.assertIn("still at the source", forged.message)

    @mute_logger("odoo.addons.time_billing_bridge.models.time_billing_webhook_event")
    def test_a_deletion_the_source_cannot_confirm_is_delivered_again(self):
        record = self.clockify.add(_seconds=1800)
        payload, headers = self.clockify.webhook_event(
            record["id"], event="NEW_TIME_ENTRY"
        )
        self._post(self.clockify_backend, payload, headers)
        entry = self._entries(self.clockify_backend)
        payload, headers = self.clockify.webhook_event(
            record["id"], event="TIME_ENTRY_DELETED"
        )
        self.clockify.fail_next(503, times=2)
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.status_code, 503, response.text)
        self.assertEqual(response.json()["error"], "source_unavailable")
        self.assertEqual(entry.state, "imported")
        self.assertEqual(len(self._events(self.clockify_backend)), 1)
        # Clockify delivers it again once the source answers: applied.
        response = self._post(self.clockify_backend, payload, headers)
        self.assertEqual(response.json()["status"], "processed")
        self.assertEqual(entry.state, "deleted")
        self.assertFalse(entry.timesheet_id)

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
