# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Whether a record's field already holds a value, before writing it.

The pipeline skips writes that change nothing: a write costs an UPDATE, and
re-pricing or re-importing unchanged time must not touch it.
"""

from odoo import models

# Floats beyond this many decimals are noise of conversions.
FLOAT_DIGITS = 6
_FLOAT_TOLERANCE = 0.5 * 10**-FLOAT_DIGITS


def holds(record, fname, value):
    """Whether ``record`` (one record) holds ``value`` in field ``fname``.

    A many2one compares by id (``value`` is an id or a record, a new record
    counting as its origin); floats and amounts compare to ``FLOAT_DIGITS``
    decimals; empty values (False, None, 0.0, "") are alike.
    """
    current = record[fname]
    ftype = record._fields[fname].type
    if ftype == "many2one":
        current = current._origin.id
        if isinstance(value, models.BaseModel):
            value = value._origin.id
    elif ftype in ("float", "monetary"):
        return abs((current or 0.0) - (value or 0.0)) < _FLOAT_TOLERANCE
    return (current or False) == (value or False)


def holds_all(record, vals):
    """Whether ``record`` holds every value of ``vals``."""
    return all(holds(record, fname, value) for fname, value in vals.items())
