from tests.kubernetes.conftest import fake_k8s  # noqa: F401 - the same fake API server fixture
