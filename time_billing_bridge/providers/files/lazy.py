# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rows of a table, read again from the file at each pass instead of
kept as objects (the text of a CSV too, see :mod:`.text`)."""

from itertools import islice


class LazyRows:
    """A sequence of :class:`~.tables.Row` whose every iteration reads the
    file again through ``factory()`` (a new iterator of rows each call).

    ``len()`` is known from the first reading. Indexing and slicing read
    from the start of the file up to the rows asked for.
    """

    def __init__(self, factory, count):
        self._factory = factory
        self._count = count

    def __iter__(self):
        return self._factory()

    def __len__(self):
        return self._count

    def __bool__(self):
        return self._count > 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return list(islice(self._factory(), start, stop, step))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(islice(self._factory(), index, None))
