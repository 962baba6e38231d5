"""The least a Python program keeping the official Kubernetes client can spend listing every
pod: a reference for pods_scale, not a product.

Issue 12 asks `warroom status` to keep the official client for kubeconfig, contexts, exec
plugins and in-cluster auth. This program does only that and the list: the client's
asynchronous config loader and ApiClient, imported as warroom imports them
(app/collectors/k8s_client.official_client: their parent packages' __init__ files, which
import the whole distribution, are not run), then the pods in pages of 500 decoded with
orjson and counted. No warroom config, no pydantic, no rows, no output but the count.

    python benchmarks/kube_floor.py KUBECONFIG
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.collectors.k8s_client import official_client  # noqa: E402


async def count_pods(kubeconfig: str) -> int:
    import orjson

    official = official_client()
    client, config = official.client, official.config
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
