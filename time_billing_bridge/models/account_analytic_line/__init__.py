# The billing pipeline of a timesheet line, one stage a file, in the order
# the stages run (see pipeline.py).
from . import pipeline
from . import validation
from . import duplicates
from . import rating
from . import approval
from . import review
from . import invoicing
from . import locks
