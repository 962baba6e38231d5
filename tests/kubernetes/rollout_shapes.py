"""A deployment with its rollout history as the API holds it: ReplicaSets the deployment
controls, each with its revision, change-cause and pod template (pod-template-hash label)."""

from __future__ import annotations

import copy
import hashlib

from app.drill.kube_objects import deployment

REGISTRY = "registry.local/payments"


def template(image: str, pod_hash: str | None = None) -> dict:
    labels = {"app": "payments"} | ({"pod-template-hash": pod_hash} if pod_hash else {})
    return {"metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": image, "resources": {"limits": {"memory": "256Mi"}}}]}}


def with_history(versions: list[tuple[str, str]], *, name: str = "payments", namespace: str = "default",
                 replicas: int = 3) -> tuple[dict, list[dict]]:
    """The deployment at the last of `versions` ((version, change-cause), oldest first) and its ReplicaSets."""
    dep = deployment(name, namespace=namespace, desired=replicas, labels={"app": name})
    last_version, last_cause = versions[-1]
    dep["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": str(len(versions)),
                                      "kubernetes.io/change-cause": last_cause}
    dep["spec"]["selector"] = {"matchLabels": {"app": name}}
    dep["spec"]["template"] = template(f"{REGISTRY}:{last_version}")
    dep["spec"]["strategy"] = {"type": "RollingUpdate"}
    sets = []
    for number, (version, cause) in enumerate(versions, start=1):
        pod_hash = hashlib.sha256(version.encode()).hexdigest()[:10]
        current = number == len(versions)
        sets.append({
            "metadata": {"name": f"{name}-{pod_hash}", "namespace": namespace, "uid": f"rs-{pod_hash}",
                         "labels": {"app": name, "pod-template-hash": pod_hash},
                         "annotations": {"deployment.kubernetes.io/revision": str(number), "kubernetes.io/change-cause": cause,
                                         "deployment.kubernetes.io/desired-replicas": str(replicas),
                                         "deployment.kubernetes.io/max-replicas": str(replicas + 1)},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                              "uid": dep["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"replicas": replicas if current else 0,
                     "selector": {"matchLabels": {"app": name, "pod-template-hash": pod_hash}},
                     "template": template(f"{REGISTRY}:{version}", pod_hash)},
            "status": {"replicas": replicas if current else 0, "observedGeneration": 1},
        })
    # Another deployment's ReplicaSet with the same labels is not history of this one.
    stranger = copy.deepcopy(sets[0])
    stranger["metadata"].update(name="payments-other", uid="rs-other")
    stranger["metadata"]["ownerReferences"][0]["uid"] = "someone-else"
    stranger["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "99"
    return dep, [*sets, stranger]
