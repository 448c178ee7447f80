# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The notification a button returns to the web client."""

CLOSE = {"type": "ir.actions.act_window_close"}
RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}


def notification(message, kind="success", title=None, next_action=None, sticky=False):
    """A ``display_notification`` client action showing ``message`` (``kind``:
    success, warning, danger or info), then running ``next_action``."""
    params = {"type": kind, "message": message}
    if title:
        params["title"] = title
    if sticky:
        params["sticky"] = True
    if next_action:
        params["next"] = next_action
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": params,
    }
