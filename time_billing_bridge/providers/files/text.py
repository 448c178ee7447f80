# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The text of a CSV file, decoded a piece at a time.

The encoding is recognised and checked on pieces of the bytes, and every
reading decodes the lines again as they are read: the text is never held
whole. Measured (``scripts/bench.sh --only files``): a 100,000-row CSV
(9 MB) held as a str and read through ``io.StringIO`` (four bytes per
character) cost 43 MB more than its bytes.
"""

import codecs
import io
import re
from itertools import islice

from ...exceptions import FileFormatError

# Bytes decoded at once when checking the encoding.
DECODE_PIECE = 1024 * 1024

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class CsvText:
    """The lines of a CSV file's ``content`` (bytes) in ``encoding``, the
    first ``skip`` lines left out, decoded again at each :meth:`lines`."""

    def __init__(self, content, encoding, skip=0):
        self.content = content
        self.encoding = encoding
        self.skip = skip

    def lines(self):
        """A new iterator of the lines, line endings kept (as ``csv`` wants)."""
        stream = io.TextIOWrapper(
            io.BytesIO(self.content), encoding=self.encoding, newline=""
        )
        lines = islice(stream, self.skip, None)
        if self.encoding == "utf-16":
            return (line.replace("\x00", "") for line in lines)
        return lines

    def head(self, size):
        """The first ``size`` characters (fewer when the text is shorter)."""
        parts, length = [], 0
        for line in self.lines():
            parts.append(line)
            length += len(line)
            if length >= size:
                break
        return "".join(parts)[:size]


def decode(content, name):
    """Return (:class:`CsvText`, encoding key, NUL bytes removed); refuse
    binary files and text that is not valid in the encoding it announces."""
    removed = 0
    if b"\x00" in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A few stray NULs (a broken exporter) are dropped: PostgreSQL cannot
        # store them. Many mean a binary file.
        removed = content.count(b"\x00")
        if removed * 100 > len(content):
            raise FileFormatError(binary_message(name))
        content = content.replace(b"\x00", b"")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        try:
            controls, length = _scan(content, encoding)
        except UnicodeDecodeError as err:
            raise FileFormatError(
                f"{name} starts like UTF-16 text but is not valid UTF-16."
            ) from err
    elif content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        try:
            controls, length = _scan(content, encoding)
        except UnicodeDecodeError as err:
            raise FileFormatError(
                f"{name} starts with a UTF-8 marker but is not valid UTF-8 "
                f"(byte {err.start}): save it again as UTF-8."
            ) from err
    else:
        # Windows-1252 is Latin-1 plus printable characters in 0x80-0x9F
        # (€, ’...); it leaves five bytes undefined, which Latin-1 still reads.
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                controls, length = _scan(content, encoding)
                break
            except UnicodeDecodeError:
                continue
    if controls > length / 100:
        raise FileFormatError(binary_message(name))
    return CsvText(content, encoding), encoding, removed


def _scan(content, encoding):
    """(control characters, characters) of ``content`` decoded piece by
    piece; UnicodeDecodeError (``start`` counted as a whole decoding
    would) when it is not valid in ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    controls = length = 0
    # The marker of utf-8-sig is not counted in a whole decoding's offsets.
    marker = 3 if encoding == "utf-8-sig" else 0
    for start in range(0, len(content), DECODE_PIECE):
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(
                view[start : start + DECODE_PIECE],
                final=start + DECODE_PIECE >= len(content),
            )
        except UnicodeDecodeError as err:
            if start:
                err.start += start - pending - marker
            raise
        if encoding == "utf-16":
            text = text.replace("\x00", "")
        controls += sum(1 for _match in _CONTROL_RE.finditer(text))
        length += len(text)
    return controls, length


def binary_message(name):
    return (
        f"{name} is not a text file (it contains binary data): upload a CSV or an "
        ".xlsx workbook."
    )
