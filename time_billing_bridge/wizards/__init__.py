from . import time_billing_entry_map_wizard
from . import time_billing_import_file
from . import time_billing_import_file_preview
from . import time_billing_import_file_column
from . import time_billing_review_wizard
from . import account_move_reversal
from . import time_billing_invoice_wizard
from . import time_billing_contract_close_wizard
