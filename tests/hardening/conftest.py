from tests.kubernetes.conftest import fake_k8s  # noqa: F401 - the same fake API server fixture
from tests.postgres.conftest import pg_dsn  # noqa: F401, E402 - the session's real PostgreSQL
