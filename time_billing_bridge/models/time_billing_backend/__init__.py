# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from . import backend
from . import adapter
from . import sync
from . import sync_outcome
from . import reconcile
from . import source_approval
from . import jira
