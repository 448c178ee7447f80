# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import time
from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..providers.webhooks import hmac_sha256_hex, sign_toggl
from .common_webhooks import CONTROLLER_LOGGER, EVENT_LOGGER, WebhookCommon
from .common_webhooks import iso as _iso


@tagged("post_install", "-at_install")
class TestWebhooks(WebhookCommon):
    # -- Toggl ------------------------------------------------------------------

    def test_toggl_event_imports_like_polling(self):
        record = self.toggl.add(
            _started=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc),
            _seconds=5400,
            _notes="Drafted the brief",
        )
        response = self._post_toggl(self._toggl_event(record))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "processed")

        entry = self._entries(self.toggl_backend)
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.external_id, str(record["id"]))
        self.assertEqual(entry.state, "imported")
        run = self._runs(self.toggl_backend)
        self.assertEqual(run.trigger, "webhook")
        self.assertEqual(run.created_count, 1)
        self.assertEqual(self._events(self.toggl_backend).sync_run_id, run)

        # The same entry fetched by polling gives the same timesheet line.
        # Toggl's reports name the client, which its webhook payload does not:
        # the client must exist for the polled entry.
        self.env["res.partner"].create({"name": self.toggl.projects[0].client.name})
        polled_backend = self.env["time.billing.backend"].create(
            self._backend_vals(self.toggl, "toggl", "Toggl (polling)")
        )
        self._map_world(polled_backend, self.toggl)
        # What action_sync() does, without its commit after each page.
        run = polled_backend._start_sync_run("manual")
        for page in polled_backend._get_adapter().iter_pages():
            polled_backend._process_page(page, run)
        run._finish()
        polled = self._entries(polled_backend)
        self.assertEqual(polled.external_id, entry.external_id)
        self.assertEqual(polled.state, "imported", polled.exception_reason)
        fnames = [
            "date",
            "unit_amount",
            "name",
            "employee_id",
            "project_id",
            "task_id",
        ]
        self.assertEqual(
            entry.timesheet_id.read(fnames)[0] | {"id": 0},
            polled.timesheet_id.read(fnames)[0] | {"id": 0},
        )
        self.assertEqual(entry.timesheet_id.unit_amount, 1.5)
        self.assertEqual(entry.timesheet_id.employee_id, self.employee_senior)

    def test_toggl_update_and_delete_events(self):
        record = self.toggl.add(_seconds=3600)
        self.assertEqual(self._post_toggl(self._toggl_event(record)).status_code, 200)
        line = self._entries(self.toggl_backend).timesheet_id
        self.assertEqual(line.unit_amount, 1.0)

        self.toggl.edit(record["id"], duration=7200)
        response = self._post_toggl(self._toggl_event(record, action="updated"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(line.unit_amount, 2.0)

        response = self._post_toggl(self._toggl_event(record, action="deleted"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self._entries(self.toggl_backend).state, "deleted")
        self.assertEqual(len(self._runs(self.toggl_backend)), 3)

    def test_toggl_validation_handshake(self):
        ping = self.toggl.ping_event(validation_code="c0ffee42")
        ping["timestamp"] = _iso(datetime.now(timezone.utc))
        response = self._post_toggl(ping)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"validation_code": "c0ffee42"})
        self._assert_nothing_written(self.toggl_backend)

    def test_toggl_ping_without_validation_is_ignored(self):
        ping = self.toggl.ping_event()
        del ping["validation_code"]
        ping["timestamp"] = _iso(datetime.now(timezone.utc))
        response = self._post_toggl(ping)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ignored"})
        self.assertFalse(self._runs(self.toggl_backend))
        self.assertEqual(self._events(self.toggl_backend).state, "ignored")

    @mute_logger(CONTROLLER_LOGGER)
    def test_toggl_wrong_signature_writes_nothing(self):
        record = self.toggl.add()
        event = self._toggl_event(record)
        response = self._post_toggl(event, secret="not-the-secret")
        self.assertEqual(response.status_code, 401)
        # Nothing about why: no hint for someone probing the endpoint.
        self.assertEqual(response.json(), {"error": "invalid_signature"})
        self._assert_nothing_written(self.toggl_backend)

        # Missing header.
        response = self._post(self.toggl_backend, event)
        self.assertEqual(response.status_code, 401)
        self._assert_nothing_written(self.toggl_backend)

    @mute_logger(CONTROLLER_LOGGER)
    def test_toggl_tampered_body_is_refused(self):
        record = self.toggl.add(_seconds=3600)
        body = json.dumps(self._toggl_event(record)).encode()
        signature = sign_toggl(self.toggl.webhook_secret, body)
        tampered = body.replace(b'"duration": 3600', b'"duration": 36000')
        self.assertNotEqual(tampered, body)
        response = self._post(
            self.toggl_backend, tampered, {"X-Webhook-Signature-256": signature}
        )
        self.assertEqual(response.status_code, 401)
        self._assert_nothing_written(self.toggl_backend)

    def test_toggl_replayed_event_is_a_no_op(self):
        record = self.toggl.add()
        event = self._toggl_event(record)
        first = self._post_toggl(event)
        self.assertEqual(first.json()["status"], "processed")
        line = self._entries(self.toggl_backend).timesheet_id
        second = self._post_toggl(event)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json(), {"status": "duplicate"})
        self.assertEqual(len(self._runs(self.toggl_backend)), 1)
        self.assertEqual(len(self._events(self.toggl_backend)), 1)
        self.assertEqual(self._entries(self.toggl_backend).timesheet_id, line)

    @mute_logger(CONTROLLER_LOGGER)
    def test_toggl_late_delivery_is_left_to_the_next_synchronisation(self):
        record = self.toggl.add()
        self.toggl_backend.write(
            {"sync_interval_minutes": 60, "next_sync_date": "2099-01-01 00:00:00"}
        )
        old = datetime.now(timezone.utc) - timedelta(minutes=10)
        event = self._toggl_event(record, timestamp=_iso(old))
        # Redelivered after an outage (or replayed): the provider may stop
        # retrying, nothing is applied, and the backend synchronises now.
        response = self._post_toggl(event)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"status": "late"})
        self._assert_nothing_written(self.toggl_backend)
        self.assertLessEqual(self.toggl_backend.next_sync_date, fields.Datetime.now())
        # A backend that does not poll asks for a Sync Now in its chatter.
        self.toggl_backend.sync_interval_minutes = 0
        self._post_toggl(event)
        self.assertIn(
            "arrived too late to be applied", self.toggl_backend.message_ids[0].body
        )
        # A moment in the future is refused.
        ahead = datetime.now(timezone.utc) + timedelta(minutes=10)
        response = self._post_toggl(self._toggl_event(record, timestamp=_iso(ahead)))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"error": "timestamp_out_of_window"})
        self._assert_nothing_written(self.toggl_backend)

        # A wider window (system parameter) accepts the late one.
        self.env["ir.config_parameter"].set_param(
            "time_billing_bridge.webhook_replay_window", "900"
        )
        response = self._post_toggl(event)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "processed")
        self.assertEqual(len(self._entries(self.toggl_backend)), 1)

    @mute_logger(CONTROLLER_LOGGER)
    def test_oversized_body_is_refused(self):
        self.env["ir.config_parameter"].set_param(
            "time_billing_bridge.webhook_max_bytes", "2048"
        )
        record = self.toggl.add(_notes="x" * 4096)
        response = self._post_toggl(self._toggl_event(record))
        self.assertEqual(response.status_code, 413)
        self._assert_nothing_written(self.toggl_backend)

    def test_body_of_unknown_length_is_refused(self):
        record = self.toggl.add()
        body = json.dumps(self._toggl_event(record)).encode()
        response = self.url_open(
            self._url(self.toggl_backend),
            data=iter([body]),  # sent chunked, without Content-Length
            headers={
                "Content-Type": "application/json",
                "X-Webhook-Signature-256": sign_toggl(self.toggl.webhook_secret, body),
            },
        )
        self.assertEqual(response.status_code, 411)
        self._assert_nothing_written(self.toggl_backend)

    @mute_logger(CONTROLLER_LOGGER)
    def test_malformed_json_is_refused(self):
        body = b'{"event_id": 1, "payload": '
        signature = sign_toggl(self.toggl.webhook_secret, body)
        response = self._post(
            self.toggl_backend, body, {"X-Webhook-Signature-256": signature}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"error": "malformed_json"})
        self._assert_nothing_written(self.toggl_backend)

    @mute_logger(CONTROLLER_LOGGER)
    def test_unknown_inactive_or_unconfigured_backend_answers_as_a_bad_signature(
        self,
    ):
        record = self.toggl.add()
        event = self._toggl_event(record)
        body = json.dumps(event).encode()
        headers = {
            "X-Webhook-Signature-256": sign_toggl(self.toggl.webhook_secret, body)
        }
        forged = {"X-Webhook-Signature-256": sign_toggl("guessed", body)}
        # What a forged call to a real backend gets back...
        answer = self._post(self.toggl_backend, body, forged)
        expected = (answer.status_code, answer.json())
        self.assertEqual(expected, (401, {"error": "invalid_signature"}))
        # ... is what any call gets where no backend takes webhooks: ids
        # cannot be told apart from outside.
        missing_id = self.env["time.billing.backend"].search([], order="id desc")[0]
        answer = self._post(missing_id.id + 1000, body, headers)
        self.assertEqual((answer.status_code, answer.json()), expected)
        self.toggl_backend.active = False
        answer = self._post(self.toggl_backend, body, headers)
        self.assertEqual((answer.status_code, answer.json()), expected)
        self.toggl_backend.active = True
        self.toggl_backend.webhook_secret = False
        answer = self._post(self.toggl_backend, body, headers)
        self.assertEqual((answer.status_code, answer.json()), expected)
        self._assert_nothing_written(self.toggl_backend)

    def test_get_is_not_allowed(self):
        response = self.url_open(self._url(self.toggl_backend))
        self.assertEqual(response.status_code, 405)

    # -- generic HMAC -----------------------------------------------------------

    def test_generic_hmac(self):
        payload = {
            "entries": [
                {
                    "external_id": "T-1",
                    "date": "2026-03-02",
                    "hours": 2.25,
                    "description": "Board meeting",
                    "user_email": "sam@example.com",
                    "project_name": "Project A",
                },
                {"external_id": "T-2", "date": "not a date", "hours": 1},
            ]
        }
        # One timestamp for both calls, so that the replay is the same call
        # even when the two land in different seconds.
        sent_at = int(time.time())
        response = self._post_generic(payload, timestamp=sent_at)
        self.assertEqual(response.status_code, 200, response.text)
        entries = self._entries(self.generic_backend)
        good = entries.filtered(lambda e: e.external_id == "T-1")
        self.assertEqual(good.state, "imported")
        self.assertEqual(good.timesheet_id.unit_amount, 2.25)
        self.assertEqual(good.timesheet_id.employee_id, self.employee_senior)
        self.assertEqual(good.timesheet_id.project_id, self.project_a)
        # The unreadable entry is kept as an exception, with the reason.
        bad = entries.filtered(lambda e: e.external_id == "T-2")
        self.assertEqual(bad.state, "exception")
        self.assertIn("not a date", bad.exception_reason)

        # Same call again: a no-op.
        self.assertEqual(
            self._post_generic(payload, timestamp=sent_at).json(),
            {"status": "duplicate"},
        )
        self.assertEqual(len(self._runs(self.generic_backend)), 1)

    @mute_logger(CONTROLLER_LOGGER)
    def test_generic_hmac_refusals(self):
        payload = {"external_id": "T-9", "date": "2026-03-02", "hours": 1}
        # Wrong secret.
        self.assertEqual(self._post_generic(payload, secret="nope").status_code, 401)
        # Signed an hour ago: late, not applied.
        old = int(time.time()) - 3600
        response = self._post_generic(payload, timestamp=old)
        self.assertEqual(response.json(), {"status": "late"})
        # Signed an hour ahead: refused.
        response = self._post_generic(payload, timestamp=old + 7200)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"error": "timestamp_out_of_window"})
        # No timestamp at all.
        body = json.dumps(payload).encode()
        response = self._post(
            self.generic_backend,
            body,
            {"X-Signature-256": "sha256=" + hmac_sha256_hex("generic-secret", body)},
        )
        self.assertEqual(response.status_code, 401)
        self._assert_nothing_written(self.generic_backend)

    @mute_logger(EVENT_LOGGER)
    def test_generic_unreadable_payload_is_kept(self):
        response = self._post_generic({"entries": "not a list"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"error": "unreadable_payload"})
        event = self._events(self.generic_backend)
        self.assertEqual(event.state, "failed")
        self.assertIn("'entries' must be a list", event.message)
        self.assertIn("not a list", event.payload)
        self.assertFalse(self._entries(self.generic_backend))

    # -- housekeeping -----------------------------------------------------------

    def test_autovacuum_forgets_expired_events(self):
        Event = self.env["time.billing.webhook.event"]
        now = fields.Datetime.now()
        expired, recent = Event.create(
            [
                {
                    "backend_id": self.generic_backend.id,
                    "digest": "a" * 64,
                    "expire_date": now - timedelta(minutes=1),
                },
                {
                    "backend_id": self.generic_backend.id,
                    "digest": "b" * 64,
                    "expire_date": now + timedelta(minutes=1),
                },
            ]
        )
        # Expired, and older than the retention period (30 days by default).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE time_billing_webhook_event SET create_date = %s WHERE id = %s",
                now - timedelta(days=31),
                expired.id,
            )
        )
        Event._gc_expired_events()
        self.assertFalse(expired.exists())
        self.assertTrue(recent.exists())

    def test_webhook_url_and_secret_generation(self):
        backend = self.generic_backend
        self.assertTrue(
            backend.webhook_url.endswith(f"/time_billing_bridge/webhook/{backend.id}")
        )
        backend.action_generate_webhook_secret()
        first = backend.webhook_secret
        backend.action_generate_webhook_secret()
        self.assertGreaterEqual(len(first), 32)
        self.assertNotEqual(backend.webhook_secret, first)
