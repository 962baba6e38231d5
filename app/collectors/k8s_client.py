"""The official Kubernetes client, loaded for what we use of it: its config loading
(kubeconfig files, contexts, exec plugins, in-cluster service accounts) and its ApiClient.

`kubernetes.aio.client` and `kubernetes.aio.config` are imported as they are; their parent
packages' __init__ files are not run until something asks them for a name. Those files
import every other part of the distribution (the synchronous client with requests and
urllib3, websocket streams, dynamic clients, leader election, informers): ~75 ms of each
`warroom status` for code it never calls. A deferred parent runs its real __init__ the
first time anyone reads an attribute it lacks, so `import kubernetes; kubernetes.dynamic`
elsewhere in the process still works.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import sys
import threading
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (a benchmark loads the client through here without pydantic)
    from app.config.kubernetes import KubernetesTarget

_PARENTS = ("kubernetes", "kubernetes.aio")
_lock = threading.RLock()
_loading: concurrent.futures.Future[SimpleNamespace] | None = None


class _DeferredPackage(ModuleType):
    """A package whose __init__ has not run: it runs at the first name it does not have."""

    def __getattr__(self, name: str) -> Any:
        with _lock:
            if type(self) is _DeferredPackage:
                self.__class__ = ModuleType  # type: ignore[assignment]  # a plain package from now on
                spec = self.__spec__
                assert spec is not None and spec.loader is not None
                spec.loader.exec_module(self)
        return ModuleType.__getattribute__(self, name)


def _defer_parents() -> None:
    with _lock:
        for name in _PARENTS:
            if name in sys.modules:
                continue
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                return  # not installed: the import below says so
            module = importlib.util.module_from_spec(spec)
            module.__class__ = _DeferredPackage
            sys.modules[name] = module
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(sys.modules[parent], child, module)


def official_client() -> SimpleNamespace:
    """`kubernetes.aio.client` and `kubernetes.aio.config` (with aiohttp, which they use):
    ~80 ms of CPU the first time, about half of it loading CA certificates."""
    _defer_parents()
    # import_module, not `from kubernetes.aio import ...`: that form asks the parent for the
    # names first, which would run its __init__.
    client = importlib.import_module("kubernetes.aio.client")
    config = importlib.import_module("kubernetes.aio.config")
    return SimpleNamespace(client=client, config=config)


def official_client_soon() -> concurrent.futures.Future[SimpleNamespace]:
    """official_client() in a thread of its own, begun once; collectors starting later wait
    for it. For `warroom status`, whose event loop runs other sources' checks meanwhile."""
    global _loading
    with _lock:
        if _loading is None:
            loading: concurrent.futures.Future[SimpleNamespace] = concurrent.futures.Future()

            def load() -> None:
                try:
                    loading.set_result(official_client())
                except BaseException as exc:  # noqa: BLE001 - whoever waits for it says what went wrong
                    loading.set_exception(exc)

            threading.Thread(target=load, name="warroom-kubernetes-client", daemon=True).start()
            _loading = loading
        return _loading


def kubeconfig_paths(target: KubernetesTarget) -> str:
    return target.kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")


async def make_api_client(target: KubernetesTarget):
    """The official client's config loading: kubeconfig (several files, context, exec plugins), else in-cluster.

    Only the ApiClient and its configuration: the generated API classes (CoreV1Api and the
    models it names) cost ~0.6 s to import for the one list call each resource needs.
    """
    import asyncio

    if _loading is not None:
        official = await asyncio.wrap_future(_loading)
    else:
        # Here, on the caller's loop, when nobody began it: in the dashboard a thread would
        # compete with the screen's own start-up and bring the pods' first rows ~50 ms later.
        official = official_client()
    client, config = official.client, official.config
    configuration = client.Configuration()
    paths = kubeconfig_paths(target)
    loader = None
    if any(os.path.exists(os.path.expanduser(p)) for p in paths.split(os.pathsep) if p):
        loader = await config.load_kube_config(
            config_file=paths, context=target.context, client_configuration=configuration, persist_config=False
        )
    elif target.kubeconfig:
        raise FileNotFoundError(f"kubeconfig not found: {target.kubeconfig}")
    else:
        config.load_incluster_config(client_configuration=configuration)
    return client.ApiClient(configuration), configuration, loader
