"""`/` narrows the pods table (words, `label=value`, `namespace/`), Esc clears.
The filter narrows the view only: the pane's counts and level still see every pod."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.collectors.kubernetes import KubernetesCollector
from app.config.kubernetes import KubernetesTarget
from app.ui.panes.kubernetes import PodsPane
from tests.kubernetes.pod_shapes import pod as shaped_pod
from tests.kubernetes.pod_shapes import waiting
from tests.support import PaneHost, until


def pod(name: str, **kwargs) -> dict:
    return shaped_pod(name, now=datetime.now(UTC), **kwargs)


def names(pane: PodsPane) -> list[str]:
    return [pane.table.get_row_at(i)[1].plain for i in range(pane.table.row_count)]


def title(pane: PodsPane) -> str:
    return str(pane.border_title)


async def test_filter_narrows_rows_live_and_esc_clears(fake_k8s):
    cluster = fake_k8s.cluster
    for i in range(6):
        cluster.put("pods", pod(f"payments-{i}", namespace="payments", labels={"app": "payments", "tier": "api"}))
    for i in range(4):
        cluster.put("pods", pod(f"search-{i}", namespace="search", labels={"app": "search"}))
    crash = [waiting("CrashLoopBackOff", restarts=3, last_exit_ago=timedelta(minutes=1))]
    cluster.put("pods", pod("search-crashing", namespace="search", labels={"app": "search"}, containers=crash))
    collector = KubernetesCollector(KubernetesTarget(name="prod", timeout=3, interval=0.2))
    app = PaneHost("kubernetes", {"timezone": "UTC"}, [collector])
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(PodsPane)
        await until(pilot, lambda: pane.table.row_count == 11)
        pane.table.focus()
        pane.table.move_cursor(row=names(pane).index("payments/payments-3"))
        await pilot.pause()
        before = title(pane)
        assert "✖ 1 CRIT" in before and "✔ 10 OK" in before
        assert pane.has_class("-worst-crit")

        await pilot.press("slash", *"PAYM")  # typed at once after `/`: every key lands in the line
        assert pane.filter_line.has_focus and pane.filter_line.value == "PAYM"
        await until(pilot, lambda: pane.table.row_count == 6)
        assert all(n.startswith("payments/") for n in names(pane))
        assert "/PAYM 6 of 11" in title(pane)
        # Counts and level see every pod, not the six drawn.
        assert "✖ 1 CRIT" in title(pane) and "✔ 10 OK" in title(pane) and pane.has_class("-worst-crit")
        assert pane.table.selected_key is not None and pane.table.model(pane.table.selected_key).name == "payments-3"

        await pilot.press("enter")  # keep it; the keys go back to the table
        assert pane.table.has_focus and not pane.filter_line.display
        assert "/PAYM 6 of 11" in title(pane)
        # New data keeps the filter: a new payments pod shows, a new search pod does not.
        cluster.put("pods", pod("payments-new", namespace="payments", labels={"app": "payments"}))
        cluster.put("pods", pod("search-new", namespace="search", labels={"app": "search"}))
        await until(pilot, lambda: "/PAYM 7 of 13" in title(pane))
        assert "payments/payments-new" in names(pane) and "search/search-new" not in names(pane)

        await pilot.press("slash", "escape")  # Esc in the line clears the filter
        await until(pilot, lambda: pane.table.row_count == 13)
        assert "/" not in title(pane).split("—")[-1] and " of " not in title(pane)
        assert pane.table.has_focus

        # label=value and namespace/ forms; words narrow together.
        for query, expected in (("app=search", 6), ("tier=api", 6), ("search/", 6), ("search/crash", 1),
                                ("crashloop", 1), ("payments/ 3", 1), ("nothing-like-this", 0)):
            pane.set_filter(query)
            await pilot.pause()
            assert pane.table.row_count == expected, query
        assert "/nothing-like-this 0 of 13" in title(pane)
        await pilot.press("escape")  # Esc on the table clears a kept filter too
        await until(pilot, lambda: pane.table.row_count == 13)
    await collector.aclose()
