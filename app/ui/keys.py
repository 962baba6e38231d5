"""Every key in one place: the help screen (grouped by workflow) and the command palette
(human names and the words people type for them) are built from the app's bindings and the
live panes' own, so a key cannot be missing from either.

The palette matches loosely (fuzzy), except for steps that are hard to take back: resolving,
handing off a role, cancelling or terminating a database backend. Those are found only by
the start of one of their words ("res", "hand off", "term"), never by letters scattered
through other words: `mitig` once offered `Terminate (kill)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widget import Widget

from app.ui.bindings import APP_BINDINGS
from app.ui.focus import focus_pane, focus_timeline
from app.ui.live import PANES
from app.ui.panes.base import WARNING_EVENTS_KEY, LivePane

if TYPE_CHECKING:
    from app.ui.app import WarroomApp

RISKY_MIN = 3
"""Letters a risky command needs typed before it is offered ('r' alone offers no resolve)."""

# Which workflow each app key belongs to (help screen sections).
SCRIBE = ("entry", "correct", "toggle_utc", "focus_timeline")
COMMANDER = ("record_update", "severity", "status", "roles", "checklist", "milestone", "open_incident",
             "switch_incident", "export", "retry_updates", "record_fields")
MOVING = ("focus_pane", "switch_view", "help", "quit")

# action -> (palette name, words people type for it, risky)
NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "entry": ("Write a timeline entry", ("log", "note", "scribe", "decision", "action")),
    "record_update": ("Post a status update", ("update", "comms", "announce", "stakeholders")),
    "severity": ("Change severity", ("sev", "escalate", "downgrade", "priority")),
    "status": ("Change status", ("investigating", "identified", "monitoring")),
    "roles": ("Assign a role", ("roles", "commander", "scribe", "tech lead")),
    "checklist": ("Tick the checklist", ("checklist", "todo", "task")),
    "milestone": ("Mark a milestone", ("detected", "acknowledged", "mitigated", "identified")),
    "correct": ("Correct a timeline entry", ("strike", "amend", "fix entry", "wrong")),
    "toggle_utc": ("Show times in UTC or local time", ("utc", "timezone", "zone")),
    "export": ("Export the record", ("post-mortem", "postmortem", "markdown", "yaml", "json")),
    "switch_incident": ("Switch to another incident", ("incidents", "pick", "list")),
    "open_incident": ("Open a new incident", ("new incident", "declare", "start")),
    "retry_updates": ("Retry failed update deliveries", ("retry", "resend", "webhook")),
    "record_fields": ("Set a record field", ("fields", "users affected", "revenue", "detected by", "record")),
    "focus_timeline": ("Focus the timeline", ("focus", "go to", "timeline")),
    "switch_view": ("Switch between live and incident half", ("live", "incident", "view", "half")),
    "help": ("Show all keys", ("help", "keys")),
}


PANE_VIEW_HELP = [
    ("/", "filter the pane's rows as you type (pods also app=payments, payments/); Enter keeps, Esc clears"),
    ("f", "zoom the pane: the whole live half, the whole screen when narrow; every column (f / Esc back)"),
]
"""Keys every live pane has (app.ui.panes.base.LivePane), listed once rather than per pane."""

HELP_TEXT = {
    "focus_pane": "focus a live pane: its number is in its title (5: Warning events)",
    "focus_timeline": "focus the timeline (↑/↓ then Enter shows an entry)",
    "switch_view": "switch between the live and the incident half (narrow screens)",
    "help": "this screen (F1 too)",
    "quit": "quit",
}


@dataclass(frozen=True)
class PaletteCommand:
    name: str
    key: str
    run: Callable[[], object]
    words: tuple[str, ...] = ()
    risky: bool = False
    help: str = ""
    names: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(n.lower() for n in (self.name, *self.words)))

    @property
    def title(self) -> str:
        return f"{self.name}  ({self.key})"

    def score(self, query: str, fuzzy: Callable[[str], float]) -> float:
        """How well `query` matches: by the start of a word only, for a risky command."""
        query = " ".join(query.lower().split())
        if self.risky:
            if len(query) < RISKY_MIN:
                return 0.0
            starts = any(n.startswith(query) or f" {query}" in f" {n}" for n in self.names)
            return 1.0 if starts else 0.0
        return max(fuzzy(n) for n in self.names)


def pane_bindings(app: WarroomApp) -> list[tuple[Widget, Binding]]:
    """Keys of the live panes (pin, database actions, ...), with the widget they act on."""
    found: list[tuple[Widget, Binding]] = []
    seen: set[tuple[type, str]] = set()
    for widget in app.main_screen.query("#live *"):
        if not type(widget).__module__.startswith("app.ui.panes"):
            continue
        for binding in type(widget).BINDINGS:
            if isinstance(binding, Binding) and (type(widget), binding.key) not in seen:
                seen.add((type(widget), binding.key))
                found.append((widget, binding))
    return found


def _pane_name(widget: Widget) -> str:
    """'1 Health', '5 Warning events': the pane a key acts in, by its number."""
    if widget.id == "pods-events":
        return f"{WARNING_EVENTS_KEY} Warning events"
    for node in (widget, *widget.ancestors):
        for entry in PANES:
            if node.id == f"pane-{entry.source.name}":
                return f"{entry.number} {entry.title}"
    return "pane"


def key_sections(app: WarroomApp) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen: what each person does, each key once."""
    display = app.get_key_display
    by_action: dict[str, Binding] = {}
    for b in APP_BINDINGS:
        if b.id != "help.f1":
            by_action.setdefault(b.action.partition("(")[0], b)  # 1-5 are one line: the first

    def keys(actions: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(by_action[a].key_display or display(by_action[a]), HELP_TEXT.get(a) or NAMES.get(a, (by_action[a].description,))[0])
                for a in actions if a in by_action]

    live: list[tuple[str, str]] = []
    shown: set[str] = set()
    for widget, binding in sorted(pane_bindings(app), key=lambda wb: display(wb[1])):
        if binding.action == "select_cursor":
            continue  # Enter on a row: said once for all panes
        key = display(binding)
        live.append(("" if key in shown else key, f"{binding.description} ({_pane_name(widget)})"))
        shown.add(key)
    listed = set(SCRIBE) | set(COMMANDER) | set(MOVING)
    other = tuple(a for a in by_action if a not in listed)
    pods: list[tuple[str, str]] = []
    if any(b.id == "kubernetes.deployments" for _, b in pane_bindings(app)):
        pods = pod_screen_keys(display)
    return [
        ("Scribe", [*keys(SCRIBE), ("Enter / Esc", "in the entry line: save / leave the line"),
                    ("Enter", "on a timeline entry: show it in full"), ("End / G", "newest entry, and follow it"),
                    ("/", "in the timeline: filter entries as you type (kind:decision, kind:obs; Esc clears)")]),
        ("Commander", [*keys(COMMANDER), ("Space", "tick or untick the checklist item under ▶")]),
        ("Live panes", [("Enter", "on a row: all we know of it (q / Esc back)"),
                        *PANE_VIEW_HELP, *live]),
        *([("Pod logs (l) and deployments (D)", pods)] if pods else []),
        ("Moving around", [*keys(MOVING), *keys(other),
                           ("Tab / Shift+Tab", "next / previous part (▶ marks it)"),
                           ("↑↓ PgUp/PgDn", "move in any list or table (Home / End: first / last)"),
                           ("ctrl+p", "command palette: find any of these by name")]),
    ]


def pod_screen_keys(display: Callable[[Binding], str]) -> list[tuple[str, str]]:
    """The keys inside the pods pane's logs and deployments screens (imported only when a
    cluster is configured: they bring the Kubernetes code)."""
    from app.ui.panes.kubernetes_deployments import DeploymentsScreen
    from app.ui.panes.kubernetes_logs import PodLogsScreen

    found: list[tuple[str, str]] = []
    for where, screen in (("logs", PodLogsScreen), ("deployments", DeploymentsScreen)):
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.key != "escape":
                found.append((binding.key_display or display(binding), f"{binding.description} ({where})"))
    found.append(("", "undo, restart and scale need allow_actions: true on the cluster; each asks first and is logged"))
    return found


def key_help(app: WarroomApp) -> list[tuple[str, str]]:
    """Every (key, description) of the help screen, flat (tests read it as a dict)."""
    return [pair for _, pairs in key_sections(app) for pair in pairs]


def palette_commands(app: WarroomApp) -> Iterator[PaletteCommand]:
    for binding in APP_BINDINGS:
        action, _, argument = binding.action.partition("(")
        if binding.id == "help.f1" or action == "quit" or (action == "switch_view" and not app.main_screen.has_class("-narrow")):
            continue
        key = binding.key if action == "focus_pane" else app.get_key_display(binding)
        run = partial(app.call_later, app.run_action, binding.action)
        if action == "focus_pane":
            number = int(argument.rstrip(")"))
            title = next((f"{e.title}" for e in PANES if e.number == number), "Warning events")
            yield PaletteCommand(f"Focus {title}", key, run, ("focus", "go to", "pane", title))
            continue
        name, words = NAMES.get(action, (binding.description, ()))
        yield PaletteCommand(name, key, run, words)
    flows = app.flows
    yield PaletteCommand("Resolve the incident", f"S, then {app.config.final_status}", flows.resolve, ("resolve", "close incident"), risky=True)
    yield PaletteCommand("Hand off a role", "r", partial(app.call_later, app.run_action, "roles"),
                         ("hand off", "handoff", "handover", "transfer"), risky=True)
    for pane in app.main_screen.query("#live LivePane").results(LivePane):
        name = _pane_name(pane)
        yield PaletteCommand(f"Filter: {name}", "/ there", partial(app.call_later, _in_pane, app, pane, "filter"),
                             ("filter", "search", "find", "narrow", "grep"))
        yield PaletteCommand(f"Zoom: {name}", "f there", partial(app.call_later, _in_pane, app, pane, "zoom"),
                             ("zoom", "full screen", "maximise", "enlarge"))
    yield PaletteCommand("Filter the timeline", "/ there", partial(app.call_later, _in_timeline, app),
                         ("filter", "search", "find", "kind"))
    for widget, binding in pane_bindings(app):
        if binding.id == "kubernetes.deployments":  # the steps inside its screen, by their names
            run = partial(app.call_later, widget.run_action, binding.action)
            for name, key, words in (("Roll back a deployment (rollout undo)", "u", ("rollback", "roll back", "undo", "revert")),
                                     ("Restart a deployment (rollout restart)", "r", ("restart", "rollout restart")),
                                     ("Scale a deployment", "s", ("scale", "replicas"))):
                yield PaletteCommand(f"{name}: {_pane_name(widget)}", f"D, then {key}", run, words, risky=True)
        risky = binding.id in ("postgres.cancel", "postgres.terminate")
        words = ("kill", "terminate", "backend") if binding.id == "postgres.terminate" else ("pin",) if "pin" in binding.action else ()
        yield PaletteCommand(f"{binding.description}: {_pane_name(widget)}", f"{app.get_key_display(binding)} there",
                             partial(app.call_later, widget.run_action, binding.action), words, risky=risky)


def _in_pane(app: WarroomApp, pane: LivePane, action: str) -> None:
    """As if pressed there: the keys go to the pane first (the filter line returns to its table)."""
    if pane.number is not None and not pane.has_focus_within:
        focus_pane(app, pane.number)
    if action == "filter":
        pane.action_filter()
    else:
        pane.action_zoom()


def _in_timeline(app: WarroomApp) -> None:
    focus_timeline(app)
    app.timeline.action_filter()


class WarroomCommands(Provider):
    """The dashboard's commands in the palette (ctrl+p)."""

    def _commands(self) -> list[PaletteCommand]:
        return list(palette_commands(self.app))  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for command in self._commands():
            if not command.risky:  # listed only when asked for by name
                yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = command.score(query, matcher.match)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title) if not command.risky else command.title,
                          command.run, help=command.help)
