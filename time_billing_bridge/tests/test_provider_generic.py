# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime, timezone

from odoo.tests import BaseCase, tagged

from ..providers.common import MalformedRecord
from ..providers.generic import parse_generic_payload

UTC = timezone.utc


@tagged("post_install", "-at_install")
class TestGenericPayload(BaseCase):
    def test_entries_and_deletions(self):
        page = parse_generic_payload(
            {
                "entries": [
                    {
                        "external_id": 17,
                        "date": "2026-03-02",
                        "hours": 1.5,
                        "description": "Review",
                        "user_email": "alice@example.com",
                        "user_ref": 4,
                        "project_ref": "P-1",
                        "project_name": "Audit",
                        "billable": False,
                        "updated_at": "2026-03-02T17:30:00+01:00",
                    }
                ],
                "deleted": ["16", 15],
            }
        )
        self.assertFalse(page.errors)
        self.assertEqual(page.deleted_ids, ["16", "15"])
        (entry,) = page.entries
        self.assertEqual(entry.external_id, "17")
        self.assertEqual(entry.date, date(2026, 3, 2))
        self.assertEqual(entry.hours, 1.5)
        self.assertEqual(entry.user_ref, "4")
        self.assertEqual(entry.user_email, "alice@example.com")
        self.assertEqual(entry.project_name, "Audit")
        self.assertIs(entry.billable, False)
        self.assertEqual(entry.updated_at, datetime(2026, 3, 2, 16, 30))
        self.assertEqual(entry.raw["description"], "Review")

    def test_single_entry_object(self):
        page = parse_generic_payload(
            {"external_id": "A", "date": "2026-03-02", "hours": 0.25}
        )
        self.assertEqual([e.external_id for e in page.entries], ["A"])
        self.assertIsNone(page.entries[0].billable)

    def test_start_and_end(self):
        base = {"external_id": "A", "date": "2026-03-02", "hours": 1.5}
        page = parse_generic_payload(
            {
                "entries": [
                    {
                        **base,
                        "start": "2026-03-02T09:00:00Z",
                        "end": "2026-03-02T10:30:00Z",
                    },
                    # "stop" is read as the end; no offset: local time.
                    {
                        **base,
                        "start": "2026-03-02T09:00:00",
                        "stop": "2026-03-02T10:30:00",
                    },
                    # Unreadable, running, or mixed: no interval, no error.
                    {**base, "start": "9am", "end": "2026-03-02T10:30:00"},
                    {**base, "start": "2026-03-02T09:00:00Z", "stop": None},
                    {
                        **base,
                        "start": "2026-03-02T09:00:00Z",
                        "end": "2026-03-02T10:30:00",
                    },
                ]
            }
        )
        self.assertFalse(page.errors)
        self.assertEqual(
            [(e.start, e.end) for e in page.entries],
            [
                (
                    datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                    datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
                ),
                (datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 2, 10, 30)),
                (None, None),
                (None, None),
                (None, None),
            ],
        )

    def test_bad_entries_do_not_block_good_ones(self):
        page = parse_generic_payload(
            {
                "entries": [
                    {"external_id": "ok", "date": "2026-03-02", "hours": 2},
                    {"external_id": "no-date", "hours": 2},
                    {"external_id": "neg", "date": "2026-03-02", "hours": -1},
                    {"external_id": "txt", "date": "2026-03-02", "hours": "2h"},
                    {"date": "2026-03-02", "hours": 2},
                    "not an object",
                ],
                "deleted": [None],
            }
        )
        self.assertEqual([e.external_id for e in page.entries], ["ok"])
        self.assertEqual(len(page.errors), 6)
        by_id = {e.external_id: e.message for e in page.errors if e.external_id}
        self.assertIn("missing date", by_id["no-date"])
        self.assertIn("negative", by_id["neg"])
        self.assertIn("'2h' is not a number", by_id["txt"])
        anonymous = [e.message for e in page.errors if not e.external_id]
        self.assertEqual(len(anonymous), 3)
        self.assertTrue(any("missing external_id" in m for m in anonymous))
        self.assertTrue(any("expected an object" in m for m in anonymous))
        self.assertTrue(any("deletion without an external id" in m for m in anonymous))

    def test_wrong_shapes(self):
        for payload, message in (
            ([], "must be a JSON object"),
            ({"entries": {}}, "'entries' must be a list"),
            ({"deleted": "x"}, "'deleted' must be a list"),
        ):
            with self.subTest(payload=payload):
                with self.assertRaisesRegex(MalformedRecord, message):
                    parse_generic_payload(payload)
