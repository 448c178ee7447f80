from . import models
from . import providers
