# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Deletion check: entries gone at a source that reports no deletions.

Harvest, Tempo, Clio, ClickUp and Clockify never tell a poll that an entry
was deleted. Once a day, after a synchronisation that imported every page,
:meth:`_reconcile_deletions` re-reads the entries dated in the backend's
window (``deletion_check_days``, the last 60 days by default) and sends the
imported entries it no longer lists through the importer's deletion path, in
committed batches like the deletions of a feed: open lines are removed,
approved or invoiced ones become conflicts.

Order of the check: due? (:meth:`_deletion_check_due`); read the source's
window whole, a day wider on each side for time zones (any failure: nothing
is deleted, the next synchronisation tries again); the candidates, imported
entries dated in the window and written before the listing began
(:meth:`_deletion_check_candidates`); those not listed, restricted to the
people the listing covered; refuse an implausible result
(:meth:`_deletion_check_refused`); confirm with the provider where it can
(``confirm_deleted``); import the deletions; log the counts on the run.
"""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, split_every
from odoo.tools.misc import format_date

from ...exceptions import ProviderError
from ...importer import staging
from ...providers import Page, get_adapter_class

_logger = logging.getLogger(__name__)

DEFAULT_DELETION_CHECK_DAYS = 60
# At most one check a day per backend (a little less, so that an hourly
# schedule does not drift by an hour each day).
DELETION_CHECK_INTERVAL = timedelta(hours=23)
# The source is read one day wider on each side than the window: an entry
# is dated in its person's time zone, while some sources filter on UTC times.
DELETION_CHECK_MARGIN = timedelta(days=1)
# A check that finds at least this many entries gone, and more than this
# share of the window's entries, is refused: a source that suddenly lists
# nothing (another account, a token that sees less) must not delete time.
DELETION_CHECK_REFUSE_MIN = 20
DELETION_CHECK_REFUSE_SHARE = 0.5
# Deletions found are imported in batches of this size, each committed.
DELETION_CHECK_BATCH_SIZE = 2000


class TimeBillingBackend(models.Model):
    _inherit = "time.billing.backend"

    deletion_check_days = fields.Integer(
        string="Check Deletions Over (days)",
        default=DEFAULT_DELETION_CHECK_DAYS,
        help="This source does not report deleted time. Once a day, after a "
        "complete synchronisation, the entries dated in this many last days "
        "are read again: time no longer at the source has its timesheet line "
        "removed, or becomes a conflict to review when the line is approved "
        "or invoiced. 0 turns the check off.",
    )
    deletion_check_date = fields.Datetime(
        string="Deletions Last Checked",
        copy=False,
        readonly=True,
        help="When the source was last read again to find deleted time.",
    )
    checks_deletions = fields.Boolean(
        compute="_compute_checks_deletions",
        help="Whether deleted time is found by reading this source again.",
    )

    @api.depends("provider")
    def _compute_checks_deletions(self):
        for backend in self:
            adapter_class = get_adapter_class(backend.provider)
            backend.checks_deletions = bool(
                adapter_class and adapter_class.lists_present_entries
            )

    @api.constrains("deletion_check_days")
    def _check_deletion_check_days(self):
        for backend in self:
            if backend.deletion_check_days < 0:
                raise ValidationError(
                    self.env._(
                        "Backend %(backend)s: the days over which deletions are "
                        "checked cannot be negative (0 turns the check off).",
                        backend=backend.display_name,
                    )
                )

    def _deletion_check_due(self, adapter):
        """Whether this synchronisation checks for deleted time."""
        self.ensure_one()
        if not (
            self.deletion_check_days > 0
            and getattr(adapter, "lists_present_entries", False)
        ):
            return False
        last = self.deletion_check_date
        return not last or fields.Datetime.now() - last >= DELETION_CHECK_INTERVAL

    def _reconcile_deletions(self, adapter, run):
        """Find the entries of the window that are gone at the source and
        import their deletion; see the module's docstring for the order.

        Called under the synchronisation's lock once every page is imported.
        Never raises for the provider: a failed listing is logged on the run
        and deletes nothing.

        :return: the number of entries found gone (0 when refused or skipped)
        """
        self.ensure_one()
        if not self._deletion_check_due(adapter):
            return 0
        last_day = fields.Date.context_today(self)
        first_day = last_day - timedelta(days=self.deletion_check_days)
        window = {
            "start": format_date(self.env, first_day),
            "end": format_date(self.env, last_day),
        }
        # Entries written after this transaction began (a webhook meanwhile)
        # may be missing from the listing without being gone: they are left
        # alone. The transaction's own time, to the microsecond, as
        # ``write_date`` records it (a time cut to the second would leave out
        # what the pages of this synchronisation wrote in that second).
        listing_start = self.env.cr.now()
        try:
            listing = adapter.list_present(
                first_day - DELETION_CHECK_MARGIN, last_day + DELETION_CHECK_MARGIN
            )
        except ProviderError as err:
            run._log(
                self.env._(
                    "Deleted time not checked: the source could not be read "
                    "again whole (%(error)s). Nothing was removed; the next "
                    "synchronisation tries again.",
                    error=self._redact_secrets(str(err)),
                )
            )
            return 0
        candidates = self._deletion_check_candidates(
            first_day, last_day, listing_start, listing.user_refs
        )
        missing = [
            entry.external_id
            for entry in candidates
            if entry.external_id not in listing.ids
        ]
        self.sudo().deletion_check_date = listing_start
        if self._deletion_check_refused(run, missing, candidates, window):
            self._commit_sync_progress()
            return 0
        if missing:
            try:
                missing = adapter.confirm_deleted(missing)
            except ProviderError as err:
                run._log(
                    self.env._(
                        "Deleted time not checked: the source could not confirm "
                        "the deletions (%(error)s). Nothing was removed.",
                        error=self._redact_secrets(str(err)),
                    )
                )
                self.sudo().deletion_check_date = False
                return 0
        deleted, errors = run.deleted_count, run.error_count
        for batch in split_every(DELETION_CHECK_BATCH_SIZE, missing, list):
            self._process_committed_page(Page(deleted_ids=batch), run)
            self._commit_sync_progress()
        run._log(
            self.env._(
                "Deleted time checked from %(start)s to %(end)s: %(count)s of "
                "%(total)s entries gone at the source; lines removed: "
                "%(removed)s, kept as conflicts to review: %(conflicts)s.",
                count=len(missing),
                total=len(candidates),
                removed=run.deleted_count - deleted,
                conflicts=run.error_count - errors,
                **window,
            )
        )
        self._commit_sync_progress()
        return len(missing)

    def _deletion_check_candidates(self, first_day, last_day, before, user_refs):
        """The entries of this backend that the check may find gone: dated
        in the window, not deleted nor already waiting as a deletion
        conflict nor kept after one, last written by ``before``, by one
        of ``user_refs`` (None: anyone), and not received from a file or,
        for a source without webhooks of its own, the generic webhook."""
        self.ensure_one()
        foreign = ["file"]
        adapter_class = get_adapter_class(self.provider)
        if not (adapter_class and adapter_class.supports_webhooks):
            foreign.append("webhook")
        domain = (
            Domain("backend_id", "=", self.id)
            & Domain("state", "!=", "deleted")
            & Domain("date", ">=", first_day)
            & Domain("date", "<=", last_day)
            # To the microsecond: a domain on a datetime compares whole
            # seconds.
            & Domain.custom(
                to_sql=lambda model, alias, query: SQL(
                    "%s <= %s", model._field_to_sql(alias, "write_date", query), before
                )
            )
            & ~(
                Domain("state", "=", "conflict")
                & Domain("conflict_type", "=", "delete")
            )
            & (
                Domain("dismissed_payload_hash", "=", False)
                | Domain("dismissed_payload_hash", "!=", staging.DELETED_MARKER)
            )
            & (
                Domain("sync_run_id", "=", False)
                | Domain("sync_run_id.trigger", "not in", foreign)
            )
        )
        if user_refs is not None:
            domain &= Domain("external_user_ref", "in", list(user_refs))
        return (
            self.env["time.billing.entry"]
            .sudo()
            .search_fetch(domain, ["external_id"], order="id")
        )

    def _deletion_check_refused(self, run, missing, candidates, window):
        """Refuse, and say so on the run and the backend, a check that finds
        implausibly much gone at once."""
        if not (
            len(missing) >= DELETION_CHECK_REFUSE_MIN
            and len(missing) > DELETION_CHECK_REFUSE_SHARE * len(candidates)
        ):
            return False
        message = self.env._(
            "Deleted time not removed: the source no longer lists %(count)s of "
            "the %(total)s entries imported from %(start)s to %(end)s. So much "
            "gone at once usually means the token or the account now sees less "
            "(another account, a user without access to everyone's time), so "
            "nothing was removed. Check the backend's token and account; if "
            "that time really was deleted at the source, delete its timesheet "
            "lines in Odoo.",
            count=len(missing),
            total=len(candidates),
            **window,
        )
        _logger.warning(
            "Backend %s: deletion check refused, %s of %s entries not listed",
            self.id,
            len(missing),
            len(candidates),
        )
        run._log(message)
        self.sudo().message_post(body=Markup("<p>%s</p>") % message)
        return True
