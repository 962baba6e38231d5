"""Pure data for the PostgreSQL pane: backends as rows, and the blocked -> blocking tree.

No I/O here: the collector turns the server's JSON into these, tests can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping
from typing import Any

from app.domain.text import multi_line, one_line

QUERY_PREVIEW = 48

@dataclass(frozen=True)
class Backend:
    """One server backend as warroom shows it. Durations in seconds, None if not applicable."""

    pid: int
    user: str
    database: str
    application: str
    client: str
    state: str
    wait_event_type: str
    wait_event: str
    query: str
    backend_start: str
    query_s: float | None = None
    xact_s: float | None = None
    state_s: float | None = None
    blocked_by: tuple[int, ...] = ()
    lock_mode: str = ""
    lock_type: str = ""
    relation: str = ""
    transaction_id: str = ""
    backend_type: str = "client backend"
    lock_wait_s: float | None = None
    """Since pg_locks.waitstart (PostgreSQL 14+); None on 13 or just after the wait began."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Backend:
        """Names and query text come from clients of the server: shown safely, never raw."""
        client = row.get("client_addr") or row.get("client_hostname") or ""
        if client and row.get("client_port") not in (None, -1):
            client = f"{client}:{row['client_port']}"
        elif row.get("client_port") == -1 or not client:
            client = "local socket" if row.get("client_port") == -1 else ""
        return cls(
            pid=int(row["pid"]),
            user=one_line(row.get("usename") or ""),
            database=one_line(row.get("datname") or ""),
            application=one_line(row.get("application_name") or ""),
            client=one_line(str(client)),
            state=one_line(row.get("state") or "unknown"),
            wait_event_type=one_line(row.get("wait_event_type") or ""),
            wait_event=one_line(row.get("wait_event") or ""),
            query=multi_line(row.get("query") or ""),
            backend_start=str(row.get("backend_start") or ""),
            query_s=row.get("query_s"),
            xact_s=row.get("xact_s"),
            state_s=row.get("state_s"),
            # pg_blocking_pids names a parallel query's leader once per worker: keep each pid once
            blocked_by=tuple(dict.fromkeys(int(p) for p in row.get("blocked_by") or ())),
            lock_mode=one_line(row.get("mode") or ""),
            lock_type=one_line(row.get("locktype") or ""),
            relation=one_line(row.get("relation") or ""),
            transaction_id=str(row.get("transactionid") or ""),
            backend_type=one_line(row.get("backend_type") or "client backend"),
            lock_wait_s=row.get("wait_s"),
        )

    @property
    def waiting(self) -> bool:
        return bool(self.blocked_by)

    @property
    def idle_in_transaction(self) -> bool:
        return self.state.startswith("idle in transaction")

    @property
    def duration_s(self) -> float:
        """How long this is worth worrying about: transaction age when idle in it, else query age."""
        value = self.xact_s if self.idle_in_transaction else self.query_s
        return float(value or 0.0)

    @property
    def wait_s(self) -> float:
        """How long a waiter has waited for its lock: since pg_locks.waitstart where the server
        has it (14+), else since its query began (13), which counts work done before the wait."""
        if not self.waiting:
            return 0.0
        return float(self.lock_wait_s if self.lock_wait_s is not None else self.query_s or 0.0)

    @property
    def lock_target(self) -> str:
        """What the waiter waits for, in a DBA's words: 't1', 'row in orders', 'advisory'."""
        if self.lock_type in ("tuple", "transactionid"):
            return f"row in {self.relation}" if self.relation else f"transaction {self.transaction_id or '?'}"
        if self.lock_type in ("", "relation"):
            return self.relation or "?"
        return f"{self.lock_type} {self.relation}".strip()

    @property
    def activity(self) -> str:
        """The state for a client backend; what it is for any other ('autovacuum worker')."""
        return self.state if self.backend_type == "client backend" else self.backend_type

    @property
    def wait(self) -> str:
        if not self.wait_event_type:
            return ""
        return f"{self.wait_event_type}:{self.wait_event}"

    def preview(self, width: int = QUERY_PREVIEW) -> str:
        """Query on one line, cut to width; the detail view shows all of it."""
        flat = " ".join(self.query.split())
        return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass(frozen=True)
class LockNode:
    """One line of the lock tree: a backend at a depth below its root blocker."""

    backend: Backend
    depth: int
    root_pid: int
    waiters_below: int = 0
    """For a root: how many distinct backends wait on it, directly or behind others. 0 below."""
    also_blocked_by: tuple[int, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.depth == 0


@dataclass(frozen=True)
class LockTree:
    nodes: list[LockNode] = field(default_factory=list)

    @property
    def roots(self) -> list[Backend]:
        return [n.backend for n in self.nodes if n.is_root]

    @property
    def waiting_pids(self) -> set[int]:
        return {n.backend.pid for n in self.nodes if n.backend.waiting}

    def roots_above(self, pid: int) -> list[int]:
        """Every root blocker `pid` waits behind, through any of its blockers, in tree order.
        More than one means ending one of them does not free it."""
        blocked_by = {n.backend.pid: n.backend.blocked_by for n in self.nodes}
        found = {p for p in _reachable(pid, blocked_by) if not blocked_by.get(p)}
        return [n.backend.pid for n in self.nodes if n.is_root and n.backend.pid in found]


def _unknown_backend(pid: int) -> Backend:
    # A blocker we have no row for (e.g. it vanished between the two snapshots, or a prepared
    # transaction, which pg_blocking_pids reports as pid 0).
    label = "prepared transaction" if pid == 0 else "not visible"
    return Backend(pid, "", "", "", "", label, "", "", "", "")


def _reachable(start: int, edges: Mapping[int, Iterable[int]]) -> set[int]:
    """Every pid reachable from `start` along `edges` (each once, `start` itself left out)."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen - {start}


def _reach(start: int, waiters_of: dict[int, list[int]]) -> int:
    """How many distinct backends wait on `start`, directly or behind others (each once)."""
    return len(_reachable(start, waiters_of))


def build_lock_tree(backends: list[Backend]) -> LockTree:
    """Roots (blockers that wait on nobody) first, most waiters first; waiters indented under them.

    A waiter blocked by several backends appears under the first and notes the others.
    Cycles (a deadlock not yet detected) become their own pseudo-root so nothing is hidden.

    Linear in the blocked -> blocking edges: a hot row queues every waiter behind all the
    earlier ones (waiter k is blocked by 1 .. k-1), so walking paths instead of backends
    would take exponential time on the UI's event loop.
    """
    by_pid = {b.pid: b for b in backends}
    waiters_of: dict[int, list[int]] = {}
    for b in backends:
        for blocker in b.blocked_by:
            waiters_of.setdefault(blocker, []).append(b.pid)
            by_pid.setdefault(blocker, _unknown_backend(blocker))
    involved = {pid for pid in by_pid if pid in waiters_of or by_pid[pid].waiting}
    if not involved:
        return LockTree()

    def age(pid: int) -> float:
        b = by_pid[pid]
        return max(b.xact_s or 0.0, b.query_s or 0.0)

    reach = {pid: _reach(pid, waiters_of) for pid in involved if not by_pid[pid].waiting}
    roots = sorted(reach, key=lambda pid: (-reach[pid], -age(pid), pid))
    nodes: list[LockNode] = []
    placed: set[int] = set()

    def visit(top: int, root: int) -> None:
        # depth-first, children longest-waiting first; iterative: a chain may be hundreds deep
        stack = [(top, 0)]
        while stack:
            pid, depth = stack.pop()
            if pid in placed:
                continue
            backend = by_pid[pid]
            primary = backend.blocked_by[0] if backend.blocked_by and depth else None
            others = tuple(p for p in backend.blocked_by if p != primary)
            below = reach[pid] if pid in reach else _reach(pid, waiters_of) if depth == 0 else 0
            nodes.append(LockNode(backend, depth, root, below, others))
            placed.add(pid)
            # list a multi-blocked waiter once, under its first blocker
            children = [w for w in waiters_of.get(pid, ()) if w not in placed and by_pid[w].blocked_by[0] == pid]
            children = sorted(dict.fromkeys(children), key=lambda w: -by_pid[w].wait_s)
            stack.extend((child, depth + 1) for child in reversed(children))

    for root in roots:
        visit(root, root)
    for pid in sorted(involved - placed):  # waiters in a cycle, or whose first blocker vanished
        if pid not in placed:
            visit(pid, pid)
    return LockTree(nodes)


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def lock_tree_lines(tree: LockTree) -> list[str]:
    """The tree as plain text, for the evidence pin and for logs."""
    lines = []
    for node in tree.nodes:
        b = node.backend
        indent = "  " * node.depth + ("└─ " if node.depth else "")
        if node.is_root:
            head = f"ROOT pid {b.pid} ({b.user or '?'}, {b.activity}, xact {format_seconds(b.xact_s)})"
            head += f" blocks {node.waiters_below}"
        else:
            head = f"pid {b.pid} ({b.user or '?'}) waits {format_seconds(b.wait_s)} for {b.lock_mode or '?'}"
            head += f" on {b.lock_target}"
        if node.also_blocked_by:
            head += " (also blocked by " + ", ".join(str(p) for p in node.also_blocked_by) + ")"
        lines.append(f"{indent}{head}: {b.preview(80)}")
    return lines
