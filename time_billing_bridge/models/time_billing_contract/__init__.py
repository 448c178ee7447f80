# A contract's identity and terms first; then what pricing, billing notes,
# approval, invoicing, client summaries and payment reminders read of it.
from . import contract
from . import rating
from . import notes
from . import approval
from . import invoicing
from . import invoice_lines
from . import retainer
from . import summary
from . import reminders
from . import gauges
