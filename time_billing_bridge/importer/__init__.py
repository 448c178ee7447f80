# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Pure helpers of the importer: staging values, payload hashes, matching.

Nothing here touches the ORM; ``time.billing.importer`` gathers the records,
these functions decide.
"""
