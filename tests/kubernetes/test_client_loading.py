"""The official client is loaded for what warroom uses of it (config loading, ApiClient), and
the rest of the `kubernetes` package still works for anyone in the process who asks for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from app.collectors.k8s_client import official_client

official = official_client()
assert official.client.ApiClient and official.config.load_kube_config
unused = [m for m in ("kubernetes.client", "kubernetes.stream", "kubernetes.dynamic", "requests", "websocket") if m in sys.modules]
assert not unused, unused

import kubernetes
from kubernetes.aio import watch
from kubernetes.client import CoreV1Api

assert kubernetes.dynamic and kubernetes.__version__ and watch.Watch and CoreV1Api
print("ok")
"""


def test_the_client_loads_what_it_uses_and_the_package_still_works_in_full():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "ok", result.stdout + result.stderr
