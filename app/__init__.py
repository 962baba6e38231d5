"""warroom: a terminal dashboard for the person running a production incident."""

import sys

__version__ = "0.1.0"

# httpx's __init__ imports its own command-line client (click, rich, pygments: ~50 ms of
# every `warroom status`, `log` and `update`) unless that import fails; we never run it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
