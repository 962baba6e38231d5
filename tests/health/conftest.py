import pytest

from tests.health.health_servers import TargetServer, self_signed_cert, tls_context


@pytest.fixture
def target():
    server = TargetServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cert_pair(tmp_path_factory):
    try:
        return self_signed_cert(tmp_path_factory.mktemp("tls"))
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"cannot make a self-signed certificate: {exc}")


@pytest.fixture
def tls_target(cert_pair):
    server = TargetServer(tls=tls_context(*cert_pair)).start()
    yield server
    server.stop()
