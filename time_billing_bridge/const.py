# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""States, named state sets, groups, activity types and context keys.

The models import these names from here, never from each other.
"""

# --- Billing state of a timesheet line (account.analytic.line.billing_state) --
# An empty state (False) is time not billed, or not routed yet.

BILLING_STATES = [
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("non_billable", "Non-Billable"),
    ("exception", "Exception"),
    ("invoiced", "Invoiced"),
]
# Not reviewed yet: re-rating a contract prices this time again.
OPEN_STATES = (False, "to_approve", "non_billable", "exception")
# Priced and waiting for routing: approved now, later, or by a person.
ROUTABLE_STATES = (False, "to_approve")
# Priced time that consumes caps, retainers and overtime limits.
COUNTED_STATES = (False, "to_approve", "approved", "invoiced")
# Only a billing manager changes this time; a later import raises a conflict.
LOCKED_STATES = ("approved", "invoiced")
# Rating leaves the price of this time alone.
UNRATED_STATES = ("exception", *LOCKED_STATES)

# The allowed moves of billing_state: target -> the states it may come from.
# account.analytic.line._billing_set_state() is the only code that moves it.
BILLING_TRANSITIONS = {
    # Validation clears an exception or time that left every contract; an edit
    # sends rejected time, or approved time a billing manager changed, back
    # through billing.
    False: (*OPEN_STATES, "rejected", "approved"),
    # Validation and rating (sales orders, the rate card, the source's flag).
    "exception": (*OPEN_STATES, "rejected"),
    "non_billable": (*OPEN_STATES, "rejected"),
    # Routing, and approval by a person or after the grace period.
    "to_approve": ROUTABLE_STATES,
    # An invoice cancelled, reset to draft or credited gives its time back.
    "approved": (*ROUTABLE_STATES, "invoiced"),
    "rejected": ("to_approve", "approved"),
    # Posting the invoice that bills it.
    "invoiced": ("approved",),
}

BILLING_EXCEPTION_TYPES = [
    ("no_contract", "No Contract on the Date"),
    ("closed_period", "No Open Period"),
    ("duration", "Invalid Duration"),
    ("future_date", "Future Date"),
    ("duplicate", "Duplicate"),
]

# --- Other records of the pipeline -----------------------------------------

ENTRY_STATES = [
    ("imported", "Imported"),
    ("exception", "Exception"),
    ("conflict", "Conflict"),
    ("deleted", "Deleted"),
]
# What stops an entry from becoming a timesheet line, to sort the exceptions
# by the work they ask for (one mapping fixes every "unknown person" of a
# source).
EXCEPTION_KINDS = [
    ("unknown_person", "Unknown Person"),
    ("unknown_project", "Unknown Project"),
    ("unknown_task", "Unknown Task"),
    ("unknown_client", "Unknown Client"),
    ("bad_date", "Missing or Bad Date"),
    ("bad_hours", "Bad Hours"),
    ("repeated_row", "Repeated Line"),
    ("unreadable_row", "Unreadable Record"),
    ("timer_running", "Timer Still Running"),
    ("not_approved", "Not Approved at the Source"),
    ("source_changed", "Changed at the Source"),
    ("source_deleted", "Deleted at the Source"),
]
CONTRACT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("closed", "Closed"),
]
PERIOD_STATES = [
    ("open", "Open"),
    ("closed", "Closed"),
]
SYNC_RUN_STATES = [
    ("running", "Running"),
    ("done", "Done"),
    ("partial", "Partially Done"),
    ("failed", "Failed"),
]

# --- Billing terms a company sets defaults for and contracts choose ---------

ROUNDING_METHODS = [
    ("up", "Up"),
    ("nearest", "Nearest"),
    ("down", "Down"),
]
BILLING_PERIODS = [
    ("weekly", "Weekly"),
    ("biweekly", "Every Two Weeks"),
    ("monthly", "Monthly"),
    ("milestone", "On Milestone"),
    ("manual", "Manual"),
]

# --- Invoice runs ----------------------------------------------------------

# Billing modes with a fixed fee, billed once per billing period.
FIXED_FEE_MODES = ("fixed", "mixed")
# Invoice lines that move a retainer's prepaid balance.
RETAINER_LINE_KINDS = [
    ("topup", "Retainer Top-Up"),
    ("credit", "Retainer Credit"),
]

INVOICE_RUN_TRIGGERS = [
    ("manual", "Manual"),
    ("cron", "End of Billing Period"),
    ("project_stage", "Project Ready for Billing"),
]
# Why an invoice run left a contract or a period without an invoice, or left
# part of its time out.
INVOICE_SKIP_REASONS = [
    ("closed_contract", "Closed Contract"),
    ("no_product", "No Invoiced Product"),
    ("nothing", "Nothing to Invoice"),
    ("waiting", "Time Waiting for Approval"),
    ("exception", "Time in Exception"),
    ("rounding", "Amounts Differ from the Invoice"),
]

# --- Payment reminders -----------------------------------------------------

# The date a level's delay counts from.
DELAY_BASES = [
    ("invoice_date", "Invoice Date"),
    ("due_date", "Due Date"),
]
# How a level reaches the client or the engagement manager. SMS is offered
# only while Odoo's SMS module is installed.
REMINDER_CHANNELS = [
    ("email", "Email"),
    ("activity", "Activity"),
    ("sms", "SMS"),
]
# What became of a level on an invoice.
REMINDER_STATES = [
    ("sent", "Sent"),
    ("skipped", "Skipped"),
]
REMINDER_TRIGGERS = [
    ("cron", "Daily Job"),
    ("manual", "Send Reminder Now"),
]

# --- Groups and activity types (xml ids) -------------------------------------

GROUP_USER = "time_billing_bridge.group_time_billing_user"
GROUP_MANAGER = "time_billing_bridge.group_time_billing_manager"
# Who reads what time is billed at (rates and amounts of timesheet lines):
# billing staff and accountants, not the people who log the time.
BILLING_AMOUNT_GROUPS = f"{GROUP_USER},account.group_account_invoice"

ACTIVITY_APPROVAL = "time_billing_bridge.mail_act_time_billing_approval"
ACTIVITY_BUDGET_ALERT = "time_billing_bridge.mail_act_time_billing_budget_alert"
ACTIVITY_UNBILLED = "time_billing_bridge.mail_act_time_billing_unbilled"
ACTIVITY_SYNC_FAILURE = "time_billing_bridge.mail_act_time_billing_sync_failure"
ACTIVITY_REMINDER_ESCALATION = (
    "time_billing_bridge.mail_act_time_billing_reminder_escalation"
)
# The standard payment reminder policy, every company's default at first.
REMINDER_POLICY_DEFAULT = "time_billing_bridge.time_billing_reminder_policy_default"

# --- Outgoing calls to the providers (system parameters) --------------------

# "1" lets a backend's API URL use plain http (a test server, a local proxy).
PARAM_ALLOW_HTTP = "time_billing_bridge.allow_http_api_url"
# "1" lets it point to private, loopback, link-local or reserved addresses.
PARAM_ALLOW_PRIVATE = "time_billing_bridge.allow_private_api_hosts"
# Seconds one HTTP exchange (connect, headers and body) may take in all.
PARAM_HTTP_DEADLINE = "time_billing_bridge.http_deadline"
DEFAULT_HTTP_DEADLINE = 120
# Largest response body read from a provider, in bytes.
PARAM_HTTP_MAX_BYTES = "time_billing_bridge.http_max_response_bytes"
DEFAULT_HTTP_MAX_BYTES = 32 * 1024 * 1024

# --- Synchronisation with the providers (system parameters) ----------------

# Synchronisations in a row that may fail at the same resume point before the
# scheduled synchronisation stops retrying the backend.
PARAM_SYNC_MAX_RESUME_ATTEMPTS = "time_billing_bridge.sync_max_resume_attempts"
DEFAULT_SYNC_MAX_RESUME_ATTEMPTS = 5
# Pages one listing may have in one synchronisation: beyond, the provider's
# pagination is taken to never end.
PARAM_SYNC_MAX_PAGES = "time_billing_bridge.sync_max_pages"
DEFAULT_SYNC_MAX_PAGES = 10_000
# Days finished synchronisation runs are kept (their entries stay).
PARAM_SYNC_RUN_RETENTION_DAYS = "time_billing_bridge.sync_run_retention_days"
DEFAULT_SYNC_RUN_RETENTION_DAYS = 180
# Days webhook calls are kept for review (at least until their replay
# protection expires).
PARAM_WEBHOOK_EVENT_RETENTION_DAYS = "time_billing_bridge.webhook_event_retention_days"
DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS = 30

# --- Context keys ------------------------------------------------------------
# They only change when work happens, never who may do what: permissions do
# not depend on the context, which any caller can set.

# create() and write() of timesheet lines leave the billing pipeline to the
# caller, which runs _billing_refresh() once the lines are complete (the
# importer runs it after linking the staging entries, which tell the source
# of each line).
CTX_DEFER_REFRESH = "time_billing_defer_refresh"
# A contract's write() being re-entered: its open time is re-rated once.
CTX_NO_RERATE = "time_billing_no_rerate"
# A mapping saved by the "map to" wizard, which re-processes the entries itself.
CTX_SKIP_REPROCESS = "time_billing_skip_reprocess"
# An invoice being cancelled: Odoo resets it to draft first, and its time is
# released once, as cancelled.
CTX_CANCELLING = "time_billing_cancelling_invoice"
# The period a client time summary covers, (first day, last day) as ISO text,
# for its mail template.
CTX_SUMMARY_PERIOD = "time_billing_summary_period"
