# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Where the adapters may send a token, and how long and how much they read:
the URL policy, redirects, the overall deadline and the body size limit,
against the fake provider servers."""

import ipaddress
import json
import time
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..exceptions import ProviderAuthError, ProviderError, RetryableProviderError
from ..providers import http as http_module
from ..providers import urls
from ..providers.base import AdapterConfig
from ..providers.harvest import HarvestAdapter
from ..providers.urls import UnsafeUrlError, check_url
from .common_providers import ProviderCase
from .fakes import FakeClockify, FakeHarvest, FakeToggl

# Addresses an API token must never reach unless a system parameter says so.
UNSAFE_HOSTS = [
    "127.0.0.1",
    "127.1",  # short form of 127.0.0.1
    "2130706433",  # integer form of 127.0.0.1
    "0x7f.0.0.1",
    "localhost",
    "api.localhost",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.20",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # cloud metadata
    "224.0.0.1",
    "240.0.0.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[fe80::1]",
    "[fd00::1]",
]


@tagged("post_install", "-at_install")
class TestApiUrlPolicy(ProviderCase):
    provider = "harvest"

    def test_https_to_a_public_host_is_accepted(self):
        check_url("https://api.harvestapp.com/v2", resolve_host=False)
        check_url("https://93.184.216.34:8443/v2")
        check_url("https://[2606:2800:220:1:248:1893:25c8:1946]/v2")

    def test_plain_http_is_refused_unless_allowed(self):
        with self.assertRaises(UnsafeUrlError) as caught:
            check_url("http://93.184.216.34/v2")
        self.assertIn("time_billing_bridge.allow_http_api_url", str(caught.exception))
        check_url("http://93.184.216.34/v2", allow_http=True)

    def test_private_loopback_and_link_local_hosts_are_refused(self):
        for host in UNSAFE_HOSTS:
            for resolve_host in (False, True):
                with (
                    self.subTest(host=host, resolve_host=resolve_host),
                    self.assertRaises(UnsafeUrlError) as caught,
                ):
                    check_url(f"https://{host}/v2", resolve_host=resolve_host)
                self.assertIn(
                    "time_billing_bridge.allow_private_api_hosts",
                    str(caught.exception),
                )
            check_url(f"https://{host}/v2", allow_private=True)

    def test_names_are_checked_by_what_they_resolve_to(self):
        """At call time the name is resolved: DNS may point it inside by then."""
        answers = {"api.example.com": ["93.184.216.34"]}
        self.patch(
            urls,
            "resolve",
            lambda host, port: [ipaddress.ip_address(a) for a in answers[host]],
        )
        url = "https://api.example.com/v2"
        check_url(url)
        answers["api.example.com"] = ["93.184.216.34", "10.0.0.5"]
        with self.assertRaisesRegex(UnsafeUrlError, r"\(10\.0\.0\.5\)"):
            check_url(url)
        # Saving does not resolve, so it does not see it.
        check_url(url, resolve_host=False)

    def test_unresolvable_host_is_refused(self):
        with self.assertRaisesRegex(UnsafeUrlError, "cannot be resolved"):
            check_url("https://no-such-host.invalid/v2")

    def test_other_schemes_and_credentials_in_the_url_are_refused(self):
        for url, reason in (
            ("ftp://api.example.com/v2", "not a web address"),
            ("file:///etc/passwd", "not a web address"),
            ("https:///v2", "not a web address"),
            ("https://user:pw@api.example.com/v2", "must not contain a user name"),
            ("https://api.example.com:99999/v2", "not a valid URL"),
        ):
            with self.subTest(url=url), self.assertRaisesRegex(UnsafeUrlError, reason):
                check_url(url, allow_http=True, allow_private=True)

    def test_calls_to_the_fake_are_refused_without_the_allowances(self):
        """The adapters check the URL before any request."""
        fake = self.start(FakeHarvest())
        fake.generate(3, seed=1)
        for overrides, parameter in (
            ({"allow_http": False}, "allow_http_api_url"),
            ({"allow_private_hosts": False}, "allow_private_api_hosts"),
            (
                {
                    "allow_private_hosts": False,
                    "api_url": fake.url.replace("127.0.0.1", "[::1]"),
                },
                "allow_private_api_hosts",
            ),
        ):
            adapter = self.make_adapter(fake, **overrides)
            with self.subTest(overrides), self.assertRaises(UnsafeUrlError) as caught:
                list(adapter.iter_pages())
            self.assertIn(parameter, str(caught.exception))
            self.assertEqual(self.sleeps, [])  # not retried
        self.assertEqual(fake.requests, [])
        adapter = self.make_adapter(fake, api_url="https://api.example.com:99999/v2")
        with self.assertRaisesRegex(UnsafeUrlError, "not a valid URL"):
            adapter.check_connection()


@tagged("post_install", "-at_install")
class TestRedirects(ProviderCase):
    """Redirects are followed by hand: credentials stay on the API's origin."""

    provider = "harvest"

    def redirect(self, source, target_url, times=1, status=302):
        source.fail_next(status, times=times, headers={"Location": target_url})

    def test_credentials_are_not_sent_to_another_host_or_port(self):
        for fake_class, provider, header in (
            (FakeHarvest, "harvest", "Authorization"),  # Bearer
            (FakeToggl, "toggl", "Authorization"),  # Basic
            (FakeClockify, "clockify", "X-Api-Key"),
        ):
            with self.subTest(provider=provider):
                source = self.start(fake_class())
                elsewhere = self.start(fake_class())
                adapter = self.make_adapter(source, provider=provider, max_retries=0)
                self.redirect(source, elsewhere.base_url + "/collect?x=1")
                with self.assertRaises(ProviderAuthError):
                    adapter.check_connection()
                self.assertTrue(source.requests[0].header(header))
                moved = elsewhere.requests[0]
                self.assertEqual(moved.path, "/collect")
                self.assertIsNone(moved.header(header))
                self.assertIsNone(moved.header("Harvest-Account-Id"))
                self.assertIsNone(moved.header("Authorization"))
                self.assertTrue(moved.header("User-Agent"))

    def test_credentials_follow_a_redirect_on_the_same_origin(self):
        fake = self.start(FakeHarvest())
        fake.generate(3, seed=2)
        adapter = self.make_adapter(fake)
        self.redirect(fake, fake.url + "/time_entries?per_page=2000", status=301)
        entries = self.collect(adapter.iter_pages())[1]
        self.assertEqual(len(entries), 3)
        first, second = fake.requests_to("/time_entries")
        self.assertEqual(first.status, 301)
        self.assertEqual(second.header("Authorization"), f"Bearer {fake.token}")

    def test_a_redirect_target_is_checked_like_the_api_url(self):
        fake = self.start(FakeHarvest())
        adapter = self.make_adapter(fake)
        self.redirect(fake, "file:///etc/passwd")
        with self.assertRaisesRegex(UnsafeUrlError, "not a web address"):
            adapter.check_connection()
        self.assertEqual(len(fake.requests), 1)

    def test_redirect_loops_stop(self):
        fake = self.start(FakeHarvest())
        adapter = self.make_adapter(fake)
        self.redirect(fake, fake.url + "/users/me", times=10)
        with self.assertRaisesRegex(ProviderError, "redirected 5 times"):
            adapter.check_connection()
        self.assertEqual(len(fake.requests), 6)


@tagged("post_install", "-at_install")
class TestConnectedAddress(ProviderCase):
    """The address is checked again on the connection itself: a name that
    resolved to a public address when the URL was checked may point to a
    private one by the time the connection opens (DNS rebinding)."""

    provider = "harvest"

    def test_a_connection_that_reaches_a_private_address_sends_nothing(self):
        fake = self.start(FakeHarvest())
        adapter = self.make_adapter(fake, allow_private_hosts=False)
        # The URL check saw a public address; the connection reaches 127.0.0.1.
        with patch.object(http_module, "check_url", lambda *args, **kwargs: None):
            with self.assertRaises(UnsafeUrlError) as caught:
                adapter.check_connection()
        self.assertIn("now resolves to a private", str(caught.exception))
        self.assertIn("(127.0.0.1)", str(caught.exception))
        self.assertEqual(fake.requests, [])
        # Allowed by the system parameter: the same call goes through.
        adapter = self.make_adapter(fake, allow_private_hosts=True)
        self.assertIn("Harvest", adapter.check_connection())


@tagged("post_install", "-at_install")
class TestDeadlineAndSize(ProviderCase):
    provider = "harvest"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeHarvest())
        self.body = json.dumps(
            {"time_entries": [], "links": {"next": None}, "pad": "x" * 400}
        ).encode()

    def test_a_trickling_answer_stops_at_the_deadline(self):
        """Each byte comes well within the socket timeout, the whole answer
        would take 20 s: the deadline ends it after 1 s."""
        for announce_length in (False, True):
            with self.subTest(announce_length=announce_length):
                adapter = self.make_adapter(
                    self.fake, timeout=5.0, deadline=1.0, max_retries=0
                )
                self.fake.trickle_next(
                    self.body, delay=0.05, announce_length=announce_length
                )
                started = time.monotonic()
                with self.assertRaises(RetryableProviderError) as caught:
                    list(adapter.iter_pages())
                elapsed = time.monotonic() - started
                self.assertIn(
                    "did not complete the answer within 1 s", str(caught.exception)
                )
                self.assertLess(elapsed, 3.0)
                self.assertGreaterEqual(elapsed, 0.9)

    @mute_logger("urllib3.connection", "urllib3.connectionpool")  # headers cut
    def test_headers_sent_byte_by_byte_stop_at_the_deadline(self):
        """Each byte of the status line and headers comes within the socket
        timeout; the deadline still ends the wait."""
        adapter = self.make_adapter(self.fake, timeout=5.0, deadline=1.0, max_retries=0)
        self.fake.trickle_next(self.body, delay=0.05, in_headers=True)
        started = time.monotonic()
        with self.assertRaises(RetryableProviderError) as caught:
            list(adapter.iter_pages())
        self.assertIn("did not complete the answer within 1 s", str(caught.exception))
        self.assertLess(time.monotonic() - started, 3.0)
        # Quick headers are read as usual.
        adapter = self.make_adapter(self.fake, deadline=10.0)
        self.fake.trickle_next(self.body, chunk_size=64, in_headers=True)
        self.assertEqual(len(list(adapter.iter_pages())), 1)

    def test_a_slow_answer_within_the_deadline_is_read(self):
        adapter = self.make_adapter(self.fake, deadline=10.0)
        self.fake.trickle_next(self.body, chunk_size=100, delay=0.05)
        pages = list(adapter.iter_pages())
        self.assertEqual(len(pages), 1)

    def test_an_oversized_answer_is_refused(self):
        for announce_length in (False, True):
            with self.subTest(announce_length=announce_length):
                adapter = self.make_adapter(self.fake, max_response_bytes=1000)
                self.fake.trickle_next(
                    b"[" + b"1," * 50_000 + b"1]",
                    chunk_size=4096,
                    announce_length=announce_length,
                )
                with self.assertRaises(ProviderError) as caught:
                    list(adapter.iter_pages())
                self.assertNotIsInstance(caught.exception, RetryableProviderError)
                self.assertIn("more than 1,000 bytes", str(caught.exception))
                self.assertIn(
                    "time_billing_bridge.http_max_response_bytes",
                    str(caught.exception),
                )
                self.assertEqual(self.sleeps, [])

    def test_an_answer_under_the_limit_is_read(self):
        self.fake.generate(5, seed=3)
        adapter = self.make_adapter(self.fake, max_response_bytes=100_000)
        self.assertEqual(len(self.collect(adapter.iter_pages())[1]), 5)

    def test_defaults(self):
        config = AdapterConfig()
        self.assertEqual(config.deadline, 120.0)
        self.assertEqual(config.max_response_bytes, 32 * 1024 * 1024)
        self.assertFalse(config.allow_http or config.allow_private_hosts)
        adapter = HarvestAdapter(
            AdapterConfig(api_url=self.fake.url, api_token="t", account_ref="1")
        )
        with self.assertRaises(UnsafeUrlError):
            adapter.check_connection()
