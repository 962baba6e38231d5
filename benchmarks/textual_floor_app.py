"""The least a Textual app can spend showing what the PostgreSQL pane shows: a reference for
tui_idle_cpu, not a product.

It runs warroom's own PostgresCollector at the same interval on the same server and draws its
result as plain text (one Strip per line, made once per change), with warroom's input
driver. With --clock it also shows an elapsed time ticking once a second, as warroom's
status line does with an incident open. Nothing else: no tables, no cursor, no borders, no
incident panel, no footer. Whatever this costs, any Textual UI of the same data costs at
least as much.

    python benchmarks/textual_floor_app.py DSN [--clock] [--interval 2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.segment import Segment  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.strip import Strip  # noqa: E402
from textual.widget import Widget  # noqa: E402

from app.collectors.postgres import PostgresCollector  # noqa: E402
from app.config.postgres import PostgresTarget  # noqa: E402


class PlainLines(Widget):
    """Lines of plain text, each drawn once into a Strip and handed back as it is until it
    changes: cheaper than a Static, which formats its content again on each repaint."""

    def __init__(self, height: int, *, id: str) -> None:
        super().__init__(id=id)
        self.styles.height = height
        self.styles.width = 100
        self._strips: list[Strip] = []

    def show(self, lines: list[str]) -> None:
        self._strips = [Strip([Segment(line)]) for line in lines]
        self.refresh()

    def render_line(self, y: int) -> Strip:
        return self._strips[y] if y < len(self._strips) else Strip.blank(self.size.width)


class FloorApp(App[None]):
    def __init__(self, dsn: str, interval: float, clock: bool) -> None:
        super().__init__()
        self.collector = PostgresCollector(PostgresTarget(name="main", dsn=dsn, interval=f"{interval:g}s"))
        self.interval = interval
        self.clock = clock
        self.started = time.monotonic()

    def get_driver_class(self):
        from app.ui.quiet_driver import QuietLinuxDriver

        return QuietLinuxDriver

    def compose(self) -> ComposeResult:
        yield PlainLines(1, id="clock")
        yield PlainLines(8, id="pg")

    def on_mount(self) -> None:
        self.run_worker(self.poll(), exit_on_error=False)
        if self.clock:
            self.set_interval(1, self.tick)

    def tick(self) -> None:
        seconds = int(time.monotonic() - self.started)
        self.query_one("#clock", PlainLines).show([f"T+{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"])

    async def poll(self) -> None:
        while True:
            snapshot = await self.collector.collect()
            status = snapshot.data
            if status is None:
                lines = [f"{snapshot.level.word} main: {snapshot.error}"]
            else:
                lines = [f"{snapshot.level.word} main {status.total}/{status.max_connections} ({status.used_pct:.0f}%)"
                         f"  waiting {status.waiting}  ungranted locks {status.ungranted_locks}"]
                for node in status.lock_tree.nodes:
                    b = node.backend
                    lines.append(f"{'ROOT' if node.is_root else '  └'} {b.pid}  {b.wait_s:.0f}s  {b.lock_mode}  {b.lock_target}")
            self.query_one("#pg", PlainLines).show(lines)
            await asyncio.sleep(self.interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dsn", help="the server warroom's PostgreSQL pane watches")
    parser.add_argument("--clock", action="store_true", help="also tick an elapsed time once a second")
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    FloorApp(args.dsn, args.interval, args.clock).run()


if __name__ == "__main__":
    main()
