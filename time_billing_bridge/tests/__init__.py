from . import test_foundation
from . import test_security
from . import test_providers_http
from . import test_providers_harvest
from . import test_providers_toggl
from . import test_providers_clockify
from . import test_providers_tempo
from . import test_providers_webhooks
