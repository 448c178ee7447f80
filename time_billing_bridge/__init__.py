from . import models
from . import providers
from . import wizards
from . import report
from . import controllers
