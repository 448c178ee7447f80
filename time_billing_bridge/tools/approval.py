# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When priced time waits for its approver, over plain values."""

from datetime import date, timedelta

_EPSILON = 1e-6


def budget_share(consumed: float, budget: float) -> float | None:
    """Share of ``budget`` (in %) that ``consumed`` represents, ``None``
    without a budget."""
    if budget <= 0:
        return None
    return consumed / budget * 100.0


def approval_reasons(
    *,
    hours: float,
    amount: float,
    share: float | None,
    hours_threshold: float,
    amount_threshold: float,
    share_threshold: float,
    hold_reason: str | None = None,
) -> list:
    """Why an entry waits for the approver, as ``(code, values)`` pairs.

    An empty list means the entry may be approved without anyone (right away
    or after the grace period). Thresholds at 0 are disabled; an entry waits
    when it is strictly above one. ``hold_reason`` is what pricing said when it
    held the entry (a cap reached, a retainer used up): held time always waits.
    """
    reasons = []
    if hold_reason:
        reasons.append(("hold", {"reason": hold_reason}))
    if hours_threshold > 0 and hours > hours_threshold + _EPSILON:
        reasons.append(("hours", {"hours": hours, "threshold": hours_threshold}))
    if amount_threshold > 0 and amount > amount_threshold + _EPSILON:
        reasons.append(("amount", {"amount": amount, "threshold": amount_threshold}))
    if share_threshold > 0 and share is not None and share > share_threshold + _EPSILON:
        reasons.append(("share", {"share": share, "threshold": share_threshold}))
    return reasons


def auto_approve_date(today: date, delay_days: int, current: date | None = None):
    """Day an entry under the thresholds is approved: ``None`` for right away,
    otherwise the day already promised or ``today`` plus the grace period."""
    if delay_days <= 0:
        return None
    return current or today + timedelta(days=delay_days)
