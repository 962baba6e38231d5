"""READY / STATUS / RESTARTS / AGE for every pod shape, by kubectl's printer rules (printPod)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.collectors.kubectl_printer import human_duration, pod_columns, since
from tests.kubernetes.pod_shapes import NOW, SHAPES


@pytest.mark.parametrize(("shape", "ready", "status", "restarts"), SHAPES, ids=[s[0]["metadata"]["name"] for s in SHAPES])
def test_pod_shape_prints_like_kubectl(shape, ready, status, restarts):
    columns = pod_columns(shape)
    assert (columns.ready, columns.status, columns.restarts_text(NOW)) == (ready, status, restarts)


def test_there_are_at_least_30_shapes():
    assert len(SHAPES) >= 30
    assert len({s[2] for s in SHAPES}) >= 25  # distinct STATUS values


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-5, "<invalid>"), (-1, "0s"), (0, "0s"), (45, "45s"), (119, "119s"), (120, "2m"), (200, "3m20s"),
     (599, "9m59s"), (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (5 * 3600 + 180, "5h3m"),
     (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (3 * 86400 + 4 * 3600, "3d4h"),
     (8 * 86400, "8d"), (400 * 86400, "400d"), (730 * 86400, "2y"), (760 * 86400, "2y30d"), (9 * 365 * 86400, "9y")],
)
def test_human_duration_matches_apimachinery(seconds, text):
    assert human_duration(timedelta(seconds=seconds)) == text


def test_missing_time_is_unknown():
    assert since(None, NOW) == "<unknown>"


# The same shapes against the real kubectl binary, the pane and `warroom status --json`: test_kubectl_parity.py


def test_compact_pod_keeps_a_hostile_status_on_one_line():
    from app.collectors.k8s_records import compact_pod
    from tests.kubernetes.pod_shapes import pod, waiting

    plain = compact_pod(pod("api-1", containers=[waiting("CrashLoopBackOff")]))
    assert plain.columns.status == "CrashLoopBackOff"
    hostile = compact_pod(pod("api-1", containers=[waiting("Crash\x1b[2J\nLoop")]))
    assert hostile.columns.status == "Crash␛[2J↵Loop"
