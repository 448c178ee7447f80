# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import logging
import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from odoo.tests import tagged

from ..exceptions import (
    ProviderAuthError,
    ProviderError,
    ProviderNotFound,
    RetryableProviderError,
)
from ..providers.base import AdapterConfig
from ..providers.harvest import HarvestAdapter
from ..providers.http import mask_url, parse_retry_after
from ..providers.redact import redact, secret_forms
from .common_providers import ProviderCase
from .fakes import FakeHarvest


@tagged("post_install", "-at_install")
class TestProviderHttp(ProviderCase):
    """Retry, back-off and error policy of the shared HTTP helper, exercised
    through the Harvest adapter against the fake Harvest API."""

    provider = "harvest"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeHarvest())
        self.fake.generate(30, seed=7)

    def fetch_all(self, adapter):
        return self.collect(adapter.iter_pages())[1]

    def test_429_waits_what_retry_after_says(self):
        adapter = self.make_adapter(self.fake)
        self.fake.fail_next(429, times=2, headers={"Retry-After": "3"})
        entries = self.fetch_all(adapter)
        self.assertEqual(len(entries), 30)
        self.assertEqual(self.sleeps, [3.0, 3.0])
        calls = self.fake.requests_to("/time_entries")
        self.assertEqual([r.status for r in calls], [429, 429, 200])

    def test_retry_after_as_http_date(self):
        adapter = self.make_adapter(self.fake)
        when = datetime.now(timezone.utc) + timedelta(seconds=30)
        self.fake.fail_next(503, headers={"Retry-After": format_datetime(when, True)})
        self.fetch_all(adapter)
        self.assertEqual(len(self.sleeps), 1)
        self.assertTrue(25 <= self.sleeps[0] <= 30, self.sleeps)

    def test_real_wait_between_attempts(self):
        """With the real sleep, the retry reaches the server after the wait."""
        adapter = self.make_adapter(self.fake)
        adapter.http._sleep = time.sleep
        self.fake.fail_next(429, headers={"Retry-After": "1"})
        self.fetch_all(adapter)
        first, second = self.fake.requests_to("/time_entries")[:2]
        self.assertEqual(first.status, 429)
        self.assertGreaterEqual(second.time - first.time, 1.0)

    def test_retry_after_longer_than_the_cap_stops_at_once(self):
        adapter = self.make_adapter(self.fake, max_retry_wait=60)
        self.fake.fail_next(429, headers={"Retry-After": "900"})
        with self.assertRaises(RetryableProviderError) as caught:
            self.fetch_all(adapter)
        self.assertEqual(caught.exception.retry_after, 900)
        self.assertEqual(caught.exception.status, 429)
        self.assertIn("900 s", str(caught.exception))
        self.assertEqual(self.sleeps, [])
        self.assertEqual(len(self.fake.requests_to("/time_entries")), 1)

    def test_server_errors_back_off_exponentially_then_succeed(self):
        adapter = self.make_adapter(self.fake, retry_backoff=2.0)
        self.fake.fail_next(500)
        self.fake.fail_next(502)
        self.fake.fail_next(503)
        self.assertEqual(len(self.fetch_all(adapter)), 30)
        self.assertEqual(len(self.sleeps), 3)
        # 2, 4, 8 seconds plus up to half the base of jitter.
        for wait, base in zip(self.sleeps, (2, 4, 8), strict=True):
            self.assertGreaterEqual(wait, base)
            self.assertLessEqual(wait, base + 1.0)

    def test_back_off_is_capped(self):
        adapter = self.make_adapter(
            self.fake, retry_backoff=10.0, max_retry_wait=15, max_retries=4
        )
        self.fake.fail_next(500, times=3)
        self.fetch_all(adapter)
        self.assertEqual(len(self.sleeps), 3)
        self.assertLessEqual(max(self.sleeps), 15)
        self.assertEqual(self.sleeps[1:], [15, 15])

    def test_retries_exhausted(self):
        adapter = self.make_adapter(self.fake, max_retries=2)
        self.fake.fail_next(503, times=5)
        with self.assertRaises(RetryableProviderError) as caught:
            self.fetch_all(adapter)
        self.assertEqual(caught.exception.status, 503)
        self.assertIn("after 3 attempts", str(caught.exception))
        self.assertEqual(len(self.fake.requests_to("/time_entries")), 3)
        self.assertEqual(len(self.sleeps), 2)

    def test_timeout_then_success(self):
        adapter = self.make_adapter(self.fake, timeout=0.3)
        self.fake.slow_next(1.0)
        self.assertEqual(len(self.fetch_all(adapter)), 30)
        self.assertEqual(len(self.sleeps), 1)
        self.assertEqual(len(self.fake.requests_to("/time_entries")), 2)

    def test_timeouts_exhausted(self):
        adapter = self.make_adapter(self.fake, timeout=0.2, max_retries=1)
        self.fake.slow_next(0.6, times=2)
        with self.assertRaises(RetryableProviderError) as caught:
            self.fetch_all(adapter)
        self.assertIn("did not answer within 0.2 s", str(caught.exception))
        self.assertIsNone(caught.exception.status)
        self.assertIsNotNone(caught.exception.__cause__)

    def test_connection_refused_is_retryable(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # Nothing listens on that port any more.
        adapter = HarvestAdapter(
            AdapterConfig(
                api_url=f"http://127.0.0.1:{port}/v2",
                api_token="t",
                account_ref="1",
                max_retries=1,
                allow_http=True,
                allow_private_hosts=True,
            )
        )
        sleeps = []
        adapter.http._sleep = sleeps.append
        with self.assertRaises(RetryableProviderError) as caught:
            list(adapter.iter_pages())
        self.assertIn("could not be reached", str(caught.exception))
        self.assertEqual(len(sleeps), 1)

    def test_auth_error_message(self):
        adapter = self.make_adapter(self.fake, api_token="wrong-token")
        with self.assertRaises(ProviderAuthError) as caught:
            self.fetch_all(adapter)
        message = str(caught.exception)
        self.assertTrue(
            message.startswith(
                "Harvest refused the access token for account 123456: check the "
                "token and account ID in the backend."
            ),
            message,
        )
        self.assertIn("HTTP 401", message)
        self.assertNotIn("wrong-token", message)
        self.assertEqual(caught.exception.status, 401)
        # Never retried.
        self.assertEqual(len(self.fake.requests_to("/time_entries")), 1)

    def test_wrong_account_is_an_auth_error(self):
        adapter = self.make_adapter(self.fake, account_ref="999")
        with self.assertRaisesRegex(ProviderAuthError, "account 999"):
            self.fetch_all(adapter)

    def test_missing_credentials(self):
        adapter = HarvestAdapter(AdapterConfig(api_url=self.fake.url, account_ref="1"))
        with self.assertRaisesRegex(ProviderAuthError, "needs an API token"):
            adapter.check_connection()
        adapter = HarvestAdapter(AdapterConfig(api_url=self.fake.url, api_token="x"))
        with self.assertRaisesRegex(ProviderError, "needs the Harvest account ID"):
            adapter.check_connection()
        self.assertEqual(self.fake.requests, [])

    def test_not_found(self):
        adapter = self.make_adapter(self.fake, api_url=self.fake.base_url + "/v1")
        with self.assertRaises(ProviderNotFound) as caught:
            self.fetch_all(adapter)
        self.assertIn("/v1/time_entries", str(caught.exception))
        self.assertIn("check the API URL", str(caught.exception))

    def test_malformed_json(self):
        adapter = self.make_adapter(self.fake)
        self.fake.malformed_next()
        with self.assertRaises(ProviderError) as caught:
            self.fetch_all(adapter)
        self.assertNotIsInstance(caught.exception, RetryableProviderError)
        self.assertIn("not valid JSON", str(caught.exception))
        self.assertIn("GET /v2/time_entries", str(caught.exception))

    def test_other_client_errors_carry_the_provider_message(self):
        adapter = self.make_adapter(self.fake, page_size=2000)
        self.fake.fail_next(422, body={"message": "per_page is too large"})
        with self.assertRaises(ProviderError) as caught:
            self.fetch_all(adapter)
        self.assertNotIsInstance(caught.exception, RetryableProviderError)
        self.assertEqual(caught.exception.status, 422)
        self.assertIn("per_page is too large", str(caught.exception))

    def test_secrets_never_logged(self):
        adapter = self.make_adapter(self.fake)
        self.fake.fail_next(503)
        with self.assertLogs("odoo.addons.time_billing_bridge", logging.DEBUG) as logs:
            self.fetch_all(adapter)
        output = "\n".join(logs.output)
        self.assertIn("/v2/time_entries", output)
        self.assertIn("-> 503", output)
        self.assertNotIn(self.fake.token, output)

    def test_session_is_reused(self):
        adapter = self.make_adapter(self.fake)
        self.fake.generate(4000, seed=8)
        self.fetch_all(adapter)
        sessions = {id(adapter.http.session)}
        self.fetch_all(adapter)
        sessions.add(id(adapter.http.session))
        self.assertEqual(len(sessions), 1)


@tagged("post_install", "-at_install")
class TestProviderHttpHelpers(ProviderCase):
    def test_parse_retry_after(self):
        now = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
        self.assertEqual(parse_retry_after("120"), 120.0)
        self.assertEqual(parse_retry_after(" 1.5 "), 1.5)
        self.assertEqual(parse_retry_after("-3"), 0.0)
        self.assertEqual(
            parse_retry_after("Mon, 02 Mar 2026 12:00:30 GMT", now=now), 30.0
        )
        self.assertEqual(
            parse_retry_after("Mon, 02 Mar 2026 11:00:00 GMT", now=now), 0.0
        )
        for junk in (None, "", "soon", "nan"):
            self.assertIsNone(parse_retry_after(junk), junk)

    def test_mask_url(self):
        self.assertEqual(
            mask_url("https://x/v2/a?access_token=abc&per_page=5&api_key=k#f"),
            "https://x/v2/a?access_token=***&per_page=5&api_key=***#f",
        )
        self.assertEqual(
            mask_url("https://x/v2/a?cursor=xyz"), "https://x/v2/a?cursor=xyz"
        )

    def test_secret_forms_catch_base64_at_any_alignment(self):
        token = "tok-3f9a/b+c=="
        forms = secret_forms(token)
        for before in ("", "u", "us", "usr:", ":"):
            for after in ("", ":api_token", ":", "x"):
                encoded = base64.b64encode(f"{before}{token}{after}".encode()).decode()
                for text in (encoded, encoded.replace("+", "-").replace("/", "_")):
                    masked = redact(f"Authorization: Basic {text}", forms)
                    self.assertIn("***", masked, (before, after))
                    self.assertNotIn(text, masked)

    def test_secret_forms_of_several_values_and_short_ones(self):
        forms = secret_forms("first-secret-1 second-secret-2", "abc")
        masked = redact("a first-secret-1, b second-secret-2, abc", forms)
        self.assertEqual(masked, "a ***, b ***, abc")
