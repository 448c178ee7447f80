# Customer invoices of the pipeline: drafting and billing time (invoicing),
# then following them up (reminders).
from . import invoicing
from . import reminders
