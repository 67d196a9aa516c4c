from tests.exports.helpers import no_worker  # noqa: F401  (fixture)
