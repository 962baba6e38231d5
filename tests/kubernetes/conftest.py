"""Fixtures: a fake Kubernetes API server on 127.0.0.1 and a kubeconfig naming it."""

from __future__ import annotations

import pytest

from app.drill.kube_api import SimulatedApiServer


@pytest.fixture
def fake_k8s(tmp_path, monkeypatch):
    server = SimulatedApiServer().start()
    server.kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
    monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig))
    yield server
    server.stop()
