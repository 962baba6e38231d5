"""Rollout history, undo, restart and scale as kubectl does them: pure functions over v1 JSON.

The request bodies are kubectl's own (kubectl/pkg/polymorphichelpers/rollback.go,
objectrestarter.go, pkg/scale): a cluster's audit log shows the same change whichever
tool made it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.text import one_line

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
# Annotations the deployment keeps when rolled back (kubectl's annotationsToSkip).
KEEP_ON_DEPLOYMENT = ("kubectl.kubernetes.io/last-applied-configuration", REVISION,
                      "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                      "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to")
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE = "application/strategic-merge-patch+json"
MAX_REPLICAS = 10000


@dataclass(frozen=True)
class Revision:
    number: int
    replicaset: str
    change_cause: str
    images: str
    template: dict
    annotations: dict

    def line(self, current: bool = False) -> str:
        mark = " (current)" if current else ""
        return f"{self.number}{mark}  {self.images or '?'}  {self.change_cause or '<none>'}"


def _images(template: dict) -> str:
    containers = (template.get("spec") or {}).get("containers") or []
    return ", ".join(one_line(str(c.get("image") or "?")) for c in containers if isinstance(c, dict))


def selector(deployment: dict) -> str:
    labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def revisions(deployment: dict, replicasets: list[dict]) -> list[Revision]:
    """ReplicaSets the deployment controls, oldest revision first (as `kubectl rollout history`)."""
    uid = (deployment.get("metadata") or {}).get("uid")
    found: dict[int, Revision] = {}
    for rs in replicasets:
        meta = rs.get("metadata") or {}
        owners = [o for o in meta.get("ownerReferences") or [] if isinstance(o, dict) and o.get("controller")]
        if uid and not any(o.get("uid") == uid for o in owners):
            continue
        annotations = meta.get("annotations") or {}
        try:
            number = int(annotations.get(REVISION, ""))
        except ValueError:
            continue
        template = (rs.get("spec") or {}).get("template") or {}
        found[number] = Revision(number, one_line(str(meta.get("name") or "")), one_line(str(annotations.get(CHANGE_CAUSE) or "")),
                                 _images(template), template, dict(annotations))
    return [found[n] for n in sorted(found)]


def current_revision(deployment: dict) -> int | None:
    try:
        return int(((deployment.get("metadata") or {}).get("annotations") or {}).get(REVISION, ""))
    except ValueError:
        return None


def undo_target(history: list[Revision], to_revision: int = 0) -> Revision | str:
    """The revision `kubectl rollout undo [--to-revision=N]` goes to, or why there is none."""
    if to_revision:
        return next((r for r in history if r.number == to_revision), f"unable to find specified revision {to_revision} in history")
    if len(history) < 2:
        return "no rollout history found: there is no previous revision to go back to"
    return history[-2]


def _without_hash(template: dict) -> dict:
    template = copy.deepcopy(template)
    labels = (template.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return template


def template_matches(deployment: dict, revision: Revision) -> bool:
    return _without_hash((deployment.get("spec") or {}).get("template") or {}) == _without_hash(revision.template)


def undo_patch(deployment: dict, revision: Revision) -> list[dict]:
    """kubectl's rollback: a JSON patch replacing the pod template with the revision's (minus
    the pod-template-hash label) and the annotations with the revision's (keeping the
    deployment's own bookkeeping ones)."""
    current = (deployment.get("metadata") or {}).get("annotations") or {}
    annotations = {k: current[k] for k in KEEP_ON_DEPLOYMENT if k in current}
    annotations.update({k: v for k, v in revision.annotations.items() if k not in KEEP_ON_DEPLOYMENT})
    return [
        {"op": "replace", "path": "/spec/template", "value": _without_hash(revision.template)},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]


def restart_patch(now: datetime | None = None) -> dict:
    """`kubectl rollout restart`: a new template annotation, so every pod is replaced."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


_INTEGER = re.compile(r"^\s*\d{1,6}\s*$")


def parse_replicas(text: str) -> int | str:
    """A replica count typed by a person, or the one-line reason it is refused."""
    if not _INTEGER.match(text or ""):
        return f"not a replica count: {one_line(text)[:40]!r} (a whole number from 0 to {MAX_REPLICAS})"
    value = int(text)
    if value > MAX_REPLICAS:
        return f"{value} replicas is more than {MAX_REPLICAS}: refused"
    return value
