from . import models
from . import providers
from . import report
