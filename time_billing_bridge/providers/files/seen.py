# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The line where each row id of a file was first seen, in 16 bytes per id.

A dict of the ids held 150 bytes per row (the id, its line, the slot):
15 MB for 100,000 rows. Here an id is a 64-bit hash and its line a 64-bit
number, in two sorted arrays searched by bisection; the latest ids wait in
a small dict merged into the arrays every ``BUFFER`` ids. Two different
ids share a hash with a probability of about 10^-9 in a file of 200,000
rows; the later row would then be reported as a repeat.
"""

import hashlib
import heapq
from array import array
from bisect import bisect_left

BUFFER = 8192


def _hash(external_id):
    digest = hashlib.blake2b(external_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SeenIds:
    def __init__(self):
        self._hashes = array("q")
        self._lines = array("q")
        self._recent = {}

    def __len__(self):
        return len(self._hashes) + len(self._recent)

    def get(self, external_id):
        """The line ``external_id`` was first seen on, or None."""
        key = _hash(external_id)
        line = self._recent.get(key)
        if line is not None:
            return line
        index = bisect_left(self._hashes, key)
        if index < len(self._hashes) and self._hashes[index] == key:
            return self._lines[index]
        return None

    def add(self, external_id, line):
        """Remember ``line`` for ``external_id`` unless it was seen before."""
        if self.get(external_id) is not None:
            return
        self._recent[_hash(external_id)] = line
        if len(self._recent) >= BUFFER:
            self._merge()

    def _merge(self):
        hashes, lines = array("q"), array("q")
        for key, line in heapq.merge(
            zip(self._hashes, self._lines, strict=True), sorted(self._recent.items())
        ):
            hashes.append(key)
            lines.append(line)
        self._hashes, self._lines, self._recent = hashes, lines, {}
