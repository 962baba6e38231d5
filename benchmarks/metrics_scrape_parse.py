"""How long the direct /metrics scrape spends parsing a large exposition (prints JSON).

20,000 series of the counter plus 20,000 unrelated series; the collector only parses the
counter's own lines, so unrelated metrics cost little.
"""

from __future__ import annotations

import json
import time

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import generate_latest

from app.collectors.error_rates.scrape import counter_series


def main() -> None:
    registry = CollectorRegistry()
    requests = Counter("http_requests", "requests", ["code", "path"], registry=registry)
    other = Gauge("unrelated_gauge", "noise", ["path"], registry=registry)
    for i in range(20000):
        requests.labels(code=str(200 + i % 5 * 100), path=f"/p{i}").inc(i)
        other.labels(path=f"/p{i}").set(i)
    text = generate_latest(registry).decode()
    start = time.perf_counter()
    series = counter_series(text, "http_requests_total")
    elapsed = time.perf_counter() - start
    print(json.dumps({"series": len(series), "body_bytes": len(text), "parse_seconds": round(elapsed, 3)}))


if __name__ == "__main__":
    main()
