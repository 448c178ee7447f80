# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outcome of a synchronisation: what a finished, paused or failed run
leaves on the run and on the backend (cursor, resume point, next date,
error, activity), and when the scheduled synchronisation comes back.

:mod:`.sync` calls these once a synchronisation ends, whichever way. A
backend that keeps failing at the same resume point is left to a person
after ``time_billing_bridge.sync_max_resume_attempts`` attempts, who may reset
that point (:meth:`action_reset_sync_resume`).
"""

import logging
import traceback
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_datetime

from ...const import (
    ACTIVITY_SYNC_FAILURE,
    DEFAULT_SYNC_MAX_RESUME_ATTEMPTS,
    GROUP_MANAGER,
    PARAM_SYNC_MAX_RESUME_ATTEMPTS,
)
from ...exceptions import ProviderQuotaExceeded

_logger = logging.getLogger(__name__)

# Waiting time when a provider says its quota is used up but not for how long.
DEFAULT_QUOTA_WAIT = timedelta(hours=1)
# The longest a synchronisation waits for a provider, whatever it asks (a
# header of 10^12 seconds or a date in year 9999 is a mistake, not a plan).
MAX_SYNC_WAIT = timedelta(days=1)


def clamp_wait(seconds, default=DEFAULT_QUOTA_WAIT):
    """The wait a provider asked for, in seconds, as a timedelta between
    nothing and :data:`MAX_SYNC_WAIT`; ``default`` when it named none (None,
    zero, negative or not a number)."""
    if not isinstance(seconds, int | float) or not seconds > 0:
        return default
    return timedelta(seconds=min(seconds, MAX_SYNC_WAIT.total_seconds()))


class TimeBillingBackend(models.Model):
    _inherit = "time.billing.backend"

    def _sync_done(self, run, window_start):
        run._finish("done")
        self.sudo().write(
            {
                "last_sync_date": window_start,
                "sync_resume_since": False,
                "sync_resume_start": False,
                "sync_resume_token": False,
                "sync_resume_run_id": False,
                "sync_resume_attempts": 0,
            }
        )
        self._next_sync()
        self._clear_sync_error()
        self._commit_sync_progress()

    def _sync_paused(self, run, err):
        """The provider asks to wait: its quota is used up, or Sync Now was
        asked to wait longer than a web request may take. Stop after the last
        committed page, keep the resume point, and continue when allowed."""
        resume_at = fields.Datetime.now() + clamp_wait(err.retry_after)
        values = {
            "error": self._redact_secrets(str(err)),
            "date": fields.Datetime.to_string(resume_at),
        }
        if isinstance(err, ProviderQuotaExceeded):
            reason = self.env._(
                "Paused until %(date)s UTC, when the provider's quota allows "
                "again: %(error)s",
                **values,
            )
        else:
            reason = self.env._(
                "Paused until %(date)s UTC, when the provider allows again: %(error)s",
                **values,
            )
        moment = fields.Datetime.context_timestamp(self, resume_at).strftime("%H:%M")
        if self.sync_interval_minutes > 0:
            follow_up = self.env._(
                "The synchronisation continues in the background at %(time)s.",
                time=moment,
            )
        else:
            follow_up = self.env._(
                "Run Sync Now again after %(time)s to continue.", time=moment
            )
        run._log(reason, follow_up)
        run._finish("partial")
        self.sudo().write({"next_sync_date": resume_at, "sync_resume_run_id": False})
        self._schedule_sync(resume_at)
        self._commit_sync_progress()

    def _next_sync(self):
        self.sudo().next_sync_date = fields.Datetime.now() + timedelta(
            minutes=max(self.sync_interval_minutes, 1)
        )

    def _schedule_sync(self, at):
        """Make sure the scheduled synchronisation runs at ``at``. Hook for
        extensions (e.g. to delay a job instead)."""
        cron = self.env.ref(
            "time_billing_bridge.ir_cron_time_billing_sync", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger(at=at)

    @api.model
    def _get_max_resume_attempts(self):
        """Synchronisations in a row that may fail at one resume point."""
        return int(
            self._get_positive_param(
                PARAM_SYNC_MAX_RESUME_ATTEMPTS, DEFAULT_SYNC_MAX_RESUME_ATTEMPTS
            )
        )

    def _sync_failed(self, run, message, state, at_resume_point=True):
        """Record a failed synchronisation on the run and the backend (its
        error, activity and chatter), without the backend's secrets.

        ``at_resume_point``: the failure is the source's or the import's at
        the backend's resume point, and counts towards the attempts after
        which the scheduled synchronisation gives up (not for refused
        credentials, which stop every page alike).
        """
        backend = self.sudo()
        attempts = backend.sync_resume_attempts + (1 if at_resume_point else 0)
        stuck = at_resume_point and attempts >= self._get_max_resume_attempts()
        if stuck:
            state = "failed"
            message = "\n".join(
                [
                    message,
                    self.env._(
                        "This page was tried %(count)s times in a row without "
                        "success (synchronisation started on %(start)s), so the "
                        "scheduled synchronisation no longer retries this "
                        "backend. Fix the cause and run Sync Now, or use Reset "
                        "Resume Point to start again from the last completed "
                        "synchronisation (entries read again are recognised, "
                        "not duplicated).",
                        count=attempts,
                        start=format_datetime(
                            self.env, backend.sync_resume_start, dt_format="short"
                        ),
                    ),
                ]
            )
        message = self._redact_secrets(message)
        run._log(message)
        run._finish(state)
        first_failure = not backend.last_error
        backend.write(
            {
                "last_error": message,
                "last_error_date": backend.last_error_date or fields.Datetime.now(),
                "sync_resume_run_id": False,
                "sync_resume_attempts": attempts,
            }
        )
        self._next_sync()
        note = Markup("<p>%s</p>") % message
        activity = backend.activity_search([ACTIVITY_SYNC_FAILURE])
        if activity:
            activity.write({"note": note})
        else:
            backend.activity_schedule(
                ACTIVITY_SYNC_FAILURE,
                note=note,
                user_id=(backend.responsible_id or self.env.user).id,
            )
        if first_failure or stuck:
            backend.message_post(body=message)
        self._commit_sync_progress()

    def _clear_sync_error(self):
        backend = self.sudo()
        if backend.last_error:
            backend.write({"last_error": False, "last_error_date": False})
            backend.activity_feedback(
                [ACTIVITY_SYNC_FAILURE],
                feedback=self.env._("The synchronisation works again."),
            )

    def _sync_crashed(self, error):
        """Record an error that escaped the synchronisation of this backend
        (see ``_cron_sync``), once its transaction is rolled back: the run is
        closed, the error kept on the backend, and the next attempt waits for
        the backend's interval. Nothing is raised from here."""
        self.ensure_one()
        _logger.error(
            "Scheduled synchronisation of backend %s failed:\n%s",
            self.id,
            self._redact_secrets("".join(traceback.format_exception(error))),
        )
        try:
            run = self.sync_resume_run_id
            if run.state != "running":
                run = self._start_sync_run("cron")
            self._sync_failed(
                run,
                self.env._(
                    "The synchronisation stopped on an unexpected error: "
                    "%(error)s. The next synchronisation resumes after the last "
                    "imported page.",
                    error=str(error),
                ),
                "partial" if run.page_count else "failed",
            )
        except Exception:  # noqa: BLE001 - logged; the cron goes on
            self.env.cr.rollback()
            _logger.exception(
                "The failed synchronisation of backend %s could not be recorded",
                self.id,
            )

    def action_reset_sync_resume(self):
        """Button (managers only): forget where an interrupted
        synchronisation stopped, and the attempts counted there. The next
        synchronisation starts again from the last completed one, which only
        costs time: entries read again are recognised as unchanged."""
        if not (self.env.su or self.env.user.has_group(GROUP_MANAGER)):
            raise AccessError(
                self.env._(
                    "Only time billing managers may reset the resume point of "
                    "a backend."
                )
            )
        for backend in self:
            if not backend._try_sync_lock():
                raise UserError(
                    self.env._(
                        "Backend %(backend)s is being synchronised right now; "
                        "try again in a moment.",
                        backend=backend.display_name,
                    )
                )
            try:
                backend._reset_sync_resume()
            finally:
                backend._release_sync_lock()
        return True

    def _reset_sync_resume(self):
        self.ensure_one()
        backend = self.sudo()
        run = backend.sync_resume_run_id
        note = self.env._(
            "Resume point reset by %(user)s: the next synchronisation starts "
            "again from the last completed one (%(date)s).",
            user=self.env.user.name,
            date=fields.Datetime.to_string(backend.last_sync_date)
            or self.env._("the beginning"),
        )
        if run.state == "running":
            run._log(note)
            run._finish("partial" if run.page_count else "failed")
        backend.write(
            {
                "sync_resume_since": False,
                "sync_resume_start": False,
                "sync_resume_token": False,
                "sync_resume_run_id": False,
                "sync_resume_attempts": 0,
            }
        )
        backend.message_post(body=note)
