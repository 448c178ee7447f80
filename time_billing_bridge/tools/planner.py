# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""PostgreSQL's estimate of a table's rows, refreshed inside a long import.

The planner estimates a table's rows as ``reltuples / relpages`` (from the
last VACUUM or ANALYZE) times its current pages. A table analyzed while
nearly empty but spread over many pages (after a rolled-back import, a mass
delete) keeps a density near zero, and the rows an import adds cannot be
seen by autovacuum before it commits: the planner then believes the table
holds a handful of rows and joins the ORM's batched ``UPDATE ... FROM
(VALUES ...)`` by scanning the whole table for each value. Measured
(``scripts/bench.sh --only files``): each chunk of a file import then costs
more than the one before (3 s for the first, 10 s after 40,000 rows).

An ANALYZE inside the transaction counts the rows it inserted itself, which
sets the density right for the rest of the import.
"""

import logging

from psycopg2 import errors

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# How long ANALYZE waits for its lock (held by a concurrent ANALYZE or
# VACUUM); past it, the estimate stays as it is until the next check.
ANALYZE_LOCK_TIMEOUT = "200ms"


def estimated_rows(cr, table):
    """The planner's estimate of ``table``'s rows, or None when it has no
    density yet (never vacuumed: it then assumes full pages)."""
    cr.execute(
        SQL(
            """
            SELECT CASE WHEN relpages > 0 AND reltuples >= 0
                THEN reltuples / relpages
                    * (pg_relation_size(oid) / current_setting('block_size')::int)
            END
            FROM pg_class WHERE oid = %s::regclass
            """,
            table,
        )
    )
    row = cr.fetchone()
    return row[0] if row else None


def refresh_estimates(cr, tables, rows):
    """ANALYZE those of ``tables`` whose estimated rows are fewer than
    ``rows`` (the rows the caller added to each); return the tables analyzed.

    ANALYZE keeps a lock that only VACUUM and ANALYZE wait for until the
    transaction ends; it waits ``ANALYZE_LOCK_TIMEOUT`` at most for it.
    """
    analyzed = []
    for table in tables:
        estimate = estimated_rows(cr, table)
        if estimate is None or estimate >= rows:
            continue
        cr.execute("SELECT current_setting('lock_timeout')")
        (timeout,) = cr.fetchone()
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    SQL(
                        "SELECT set_config('lock_timeout', %s, true)",
                        ANALYZE_LOCK_TIMEOUT,
                    )
                )
                cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
                cr.execute(SQL("SELECT set_config('lock_timeout', %s, true)", timeout))
        except errors.LockNotAvailable:
            _logger.info("Planner statistics of %s not refreshed: table busy", table)
            continue
        analyzed.append(table)
    return analyzed
