from tests.exports.helpers import no_worker  # noqa: F401  (fixture)
from tests.notifications.test_mail import smtp_sink  # noqa: F401  (fixture)
