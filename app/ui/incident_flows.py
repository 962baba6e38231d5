"""The commander's dialogs: each asks what it must, then hands one command to the session.

Nothing here touches the store or decides what an event says: the incident core
(app/incident) validates and writes; these only turn keys and dialog answers into
commands, and give the person's input back when something was not saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.events import EventType, Milestone
from app.domain.record_fields import shown_value
from app.incident import AssignRole, Command, CommandRejected, CorrectEntry, MarkMilestone, SetField, SetSeverity, SetStatus
from app.incident.results import IncidentsListed, OpenFailed, UpdateFailed
from app.incident.when import parse_when
from app.store.base import IncidentSummary
from app.ui import confirmations
from app.ui.confirmations import Confirmation
from app.ui.screens.confirm import ConfirmScreen
from app.ui.screens.open_incident import OpenIncidentScreen
from app.ui.screens.pickers import ChoiceScreen
from app.ui.screens.prompt import TextPromptScreen
from app.ui.screens.roles import RoleInfo, RoleScreen
from app.ui.screens_update import ComposedUpdate, UpdateComposer, draft_key

if TYPE_CHECKING:
    from app.domain.incident import IncidentState
    from app.ui.app import WarroomApp

NEW_INCIDENT = "\x00new"  # picker value meaning "open a new incident"
EXPORT_FORMATS = [("markdown", "markdown: post-mortem draft"), ("yaml", "yaml: incident record"), ("json", "json: every event")]


def status_label(name: str, description: str | None, marks: str | None) -> str:
    """A status in the picker: its name, what it means, the milestone it marks."""
    parts = [name, description or "", f"(marks {marks})" if marks else ""]
    return "  ".join(p for p in parts if p)


class IncidentFlows:
    """Owned by the app (composition, not a mixin): reads its state, pushes its screens."""

    def __init__(self, app: WarroomApp) -> None:
        self.app = app

    @property
    def state(self) -> IncidentState | None:
        return self.app.state

    def _require(self) -> IncidentState | None:
        if self.state is None:
            self.app.notify("No incident open: press o to open one, or i to pick one.", severity="warning")
        return self.state

    def _check(self, command: Command) -> bool:
        """Answer at once from our copy of the incident; the store thread checks again."""
        assert self.state is not None
        try:
            self.app.core.plan(command, self.state)
        except CommandRejected as exc:
            self.app.notify(str(exc), severity="warning", markup=False)
            return False
        return True

    def submit(self, command: Command) -> None:
        if self.state is not None and self._check(command):
            self.app.submit(command)

    def confirm_then_submit(self, confirmation: Confirmation | None, command: Command) -> None:
        """A risky command asks first (Back is the default); a declined one writes nothing."""
        if confirmation is None:
            self.submit(command)
            return
        if self.state is None or not self._check(command):
            return  # refused anyway: say why now rather than after a question

        def answered(yes: bool | None) -> None:
            if yes:
                self.submit(command)
            else:
                self.app.notify("Nothing changed.", timeout=3)

        self.app.push_screen(ConfirmScreen(confirmation.question, confirmation.details, action=confirmation.action), answered)

    def _resolving(self, at=None) -> Confirmation:
        assert self.state is not None
        app = self.app
        return confirmations.resolving(app.config, self.state, app.clock.now(), app.tz, app.live_levels.problems(), at)

    # --- opening and switching -------------------------------------------------------------
    def start(self, listed: IncidentsListed) -> None:
        summaries = listed.summaries
        if listed.purpose == "switch":
            self.pick(summaries, "Switch incident")
            return
        open_ = [s for s in summaries if s.is_open]
        if len(open_) == 1:
            self.app.session.load(open_[0].id)
        elif open_:
            self.pick(open_, "Several incidents are open: which one?")
        else:
            self.open_incident()

    def open_incident(self, title: str = "", severity: str | None = None) -> None:
        screen = OpenIncidentScreen(self.app.config.severities, title=title, severity=severity) if title else OpenIncidentScreen(self.app.config.severities)
        self.app.push_screen(screen, self._opened)

    def _opened(self, result: tuple[str, str] | None) -> None:
        if result is not None:
            self.app.session.open(*result)
        elif self.state is None:
            self.app.refresh_panel()

    def open_failed(self, failed: OpenFailed) -> None:
        self.app.notify(f"cannot save the new incident: {failed.reason}", title="Not saved", severity="error", timeout=10, markup=False)
        self.open_incident(failed.title, failed.severity)

    def pick(self, summaries: list[IncidentSummary], title: str) -> None:
        ordered = sorted(summaries, key=lambda s: not s.is_open)  # stable: open first, newest first
        tz = self.app.tz
        choices: list[tuple[str, str]] = [
            (s.id, f"{s.id}  {s.severity}  {s.status:<13} {s.opened_at.astimezone(tz):%Y-%m-%d %H:%M}  {s.title}") for s in ordered
        ]
        choices.append((NEW_INCIDENT, "＋ open a new incident"))

        def done(choice: str | None) -> None:
            if choice == NEW_INCIDENT:
                self.open_incident()
            elif choice:
                self.app.session.load(choice)
            elif self.state is None:
                self.app.refresh_panel()

        self.app.push_screen(ChoiceScreen(title, choices, self.state.id if self.state else None), done)

    # --- roles, severity, status -------------------------------------------------------------
    def roles(self, selected: str | None) -> None:
        """`selected`: the role chosen in the roles list, when that list has the focus. Else
        the first unassigned role: a cursor left somewhere out of sight must not decide."""
        state = self._require()
        if state is None:
            return

        def done(result: tuple[str, str] | None) -> None:
            if result is not None and self.state is not None:
                role, person = result
                self.confirm_then_submit(confirmations.handoff(role, self.state.roles, person, self.app.config.commander_role), AssignRole(role, person))

        config = self.app.config
        roles = list(dict.fromkeys([*config.role_names, *state.roles]))
        required = self.app.required_unfilled(state)
        start = selected if selected in roles else next((r for r in roles if r in required), None)
        start = start or next((r for r in roles if not state.roles.get(r)), None)
        about = RoleInfo({r.name: r for r in config.roles}, required, config.commander_role)
        self.app.push_screen(RoleScreen(roles, dict(state.roles), list(state.role_history), self.app.tz, role=start, about=about), done)

    def severity(self) -> None:
        state = self._require()
        if state is None:
            return
        choices = [(s.name, f"{s.name}  {s.description}") for s in self.app.config.severities]

        def done(severity: str | None) -> None:
            if severity and self.state and severity != self.state.severity:
                lower = confirmations.lowering(self.app.config, self.state.severity, severity)
                self.confirm_then_submit(lower, SetSeverity(severity))

        self.app.push_screen(ChoiceScreen("Severity", choices, state.severity), done)

    def status(self) -> None:
        state = self._require()
        if state is None:
            return

        config = self.app.config

        def done(status: str | None) -> None:
            if status is not None and self.state is not None and status != self.state.status:
                risky = self._resolving() if status == config.final_status else None
                self.confirm_then_submit(risky, SetStatus(status))

        # The configured lifecycle; a status no longer configured opens the picker on the first.
        choices = [(s.name, status_label(s.name, s.description, s.marks)) for s in config.statuses]
        self.app.push_screen(ChoiceScreen("Status", choices, state.status), done)

    def record_fields(self) -> None:
        """R: pick a record field (users affected, revenue lost ...), then type or pick its value."""
        state = self._require()
        if state is None:
            return
        fields = self.app.config.fields
        if not fields:
            self.app.notify("No record fields configured: add `fields:` to the config (see config.example.yaml).", severity="warning")
            return
        values = state.fields
        choices = [(f.name, f"{f.shown}: {shown_value(values.get(f.name))}  ({f.type})") for f in fields]

        def picked(name: str | None) -> None:
            field = self.app.config.field(name) if name else None
            if field is None or self.state is None:
                return
            current = self.state.fields.get(field.name)

            def typed(value: str | None) -> None:
                if value is not None:
                    self.submit(SetField(field.name, value))

            if field.type == "choice":
                options = [(c, c) for c in field.choices]
                self.app.push_screen(ChoiceScreen(field.shown, options, current), typed)
                return
            hint = field.description or {"number": "a number, e.g. 1200", "duration": "a duration, e.g. 45m or 2h", "text": "one line"}[field.type]
            prompt = TextPromptScreen(f"{field.shown}?", placeholder=hint + " (empty clears it)",
                                      initial="" if current is None else str(current))
            self.app.push_screen(prompt, typed)

        self.app.push_screen(ChoiceScreen("Record fields", choices, hint="Enter: set the value · Esc: back"), picked)

    def resolve(self) -> None:
        """The palette's 'Resolve the incident': the same question as S, then resolved."""
        state = self._require()
        if state is not None and state.is_open:
            self.confirm_then_submit(self._resolving(), SetStatus(self.app.config.final_status))

    # --- corrections and milestones ------------------------------------------------------------
    def correct(self) -> None:
        if self._require() is None:
            return
        item = self.app.timeline.selected_item()
        if item is None or item.event_type is not EventType.ENTRY_ADDED:
            self.app.notify("Select a timeline entry first (Esc leaves the entry line; ↑/↓ in the timeline).", severity="warning")
            return
        if item.struck:
            self.app.notify(f"#{item.seq} is already corrected.", severity="warning")
            return

        def done(reason: str | None) -> None:
            if reason:
                self.submit(CorrectEntry(item.seq, reason))

        self.app.push_screen(TextPromptScreen(f"Correct entry #{item.seq}: why is it wrong?", context=item.text, placeholder="reason"), done)

    def milestone(self) -> None:
        state = self._require()
        if state is None:
            return
        tz = self.app.tz
        choices = [
            (m, f"{m.value}" + (f"  (marked {state.milestones[m].astimezone(tz):%H:%M:%S}: Enter corrects it)" if m in state.milestones else ""))
            for m in Milestone
        ]

        def chosen(milestone: Milestone | None) -> None:
            if milestone is not None and self.state is not None:
                self._ask_time(milestone, correcting=milestone in self.state.milestones)

        first_open = next((m for m in Milestone if m not in state.milestones), None)
        hint = "Enter, then the time (now, or when it happened) · Esc cancel"
        self.app.push_screen(ChoiceScreen("Milestone", choices, first_open, hint=hint), chosen)

    def _ask_time(self, milestone: Milestone, *, correcting: bool, typed: str | None = None) -> None:
        """Asks when, pre-filled with now: detection is usually earlier than the person noticing."""
        app = self.app
        asked_at = app.clock.now()
        shown = asked_at.astimezone(app.tz).strftime("%H:%M:%S")

        def got_time(text: str | None) -> None:
            if not text or self.state is None:
                return
            try:
                at = asked_at if text.strip() == shown and not correcting else parse_when(text, app.tz, app.clock.now())
                # Refused here exactly as the CLI refuses it (a future time, a missing reason).
                app.core.plan(MarkMilestone(milestone.value, at, "-" if correcting else None), self.state)
            except CommandRejected as exc:
                app.notify(f"{text!r}: {exc}", severity="error", markup=False)
                self._ask_time(milestone, correcting=correcting, typed=text)
                return
            if correcting:
                self._ask_reason(milestone, at)
            elif milestone is Milestone.RESOLVED and self.state.is_open:
                self.confirm_then_submit(self._resolving(at), MarkMilestone(milestone.value, at))
            else:
                self.submit(MarkMilestone(milestone.value, at))

        if correcting and self.state is not None:
            was = self.state.milestones[milestone].astimezone(app.tz).strftime("%H:%M:%S")
            prompt = TextPromptScreen(f"{milestone.value} is marked at {was}. Correct time (HH:MM or ISO):", initial=typed or "", placeholder="14:05")
        else:
            prompt = TextPromptScreen(f"When was it {milestone.value}? Enter = now, or type HH:MM", initial=typed or shown, placeholder="14:05")
        app.push_screen(prompt, got_time)

    def _ask_reason(self, milestone: Milestone, at) -> None:
        def got_reason(reason: str | None) -> None:
            if reason:
                self.submit(MarkMilestone(milestone.value, at, reason))

        self.app.push_screen(TextPromptScreen(f"Why correct {milestone.value}?", placeholder="reason (kept in the record)"), got_reason)

    # --- status updates and export ---------------------------------------------------------------
    def compose_update(self) -> None:
        state = self._require()
        if state is None:
            return
        composer = UpdateComposer.for_incident(state, self.app.config, self.app.clock.now())
        self.app.push_screen(composer, lambda result: self._post_update(state.id, result))

    def _post_update(self, incident_id: str, result: ComposedUpdate | None) -> None:
        if result is not None:
            self.app.session.post_update(incident_id, result.text, result.template, result.audience)

    def update_failed(self, failed: UpdateFailed) -> None:
        """Nothing typed is lost: the composer comes back with the text as it was."""
        self.app.notify(f"cannot save the update: {failed.reason}", title="Not saved", severity="error", timeout=10, markup=False)
        key = draft_key(failed.audience, failed.template or "update")
        self.app.push_screen(
            UpdateComposer({key: failed.text}, key, incident=failed.incident_id),
            lambda again: self._post_update(failed.incident_id, again),
        )

    def export(self) -> None:
        state = self._require()
        if state is None:
            return

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.app.session.export(state.id, fmt)

        self.app.push_screen(ChoiceScreen("Export the record", EXPORT_FORMATS, "markdown"), chosen)
