# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import time

from odoo.tests import HttpCase

from ..providers.webhooks import hmac_sha256_hex, sign_toggl
from .common import TimeBillingCommon
from .fakes import FakeClockify, FakeToggl

CONTROLLER_LOGGER = "odoo.addons.time_billing_bridge.controllers.main"
EVENT_LOGGER = "odoo.addons.time_billing_bridge.models.time_billing_webhook_event"


def iso(moment):
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class WebhookCommon(TimeBillingCommon, HttpCase):
    """Fake Toggl and Clockify servers with mapped people, project and task,
    backends for them and a generic HMAC backend, and helpers to call the
    webhook endpoint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Imported time stays open (waiting for the end of its grace period):
        # the source may still change or delete it.
        cls.contract_a.auto_approve_delay = 30
        cls.toggl = FakeToggl().start()
        cls.addClassCleanup(cls.toggl.stop)
        cls.toggl.build_world(users=2, projects=1, tasks=1)
        cls.clockify = FakeClockify().start()
        cls.addClassCleanup(cls.clockify.stop)
        cls.clockify.build_world(users=2, projects=1, tasks=1)
        Backend = cls.env["time.billing.backend"]
        cls.toggl_backend = Backend.create(
            cls._backend_vals(cls.toggl, "toggl", "Toggl (webhook)")
        )
        cls.clockify_backend = Backend.create(
            cls._backend_vals(cls.clockify, "clockify", "Clockify (webhook)")
        )
        cls.generic_backend = Backend.create(
            {
                "name": "In-house tool",
                "provider": "csv",
                "webhook_secret": "generic-secret",
            }
        )
        for backend, fake in (
            (cls.toggl_backend, cls.toggl),
            (cls.clockify_backend, cls.clockify),
        ):
            cls._map_world(backend, fake)

    def setUp(self):
        super().setUp()
        # The fake servers live for the class; each test starts with no entry.
        for fake in (self.toggl, self.clockify):
            fake.records.clear()
            fake.reset_log()

    @classmethod
    def _backend_vals(cls, fake, provider, name):
        return {
            "name": name,
            "provider": provider,
            "api_url": fake.url,
            "api_token": fake.token,
            "account_ref": fake.account_id,
            "webhook_secret": fake.webhook_secret,
        }

    @classmethod
    def _map_world(cls, backend, fake):
        """Map the fake's people, project and task to the test records."""
        project = fake.projects[0]
        cls.env["time.billing.mapping"].create(
            [
                {
                    "backend_id": backend.id,
                    "kind": "user",
                    "external_ref": str(fake.people[0].id),
                    "employee_id": cls.employee_senior.id,
                },
                {
                    "backend_id": backend.id,
                    "kind": "user",
                    "external_ref": str(fake.people[1].id),
                    "employee_id": cls.employee_junior.id,
                },
                {
                    "backend_id": backend.id,
                    "kind": "project",
                    "external_ref": str(project.id),
                    "project_id": cls.project_a.id,
                },
                {
                    "backend_id": backend.id,
                    "kind": "task",
                    "external_ref": str(project.tasks[0].id),
                    "task_id": cls.task_a.id,
                },
                {
                    "backend_id": backend.id,
                    "kind": "client",
                    "external_ref": str(project.client.id),
                    "partner_id": cls.client_a.id,
                },
            ]
        )

    # -- helpers --------------------------------------------------------------

    def _url(self, backend_or_id):
        backend_id = getattr(backend_or_id, "id", backend_or_id)
        return f"/time_billing_bridge/webhook/{backend_id}"

    def _post(self, backend, body, headers=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        return self.url_open(
            self._url(backend),
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def _post_toggl(self, event, secret=None):
        body = json.dumps(event).encode()
        signature = sign_toggl(secret or self.toggl.webhook_secret, body)
        return self._post(
            self.toggl_backend, body, {"X-Webhook-Signature-256": signature}
        )

    def _toggl_event(self, record, action="created", **changes):
        event = self.toggl.webhook_event(record["id"], action=action)
        event.update(changes)
        return event

    def _post_generic(self, payload, secret="generic-secret", timestamp=None):
        body = json.dumps(payload).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = hmac_sha256_hex(secret, timestamp.encode() + b"." + body)
        return self._post(
            self.generic_backend,
            body,
            {"X-Timestamp": timestamp, "X-Signature-256": f"sha256={signature}"},
        )

    def _entries(self, backend):
        return self.env["time.billing.entry"].search([("backend_id", "=", backend.id)])

    def _events(self, backend):
        return self.env["time.billing.webhook.event"].search(
            [("backend_id", "=", backend.id)]
        )

    def _runs(self, backend):
        return self.env["time.billing.sync.run"].search(
            [("backend_id", "=", backend.id)]
        )

    def _assert_nothing_written(self, backend):
        self.assertFalse(self._entries(backend))
        self.assertFalse(self._events(backend))
        self.assertFalse(self._runs(backend))
