# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A CSV decoded a piece at a time, and the ids seen for repeats."""

from odoo.tests import BaseCase, tagged

from ..exceptions import FileFormatError
from ..providers.files import seen, text
from ..providers.files.tables import read_table


@tagged("post_install", "-at_install")
class TestCsvText(BaseCase):
    def test_pieces_read_as_the_whole(self):
        # A two-byte character across the first piece's end, and lines enough
        # to span several pieces.
        head = "Date,User,Hours\n" + "x" * (text.DECODE_PIECE - 17) + "\n"
        body = "".join(f"2026-03-02,Zoë {index},1.5\r\n" for index in range(80000))
        content = (head + body).encode()
        source, encoding, removed = text.decode(content, "The file")
        self.assertEqual((encoding, removed), ("utf-8", 0))
        self.assertEqual("".join(source.lines()), head + body)
        self.assertEqual(source.head(20), (head + body)[:20])
        table = read_table(("Date,User,Hours\n" + body).encode(), "big.csv")
        self.assertEqual(len(table.rows), 80000)
        self.assertEqual(table.rows[-1].values, ("2026-03-02", "Zoë 79999", "1.5"))

    def test_bad_byte_far_in_the_file_is_located(self):
        content = b"\xef\xbb\xbfDate,User\n" + b"a,b\n" * 400000 + b"\xff\n"
        with self.assertRaisesRegex(
            FileFormatError, f"not valid UTF-8 \\(byte {len(content) - 5}\\)"
        ):
            text.decode(content, "The file")


@tagged("post_install", "-at_install")
class TestSeenIds(BaseCase):
    def test_first_line_kept_past_merges(self):
        ids = seen.SeenIds()
        count = seen.BUFFER * 2 + 10
        for index in range(count):
            ids.add(f"file:{index}", index + 2)
        ids.add("file:5", 999)
        self.assertEqual(len(ids), count)
        self.assertEqual(ids.get("file:5"), 7)
        self.assertEqual(ids.get(f"file:{count - 1}"), count + 1)
        self.assertIsNone(ids.get("file:unknown"))
