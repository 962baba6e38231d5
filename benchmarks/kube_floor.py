"""The least a Python program keeping the official Kubernetes client can spend listing every
pod: a reference for pods_scale, not a product.

Issue 12 asks `warroom status` to keep the official client for kubeconfig, contexts, exec
plugins and in-cluster auth. This program does only that and the list: the client's
asynchronous config loader and ApiClient, imported the cheapest way known (their parent
packages' __init__ files, which import the whole distribution, are not run, as in
app/collectors/k8s_client.py), then the pods in pages of 500 decoded with orjson and
counted. No warroom config, no pydantic, no rows, no output but the count.

    python benchmarks/kube_floor.py KUBECONFIG
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys


def official_client():
    for name in ("kubernetes", "kubernetes.aio"):
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise SystemExit(f"kube_floor: {name} is not installed")
        sys.modules[name] = importlib.util.module_from_spec(spec)  # a package whose __init__ never runs
    return importlib.import_module("kubernetes.aio.client"), importlib.import_module("kubernetes.aio.config")


async def count_pods(kubeconfig: str) -> int:
    import orjson

    client, config = official_client()
    configuration = client.Configuration()
    await config.load_kube_config(config_file=kubeconfig, client_configuration=configuration, persist_config=False)
    api = client.ApiClient(configuration)
    count, token = 0, None
    try:
        while True:
            query = [("limit", "500")] + ([("continue", token)] if token else [])
            method, url, headers, _, _ = await api.param_serialize(
                "GET", "/api/v1/pods", query_params=query, header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"])
            result = await api.call_api(method, url, headers, _request_timeout=60, _preload_content=False)
            doc = orjson.loads(await result.response.read())
            count += len(doc.get("items") or [])
            token = (doc.get("metadata") or {}).get("continue")
            if not token:
                return count
    finally:
        await api.close()


if __name__ == "__main__":
    print(asyncio.run(count_pods(sys.argv[1])))
