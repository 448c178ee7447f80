# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Listings that link to their next page (Harvest, Tempo, Clio): the filter
of a run and the walk from link to link, for the adapters that share them."""

from dataclasses import dataclass

from ..exceptions import ProviderError
from .common import nested, start_window, utc_iso


def since_filter(options, since, since_key, start_key):
    """Query parameters of a run: what changed since ``since`` (``since_key``)
    or, on the first run, what is dated from ``options['start_date']``
    (``start_key``); nothing when neither applies."""
    if since is not None:
        return {since_key: utc_iso(since)}
    first_day = start_window(None, options)
    return {start_key: first_day.isoformat()} if first_day else {}


@dataclass(frozen=True)
class Listing:
    """Where an API lists records and links the next page.

    :param endpoint: path of the listing, relative to the API URL
    :param records: key path of the records in an answer
    :param next_link: key path of the next page's URL in an answer
    :param where: "<Provider> answered GET /x without ..." for a wrong shape
    """

    endpoint: str
    records: tuple
    next_link: tuple
    where: str


def linked_pages(adapter, listing, params, resume_token=None):
    """Yield ``(records, next_url)`` for each page of ``listing``, from its
    first page with ``params`` or from ``resume_token`` (a next link); the
    last page has no next URL. An empty page ends the listing."""
    if resume_token:
        url, params = adapter._follow(resume_token, listing.endpoint), None
    else:
        url = listing.endpoint
    while url:
        data, _response = adapter.http.get_json(url, params)
        records = nested(data, *listing.records)
        if not isinstance(records, list):
            raise ProviderError(listing.where)
        next_url = nested(data, *listing.next_link)
        if not isinstance(next_url, str) or not next_url or not records:
            next_url = None
        yield records, next_url
        if next_url is None:
            break
        url, params = adapter._follow(next_url, listing.endpoint), None
