# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Guard of the paginated listings: a listing whose next link comes back,
or that never ends, stops with an error that says so.

Used by the synchronisation on the pages an adapter yields (their resume
tokens), and by the adapters on the listings they read whole without
yielding pages (Harvest's users, Clockify's users, QuickBooks Time's
jobcodes and deletions). Pure Python: no ORM, no HTTP.
"""

import json

from ..const import PARAM_SYNC_MAX_PAGES
from ..exceptions import ProviderError
from .http import mask_url

# Longest position quoted in an error.
_POSITION_MAX = 300


def read_resume_token(label, token, read):
    """``read(state)`` of the JSON ``state`` in a resume token the adapter
    wrote; a token it cannot read stops with an error that quotes it."""
    try:
        return read(json.loads(token))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ProviderError(
            f"{label}: cannot continue from resume token {token!r}."
        ) from err


class PageGuard:
    """Counts the pages of one listing and remembers where each continues.

    :param label: who sends the listing ("Harvest"), for the messages
    :param max_pages: the most pages the listing may have
    :param pages: pages already read (a listing resumed half-way)
    :param seen: positions already continued from (the resume token)
    """

    def __init__(self, label, max_pages, pages=0, seen=()):
        self.label = label
        self.max_pages = max(1, int(max_pages))
        self.pages = pages
        self.seen = {position for position in seen if position}

    def check(self, position=None):
        """Count one more page received, which continues at ``position``
        (its next link, cursor or resume token; None on the last page).

        Raises ProviderError when the listing has more than ``max_pages``
        pages, or when ``position`` was met before in this listing.
        """
        self.pages += 1
        if self.pages > self.max_pages:
            raise ProviderError(
                f"{self.label} kept sending pages: more than {self.max_pages:,} "
                f"pages in one listing, so it stops here. If the source really "
                f"holds that much, raise the system parameter "
                f"{PARAM_SYNC_MAX_PAGES}."
            )
        if not position:
            return
        if position in self.seen:
            shown = mask_url(str(position))[:_POSITION_MAX]
            raise ProviderError(
                f"{self.label} sent the same next page twice ({shown}): its "
                f"pagination goes round in circles, so the listing stops here."
            )
        self.seen.add(position)
