# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Synchronisation of a backend: runs, pages committed one by one under the
backend's lock, pauses for quotas and time slices, and failures.

Order of a synchronisation (:meth:`_sync`): take the backend's advisory lock;
open or continue the run and decide where to start (:meth:`_prepare_sync_run`);
import and commit each page of the adapter, then the deletions
(:meth:`_sync_pages`); once a day, for a source without a deletion feed,
find the time deleted there (:meth:`_reconcile_deletions`, in
:mod:`.reconcile`); record the outcome on the run and the backend
(:meth:`_sync_done`, :meth:`_sync_paused`, :meth:`_sync_failed`, in
:mod:`.sync_outcome`); release the lock.
"""

import logging
import traceback
from datetime import timedelta

from psycopg2 import Error as PsycopgError

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, split_every
from odoo.tools.misc import format_datetime

from ...exceptions import (
    ProviderAuthError,
    ProviderError,
    ProviderQuotaExceeded,
    RetryableProviderError,
)
from ...importer.staging import advisory_lock_key
from ...providers import ADAPTERS, Page
from ...providers.paging import PageGuard

_logger = logging.getLogger(__name__)

# A fresh synchronisation asks for entries updated a little before the last
# one started, so that clock differences with the provider lose nothing
# (entries seen twice are recognised as unchanged).
SYNC_OVERLAP = timedelta(minutes=5)
# Deleted ids reported by a provider are processed in batches of this size.
DELETION_BATCH_SIZE = 2000
# Attempts at a page that a concurrent import (a webhook) overlaps.
PAGE_ATTEMPTS = 3
# The longest Sync Now waits for a provider inside the web request, in
# seconds; when the provider asks for longer, the scheduled synchronisation
# continues at the time it allows.
MANUAL_MAX_RETRY_WAIT = 5.0


class TimeBillingBackend(models.Model):
    _inherit = "time.billing.backend"

    # ------------------------------------------------------------------
    # Public entry points of the import
    # ------------------------------------------------------------------

    def _start_sync_run(self, trigger):
        """Open the ``time.billing.sync.run`` that records one import.

        Every import (polling, webhook, file upload, review) goes through
        a run: ``run = backend._start_sync_run("webhook")``, then
        ``backend._process_page(page, run)`` for each page, then
        ``run._finish()``.

        :param trigger: a key of ``SYNC_RUN_TRIGGERS`` ("manual", "cron",
            "webhook", "file", "review")
        :return: the running ``time.billing.sync.run``
        """
        self.ensure_one()
        run = (
            self.env["time.billing.sync.run"]
            .sudo()
            .create({"backend_id": self.id, "trigger": trigger})
        )
        return run.with_env(self.env)

    def _process_page(self, page, sync_run):
        """Import one :class:`~..providers.base.Page` of this backend.

        The single way entries enter Odoo, whether polled, pushed by a webhook
        or read from a file, so that they are processed alike:

        - every entry, deletion and unreadable record (``page.errors``)
          becomes or updates a ``time.billing.entry`` keyed by
          ``(backend, external_id)`` (``line-<n>`` for file rows without id);
        - unchanged payloads are left alone, changes update the timesheet line
          unless it is approved or invoiced (then the entry is a conflict),
          deletions remove the line likewise;
        - users, projects, tasks and clients are matched (mappings first);
          what does not match, and running timers, wait as exceptions.

        Does not commit: the caller owns the transaction; the page is written
        entirely or not at all. Raises ``odoo.exceptions.ConcurrencyError``
        when a concurrent import committed some of the same entries after this
        transaction began: retry in a new transaction (Odoo retries HTTP
        requests on it). Runs as superuser inside the backend's company;
        callers check who may import.

        :param page: the :class:`Page` to import
        :param sync_run: the ``time.billing.sync.run`` it belongs to (see
            :meth:`_start_sync_run`); its counts and log are updated
        :return: counts, a dict with keys ``created``, ``updated``,
            ``unchanged``, ``deleted``, ``errors`` (exceptions and conflicts)
            and ``conflicts`` (the conflicts among the errors)
        """
        self.ensure_one()
        return self.env["time.billing.importer"]._import_page(self, page, sync_run)

    def action_sync(self):
        """Import from the provider now.

        Pages are committed one by one, so an interruption loses nothing and
        the next synchronisation resumes after the last committed page.

        :return: the ``time.billing.sync.run``
        """
        self.ensure_one()
        self._get_adapter_class()  # a clear error for file backends
        run = self._sync("manual")
        if not run:
            raise UserError(
                self.env._(
                    "Backend %(backend)s is being synchronised right now; try "
                    "again in a moment.",
                    backend=self.display_name,
                )
            )
        return run

    def action_sync_now(self):
        """Button: synchronise, then show the run."""
        run = self.action_sync()
        return {
            "type": "ir.actions.act_window",
            "res_model": "time.billing.sync.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _get_sync_due_domain(self):
        """Backends the scheduled synchronisation should import from now."""
        return (
            Domain("provider", "in", list(ADAPTERS))
            & Domain("sync_interval_minutes", ">", 0)
            # Stuck at one page: left to a person (see _sync_failed).
            & Domain("sync_resume_attempts", "<", self._get_max_resume_attempts())
            & (
                Domain("next_sync_date", "=", False)
                | Domain("next_sync_date", "<=", fields.Datetime.now())
            )
        )

    def _catch_up_late_webhook(self, event_date):
        """A signed webhook delivery came after the replay window: it is not
        applied, so the next synchronisation must import what it was about.
        Polling backends synchronise now; the others ask for a *Sync Now*."""
        self.ensure_one()
        if self.sync_interval_minutes > 0:
            self.next_sync_date = fields.Datetime.now()
            self.env.ref("time_billing_bridge.ir_cron_time_billing_sync")._trigger()
            return
        self.message_post(
            body=self.env._(
                "A webhook delivery signed at %(moment)s arrived too late to be "
                "applied. Run Sync Now to import what changed at the source.",
                moment=fields.Datetime.to_string(event_date.replace(tzinfo=None)),
            )
        )

    @api.model
    def _cron_sync(self):
        """Scheduled synchronisation of every due backend.

        One cron serves all backends, each at its own interval
        (``sync_interval_minutes``, ``next_sync_date``), as the OCA connectors
        do, rather than one ``ir.cron`` record per backend. Each backend runs
        in its own company. Pages are processed in savepoints and committed
        with ``ir.cron._commit_progress`` (a savepoint cannot span commits, so
        the page, not the backend, is the unit that is rolled back); a failing
        backend is recorded on itself and does not stop the others, even when
        the error escapes its synchronisation (:meth:`_sync_crashed`). When the
        cron's time slice is used up, the current run pauses after a
        committed page and the cron is called again to continue it.
        """
        backends = self.search(self._get_sync_due_domain(), order="next_sync_date, id")
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(backends))
        for index, backend in enumerate(backends):
            backend = backend.with_company(backend.company_id)
            left = len(backends) - index - 1
            try:
                run = backend._sync("cron")
            except Exception as err:  # noqa: BLE001 - recorded on the backend
                # Whatever one backend does, the others are synchronised:
                # undo its uncommitted work and record the error on it.
                self.env.cr.rollback()
                backend._sync_crashed(err)
            else:
                if not run:
                    _logger.info(
                        "Backend %s is being synchronised by another worker; skipped",
                        backend.id,
                    )
                elif backend.filtered_domain(self._get_sync_due_domain()):
                    # Paused for time: let the cron call us again to continue.
                    cron._commit_progress(1, remaining=left + 1)
                    return
            if not cron._commit_progress(1, remaining=left):
                return

    # ------------------------------------------------------------------
    # Synchronisation
    # ------------------------------------------------------------------

    def _sync_lock_key(self):
        return advisory_lock_key("time.billing.backend.sync", self.id)

    def _try_sync_lock(self):
        """Take the synchronisation lock of this backend, without waiting.

        A session-level advisory lock: unlike row locks and transaction
        advisory locks, it survives the commit of each page, and PostgreSQL
        releases it if the worker dies.
        """
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_lock(%s)", self._sync_lock_key())
        )
        return self.env.cr.fetchone()[0]

    def _release_sync_lock(self):
        query = SQL("SELECT pg_advisory_unlock(%s)", self._sync_lock_key())
        cr = self.env.cr
        try:
            cr.execute(query, log_exceptions=False)
        except PsycopgError:
            # The transaction is aborted (the error that caused it is on its
            # way up): release the lock as soon as it is rolled back, so that
            # it does not stay with the pooled connection.
            cr.postrollback.add(lambda: cr.execute(query))

    def _commit_sync_progress(self):
        """Commit what is done; return the seconds left to a cron's time
        slice (infinite outside a cron)."""
        return self.env["ir.cron"]._commit_progress(1)

    def _sync(self, trigger):
        """Synchronise under the backend's lock.

        :return: the run, or an empty recordset if another worker holds the
            lock
        """
        self.ensure_one()
        backend = self.with_company(self.company_id)
        if not backend._try_sync_lock():
            return self.env["time.billing.sync.run"]
        try:
            return backend._sync_locked(trigger)
        finally:
            backend._release_sync_lock()

    def _sync_locked(self, trigger):
        run, since, window_start, token = self._prepare_sync_run(trigger)
        pages_before = run.page_count
        adapter = None
        try:
            adapter = self._get_adapter(**self._get_sync_adapter_settings(trigger))
            if self._sync_pages(adapter, run, since, token) == "paused":
                return run
            # Every page is in: a source without a deletion feed is read
            # again over a window, once a day (see .reconcile).
            self._reconcile_deletions(adapter, run)
        except ProviderQuotaExceeded as err:
            self._sync_paused(run, err)
        except RetryableProviderError as err:
            if trigger == "manual" and (err.retry_after or 0) > MANUAL_MAX_RETRY_WAIT:
                # Asked to wait longer than a web request should take.
                self._sync_paused(run, err)
            else:
                self._sync_failed(
                    run,
                    self.env._(
                        "The provider is unavailable (%(error)s), even after "
                        "retrying. The next synchronisation resumes after the "
                        "last imported page.",
                        error=str(err),
                    ),
                    "partial" if run.page_count > pages_before else "failed",
                )
        except ProviderAuthError as err:
            self._sync_failed(
                run,
                self.env._(
                    "The provider refused the credentials of %(backend)s: "
                    "%(error)s. Check the API token and the account or workspace "
                    "ID on the backend, then use Check Connection.",
                    backend=self.display_name,
                    error=str(err),
                ),
                "failed",
                at_resume_point=False,
            )
        except ProviderError as err:
            self._sync_failed(
                run,
                self.env._("The synchronisation failed: %(error)s", error=str(err)),
                "partial" if run.page_count > pages_before else "failed",
            )
        except UserError as err:
            self._sync_failed(run, str(err), "failed")
        except Exception as err:  # noqa: BLE001 - recorded on the backend
            # The traceback may quote a request (headers, URL): no secrets.
            _logger.error(
                "Synchronisation of backend %s failed:\n%s",
                self.id,
                self._redact_secrets(traceback.format_exc()),
            )
            self._sync_failed(
                run,
                self.env._(
                    "The synchronisation stopped on an unexpected error: "
                    "%(error)s. The next synchronisation resumes after the last "
                    "imported page.",
                    error=str(err),
                ),
                "partial" if run.page_count > pages_before else "failed",
            )
        else:
            self._sync_done(run, window_start)
        finally:
            if adapter is not None:
                adapter.close()
        return run

    def _get_sync_adapter_settings(self, trigger):
        """Adapter settings of a synchronisation started by ``trigger``:
        Sync Now runs in a web request, so it waits for the provider only
        briefly (``max_retry_wait``); the scheduled one keeps the backend's.
        Hook for extensions."""
        if trigger == "manual":
            return {"max_retry_wait": MANUAL_MAX_RETRY_WAIT}
        return {}

    def _prepare_sync_run(self, trigger):
        """The run to record this synchronisation in, and where to start.

        :return: ``(run, since, window_start, resume_token)``
        """
        run = self.sync_resume_run_id
        if run.state == "running":
            # Paused at the end of a cron time slice, or its worker died.
            run._log(self.env._("Continued after page %(page)s", page=run.page_count))
        else:
            run = self._start_sync_run(trigger)
        if self.sync_resume_start:
            since = self.sync_resume_since or None
            window_start = self.sync_resume_start
            token = self.sync_resume_token or None
            if not run.page_count:
                run._log(
                    self.env._(
                        "Resuming the synchronisation started on %(date)s after "
                        "its last imported page",
                        date=format_datetime(self.env, window_start, dt_format="short"),
                    )
                )
        else:
            since = self.last_sync_date and self.last_sync_date - SYNC_OVERLAP or None
            window_start, token = fields.Datetime.now(), None
        run.sudo().since_date = since
        self.sudo().write(
            {
                "sync_resume_since": since,
                "sync_resume_start": window_start,
                "sync_resume_token": token or False,
                "sync_resume_run_id": run.id,
            }
        )
        self._commit_sync_progress()
        return run, since, window_start, token

    def _sync_pages(self, adapter, run, since, token):
        """Import every page, then the deletions, committing each.

        A page that continues where an earlier page of the run did, or a
        listing longer than ``time_billing_bridge.sync_max_pages``, stops the
        run (ProviderError) before the page is imported.

        :return: "paused" when a cron's time slice ended first, else "done"
        """
        guard = PageGuard(
            getattr(adapter, "label", "") or self.display_name,
            self._get_max_sync_pages(),
            pages=run.page_count,
            seen=[token],
        )
        for page in adapter.iter_pages(since=since, resume_token=token):
            guard.check(page.resume_token)
            self._process_committed_page(page, run, resumable=True)
            time_left = self._commit_sync_progress()
            if not time_left and page.resume_token:
                self.sudo().next_sync_date = fields.Datetime.now()
                self._commit_sync_progress()
                return "paused"
        deleted = adapter.iter_deleted(since=since)
        for deleted_ids in split_every(DELETION_BATCH_SIZE, deleted, list):
            guard.check()
            self._process_committed_page(Page(deleted_ids=deleted_ids), run)
            self._commit_sync_progress()
        self._sync_recheck_source_approvals(adapter, run)
        return "done"

    def _process_committed_page(self, page, run, resumable=False):
        """Process ``page`` in a savepoint, with its resume token when it is
        a page of entries (``resumable``); the caller commits. A page that a
        concurrent import overlaps is tried again in a new transaction."""
        for attempt in range(1, PAGE_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint():
                    self._process_page(page, run)
                    if resumable:
                        # The resume point moves: its failures start over.
                        self.sudo().write(
                            {
                                "sync_resume_token": page.resume_token or False,
                                "sync_resume_attempts": 0,
                            }
                        )
                return
            except ConcurrencyError:
                if attempt == PAGE_ATTEMPTS:
                    raise
                _logger.info(
                    "Backend %s: page overlapped by a concurrent import, retrying",
                    self.id,
                )
                # A new transaction sees what the other import committed.
                self._commit_sync_progress()
