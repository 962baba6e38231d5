"""The health tests' target server, for `warroom status` run against it."""

from tests.health.conftest import target  # noqa: F401  (a fixture: pytest finds it here)
