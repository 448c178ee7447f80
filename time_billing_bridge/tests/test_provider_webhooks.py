# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import hashlib
import hmac
from datetime import date, datetime, timedelta, timezone

from odoo.tests import BaseCase, tagged

from ..providers.common import local_date, parse_datetime, to_naive_utc
from ..providers.webhooks import (
    header,
    sign_toggl,
    timestamp_is_fresh,
    toggl_validation_response,
    verify_clockify_signature,
    verify_hmac_signature,
    verify_toggl_signature,
)

BODY = b'{"event_id":1,"payload":{"id":42,"description":"caf\xc3\xa9"}}'


@tagged("post_install", "-at_install")
class TestWebhookSignatures(BaseCase):
    def test_toggl_signature(self):
        digest = hmac.new(b"PGuRrhCFajIyEvFlreKL", BODY, hashlib.sha256).hexdigest()
        good = f"sha256={digest}"
        self.assertEqual(sign_toggl("PGuRrhCFajIyEvFlreKL", BODY), good)
        self.assertTrue(verify_toggl_signature("PGuRrhCFajIyEvFlreKL", BODY, good))
        # The body may come as text too.
        self.assertTrue(
            verify_toggl_signature("PGuRrhCFajIyEvFlreKL", BODY.decode(), good)
        )
        self.assertFalse(verify_toggl_signature("wrong", BODY, good))
        tampered = BODY.replace(b"42", b"43")
        self.assertFalse(verify_toggl_signature("PGuRrhCFajIyEvFlreKL", tampered, good))
        self.assertFalse(verify_toggl_signature("PGuRrhCFajIyEvFlreKL", BODY, None))
        self.assertFalse(verify_toggl_signature("PGuRrhCFajIyEvFlreKL", BODY, ""))
        # Toggl sends the prefix: a bare digest is not Toggl's format.
        self.assertFalse(verify_toggl_signature("PGuRrhCFajIyEvFlreKL", BODY, digest))
        # No secret configured: nothing verifies, not even an empty-key HMAC.
        empty = sign_toggl("", BODY)
        self.assertFalse(verify_toggl_signature("", BODY, empty))
        self.assertFalse(verify_toggl_signature(None, BODY, empty))
        # Non-ASCII garbage in the header is refused, not an exception.
        self.assertFalse(verify_toggl_signature("k", BODY, "sha256=é"))

    def test_clockify_signature(self):
        self.assertTrue(verify_clockify_signature("tok-123", "tok-123"))
        self.assertTrue(verify_clockify_signature("tok-123", " tok-123 "))
        self.assertFalse(verify_clockify_signature("tok-123", "tok-124"))
        self.assertFalse(verify_clockify_signature("tok-123", "tok-12"))
        self.assertFalse(verify_clockify_signature("tok-123", None))
        self.assertFalse(verify_clockify_signature("", ""))
        self.assertFalse(verify_clockify_signature(None, "tok-123"))

    def test_generic_hmac_signature(self):
        digest = hmac.new(b"k3y", BODY, hashlib.sha256).hexdigest()
        self.assertTrue(verify_hmac_signature("k3y", BODY, digest))
        self.assertTrue(verify_hmac_signature("k3y", BODY, "sha256=" + digest))
        self.assertTrue(verify_hmac_signature("k3y", BODY, "SHA256=" + digest.upper()))
        self.assertFalse(verify_hmac_signature("k3y", BODY + b"\n", digest))
        self.assertFalse(verify_hmac_signature("other", BODY, digest))
        self.assertFalse(verify_hmac_signature("k3y", BODY, None))
        self.assertFalse(verify_hmac_signature("", BODY, digest))
        stamped = hmac.new(b"k3y", b"1767225600." + BODY, hashlib.sha256).hexdigest()
        self.assertTrue(
            verify_hmac_signature("k3y", BODY, stamped, timestamp="1767225600")
        )
        self.assertTrue(
            verify_hmac_signature("k3y", BODY, stamped, timestamp=1767225600)
        )
        # A replay with another timestamp does not verify.
        self.assertFalse(
            verify_hmac_signature("k3y", BODY, stamped, timestamp="1767225601")
        )
        self.assertFalse(verify_hmac_signature("k3y", BODY, stamped))

    def test_timestamp_freshness(self):
        now = 1767225600
        self.assertTrue(timestamp_is_fresh(now - 299, now=now))
        self.assertTrue(timestamp_is_fresh(str(now + 10), now=now))
        self.assertFalse(timestamp_is_fresh(now - 301, now=now))
        self.assertFalse(timestamp_is_fresh("yesterday", now=now))
        self.assertFalse(timestamp_is_fresh(None, now=now))

    def test_toggl_validation_handshake(self):
        self.assertEqual(
            toggl_validation_response({"payload": "ping", "validation_code": "abc"}),
            {"validation_code": "abc"},
        )
        self.assertIsNone(toggl_validation_response({"payload": "ping"}))
        self.assertIsNone(toggl_validation_response({"validation_code": ""}))
        self.assertIsNone(toggl_validation_response({"validation_code": {"x": 1}}))
        self.assertIsNone(toggl_validation_response(None))

    def test_header_lookup(self):
        self.assertEqual(
            header({"x-webhook-signature-256": "v"}, "X-Webhook-Signature-256"), "v"
        )
        self.assertEqual(header({"Clockify-Signature": "v"}, "clockify-signature"), "v")
        self.assertIsNone(header({}, "X"))
        self.assertIsNone(header(None, "X"))


@tagged("post_install", "-at_install")
class TestProviderDates(BaseCase):
    def test_timestamps(self):
        moment = parse_datetime("2026-03-02T23:30:00Z")
        self.assertEqual(moment.utcoffset(), timedelta(0))
        self.assertEqual(
            to_naive_utc("2026-03-03T00:30:00+01:00"), datetime(2026, 3, 2, 23, 30)
        )
        self.assertEqual(
            to_naive_utc("2023-07-17T11:43:32.445Z"),
            datetime(2023, 7, 17, 11, 43, 32, 445000),
        )
        self.assertIsNone(to_naive_utc(None))
        # A naive timestamp is read as UTC.
        self.assertEqual(parse_datetime("2026-03-02T10:00:00").tzinfo, timezone.utc)

    def test_local_date(self):
        late = parse_datetime("2026-03-02T23:30:00+00:00")
        self.assertEqual(local_date(late), date(2026, 3, 2))
        self.assertEqual(local_date(late, "Europe/Berlin"), date(2026, 3, 3))
        self.assertEqual(local_date(late, "America/New_York"), date(2026, 3, 2))
        # The offset the source gives is kept when no zone is asked for.
        given = parse_datetime("2026-03-03T00:30:00+01:00")
        self.assertEqual(local_date(given), date(2026, 3, 3))
        # An unknown zone falls back to the offset given.
        self.assertEqual(local_date(late, "Mars/Olympus"), date(2026, 3, 2))
