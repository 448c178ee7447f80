from . import time_billing_entry_map_wizard
