"""A pod's logs (`l` on a pod): the last lines of one container, the previous container's
(the crashed one's last words, `P`), follow mode (`F`) with a bounded buffer, search (`/`),
and pins of a line or a range (`v` marks, `p` pins) to the timeline.

Log lines come from whatever the container wrote: each is decoded with invalid UTF-8
replaced, its control characters shown as pictures (app.domain.text) and put in the table
as Text, never markup. Errors (403, a pod gone, no previous container) are one line at the
top of the screen.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from app.collectors.k8s_calls import KubeCallError, KubeCalls
from app.collectors.k8s_describe import clean_log_line, containers_of, default_container, has_previous, log_lines
from app.domain.text import from_bytes, one_line
from app.ui.messages import TimelineRequest
from app.ui.screens.pickers import ChoiceScreen
from app.ui.widgets.log_lines import LogLines

FOLLOW_BUFFER = 5000  # lines kept while following; the oldest go first
PIN_LIMIT = 100  # lines in one pinned entry
FLUSH_EVERY = 0.2  # seconds: followed lines reach the table in batches, not one redraw per line


class PodLogsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="kubernetes.logs.close"),
        Binding("q", "close", "Back", show=False),
        Binding("P", "toggle_previous", "Previous", id="kubernetes.logs.previous"),
        Binding("F", "toggle_follow", "Follow", id="kubernetes.logs.follow"),
        Binding("slash", "search", "Search", key_display="/", id="kubernetes.logs.search"),
        Binding("n", "next_match", "Next match", show=False),
        Binding("p", "pin", "Pin lines", id="kubernetes.logs.pin"),
        Binding("v", "mark", "Mark range", id="kubernetes.logs.mark"),
        Binding("c", "choose_container", "Container", id="kubernetes.logs.container"),
    ]

    def __init__(self, calls: KubeCalls, cluster: str, namespace: str, pod: str, *, tail: int = 200) -> None:
        super().__init__(classes="prompt")
        self.calls = calls
        self.cluster, self.namespace, self.pod = cluster, namespace, pod
        self.tail = tail
        self.container: str | None = None
        self.containers: list[str] = []
        self.previous = False
        self.following = False
        self.error: str | None = None
        self.query_text = ""
        self._pending: list[str] = []
        self.pod_doc: dict = {}
        self.view = LogLines(FOLLOW_BUFFER, id="logs-lines")

    @property
    def lines(self) -> list[str]:
        return self.view.lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog pod-logs"):
            yield Label(Text(one_line(f"Logs of {self.cluster}/{self.namespace}/{self.pod}")), classes="dialog-title")
            yield Static("loading…", id="logs-status", markup=False)
            yield self.view
            yield Input(placeholder="search in these lines (Enter finds, Esc closes)", id="logs-search")
            yield Label("P previous · F follow · / search · v mark · p pin · c container · Esc", classes="dialog-hint")

    def on_mount(self) -> None:
        self.view.max_lines = FOLLOW_BUFFER  # read at mount: a test or benchmark may lower it
        self.query_one(Input).display = False
        self.view.focus()
        self.set_interval(FLUSH_EVERY, self._flush)
        self._open()

    # --- loading ---------------------------------------------------------------------
    @work(group="pod-logs", exclusive=True, exit_on_error=False)
    async def _open(self) -> None:
        try:
            self.pod_doc = await self.calls.pod(self.namespace, self.pod)
        except KubeCallError as exc:
            # Reading the pod may be refused where its logs are not (RBAC on pods vs pods/log):
            # try the logs anyway, without choosing a container (the API takes the only one).
            await self._load()
            if self.error is None:
                self.notify(f"Could not read the pod, so no container choice: {exc}", severity="warning", markup=False)
            return
        self.containers = containers_of(self.pod_doc)
        self.container = default_container(self.pod_doc)
        await self._load()

    async def _load(self) -> None:
        self.following = False
        try:
            data = await self.calls.pod_log(self.namespace, self.pod, self.container, previous=self.previous, tail=self.tail)
        except KubeCallError as exc:
            self._fill([])
            self._show_error(self._explain(exc))
            return
        self.error = None
        self._fill(log_lines(data))
        self._show_status()

    def _explain(self, exc: KubeCallError) -> str:
        if self.previous and exc.status == 400 and self.container and not has_previous(self.pod_doc, self.container):
            return f"no previous logs: container {self.container} has not terminated before ({exc})"
        if exc.status == 403:
            return f"not allowed to read these logs: {exc}"
        return str(exc)

    def _fill(self, lines: list[str]) -> None:
        self.view.set_lines(lines)

    def _show_error(self, message: str) -> None:
        self.error = one_line(message)
        status = self.query_one("#logs-status", Static)
        status.update(Text(f"✖ {self.error}"))
        status.add_class("-crit")

    def _show_status(self) -> None:
        status = self.query_one("#logs-status", Static)
        status.remove_class("-crit")
        parts = [f"container {self.container or '?'}"]
        if len(self.containers) > 1:
            parts.append(f"{len(self.containers)} containers: c to choose")
        parts.append("previous (terminated) container" if self.previous else "current container")
        parts.append(f"following, last {len(self.lines)} lines (up to {FOLLOW_BUFFER})" if self.following
                     else f"last {len(self.lines)} lines" if self.lines else "no lines")
        if self.view.mark is not None:
            parts.append(f"range from line {self.view.mark + 1}: p pins it")
        status.update(Text(" · ".join(parts)))

    # --- following ---------------------------------------------------------------------
    @work(group="pod-logs", exclusive=True, exit_on_error=False)
    async def _follow(self) -> None:
        self._fill([])
        self.following = True
        self._show_status()
        partial = b""
        try:
            async for chunk in self.calls.follow_log(self.namespace, self.pod, self.container, tail=self.tail):
                data = partial + chunk
                if not data.endswith(b"\n"):
                    partial = data
                    continue
                partial = b""
                self._pending.append(clean_log_line(from_bytes(data).removesuffix("\n")))
        except KubeCallError as exc:
            self._show_error(f"follow stopped: {self._explain(exc)}")
        except asyncio.CancelledError:
            raise
        finally:
            self.following = False
        if self.error is None:
            self._flush()
            status = self.query_one("#logs-status", Static)
            status.update(Text("✔ the log stream ended (the container stopped or the pod is gone) · F to follow again"))

    def _flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self.view.append(pending)
            if self.error is None:
                self._show_status()

    # --- keys --------------------------------------------------------------------------
    def action_close(self) -> None:
        self.workers.cancel_group(self, "pod-logs")
        self.dismiss(None)

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        self._reload()

    def action_toggle_follow(self) -> None:
        if self.following:
            self.workers.cancel_group(self, "pod-logs")
            self.following = False
            self._show_status()
            return
        self.previous = False  # a terminated container writes nothing more
        self._follow()

    def _reload(self) -> None:
        self.run_worker(self._load(), group="pod-logs", exclusive=True, exit_on_error=False)

    def action_choose_container(self) -> None:
        if len(self.containers) < 2:
            self.notify(f"{self.pod} has one container: {self.container or '?'}", markup=False)
            return
        choices = [(name, name + (" (crash-looping or not ready)" if name == default_container(self.pod_doc) else ""))
                   for name in self.containers]

        def chosen(name: str | None) -> None:
            if name and name != self.container:
                self.container = name
                self._reload()

        self.app.push_screen(ChoiceScreen("Which container's logs?", choices, self.container), chosen)

    def action_search(self) -> None:
        box = self.query_one(Input)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.view.focus()
        self.query_one(Input).display = False
        self.action_next_match()

    def action_back(self) -> None:
        """Esc in the search line closes the line, not the screen."""
        box = self.query_one(Input)
        if box.has_focus:
            box.display = False
            self.view.focus()
        else:
            self.action_close()

    def action_next_match(self) -> None:
        if not self.query_text:
            self.action_search()
            return
        needle = self.query_text.lower()
        matches = [i for i, line in enumerate(self.lines) if needle in line.lower()]
        status = self.query_one("#logs-status", Static)
        if not matches:
            status.update(Text(f"“{one_line(self.query_text)}”: not in these {len(self.lines)} lines"))
            return
        after = [i for i in matches if i > self.view.cursor]
        target = after[0] if after else matches[0]
        self.view.move_cursor(target)
        status.update(Text(f"“{one_line(self.query_text)}”: match {matches.index(target) + 1} of {len(matches)} "
                           f"(line {target + 1}) · n next"))

    def action_mark(self) -> None:
        self.view.mark = None if self.view.mark == self.view.cursor else self.view.cursor
        self.view.refresh()
        self._show_status()

    def action_pin(self) -> None:
        if not self.lines:
            self.notify("No log lines to pin", severity="warning")
            return
        first, last = self.view.marked()
        last = min(last, first + PIN_LIMIT - 1)
        which = "previous container" if self.previous else "container"
        where = f"line {first + 1}" if first == last else f"lines {first + 1}-{last + 1}"
        header = (f"log of pod {self.cluster}/{self.namespace}/{self.pod}, {which} {self.container or '?'}, "
                  f"{where} of the last {len(self.lines)}:")
        self.post_message(TimelineRequest("\n".join([header, *self.lines[first:last + 1]]), kind="observation"))
        self.view.mark = None
        self.view.refresh()
        self._show_status()
