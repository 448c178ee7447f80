# In pipeline order: source → staging entry → mapping → timesheet line →
# validation → rating → approval.

# Records only the pipeline writes (staging entries, billing periods)
from . import time_billing_pipeline_mixin

# Settings
from . import res_company
from . import res_config_settings

# Source: connected accounts, their runs, pushed events, file formats
from . import time_billing_backend
from . import time_billing_sync_run
from . import time_billing_webhook_event
from . import time_billing_file_format

# Staging entry and mapping; the importer turns entries into timesheet lines
from . import time_billing_entry
from . import time_billing_entry_conflict
from . import time_billing_mapping
from . import time_billing_importer

# The terms billing reads: contracts, rate cards, billing periods
from . import time_billing_contract
from . import time_billing_rate_rule
from . import time_billing_period

# The timesheet line through validation, rating and approval
from . import account_analytic_line
from . import mail_activity

# Invoices of approved time, and their follow-up
from . import time_billing_invoice_run
from . import account_move
from . import project_project

# Payment reminders: policies and their levels, the reminders handled per
# invoice, which clients get none
from . import time_billing_reminder_policy
from . import time_billing_reminder
from . import res_partner
