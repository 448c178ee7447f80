# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Base of the provider adapter tests: real HTTP against the local fakes."""

from urllib.parse import urlsplit

from odoo.tests import BaseCase
from odoo.tests.common import HOST, _super_send

from ..providers import get_adapter_class
from ..providers.base import AdapterConfig


class LocalFakes:
    """Mixin of the test cases that call the fake providers over HTTP.

    Odoo's test harness raises any ``requests`` timeout below 10 s to 10 s;
    the fakes listen on 127.0.0.1, so their calls keep the adapter's own
    timeout and the timeout paths run in a fraction of a second.
    """

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if urlsplit(r.url).hostname == HOST:
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


class ProviderCase(LocalFakes, BaseCase):
    """Pure-Python tests of the adapters against a fake provider server."""

    provider = ""

    def make_adapter(self, fake, provider=None, **config):
        """An adapter of ``provider`` configured for ``fake``.

        Back-off waits are recorded in ``self.sleeps`` instead of slept.
        """
        settings = fake.adapter_settings(**config)
        settings.setdefault("max_retries", 3)
        settings.setdefault("timeout", 5.0)
        adapter_class = get_adapter_class(provider or self.provider)
        adapter = adapter_class(AdapterConfig(**settings))
        self.sleeps = []
        adapter.http._sleep = self.sleeps.append
        self.addCleanup(adapter.close)
        return adapter

    def start(self, fake):
        fake.start()
        self.addCleanup(fake.stop)
        return fake

    @staticmethod
    def collect(pages):
        """All entries, errors, deleted ids and pages of an iteration."""
        pages = list(pages)
        entries = [entry for page in pages for entry in page.entries]
        errors = [error for page in pages for error in page.errors]
        return pages, entries, errors
