# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import requests

from odoo.tests import tagged

from .common_providers import ProviderCase
from .fakes import FakeClockify, FakeHarvest, FakeTempo, FakeToggl


@tagged("post_install", "-at_install")
class TestFakeProviders(ProviderCase):
    """The fakes refuse what the real APIs refuse: other tests rely on it."""

    def test_harvest(self):
        fake = self.start(FakeHarvest())
        records = fake.generate(30, seed=1)
        session = requests.Session()
        session.headers.update(
            {"Authorization": "Bearer harvest-token", "Harvest-Account-Id": "123456"}
        )
        url = fake.url + "/time_entries"
        answer = session.get(url, params={"per_page": 2001}, timeout=5)
        self.assertEqual(answer.status_code, 422)
        answer = session.get(url, headers={"User-Agent": ""}, timeout=5)
        self.assertEqual(answer.status_code, 400)
        answer = session.get(url, params={"per_page": 7}, timeout=5).json()
        self.assertEqual(answer["total_entries"], 30)
        self.assertEqual(answer["total_pages"], 5)
        # Newest spent_date first, then the highest id.
        keys = [(e["spent_date"], e["id"]) for e in answer["time_entries"]]
        self.assertEqual(keys, sorted(keys, reverse=True))
        newest = max(records, key=lambda r: (r["spent_date"], r["id"]))
        self.assertEqual(keys[0], (newest["spent_date"], newest["id"]))
        # A change at the source is served at once.
        fake.delete(newest["id"])
        answer = session.get(url, timeout=5).json()
        self.assertEqual(answer["total_entries"], 29)
        self.assertNotIn(newest["id"], [e["id"] for e in answer["time_entries"]])

    def test_toggl(self):
        fake = self.start(FakeToggl())
        fake.generate(5, seed=2)
        url = fake.url + "/reports/api/v3/workspace/7654321/search/time_entries"
        auth = ("toggl-token", "api_token")
        body = {"start_date": "2025-01-01", "end_date": "2026-12-31"}
        answer = requests.post(url, json=body, auth=auth, timeout=5)
        self.assertEqual(answer.status_code, 400)
        self.assertIn("366 days", answer.text)
        answer = requests.post(url, json=body, auth=("x", "api_token"), timeout=5)
        self.assertEqual(answer.status_code, 403)

    def test_clockify_and_tempo(self):
        clockify = self.start(FakeClockify())
        answer = requests.get(
            clockify.url + "/user", headers={"X-Api-Key": "nope"}, timeout=5
        )
        self.assertEqual(answer.status_code, 401)
        self.assertEqual(answer.json()["code"], 1000)
        tempo = self.start(FakeTempo())
        answer = requests.get(
            tempo.url + "/worklogs",
            params={"limit": 5001},
            headers={"Authorization": "Bearer tempo-token"},
            timeout=5,
        )
        self.assertEqual(answer.status_code, 400)
