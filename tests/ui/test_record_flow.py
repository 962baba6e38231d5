"""The commander's record flow in the real app: open a SEV1, post the overdue update to a real
webhook receiver, let an escalation step fall due, mark and correct milestones, resolve,
export the post-mortem draft. Real SQLite, frozen clock, receiver on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import TextArea

from app.domain.clock import FrozenClock
from app.domain.events import EventType, Milestone, Status
from app.ui.panes.health import HealthPane
from app.ui.screens.confirm import ConfirmScreen
from app.ui.keys import palette_commands
from app.ui.screens.help import HelpScreen
from app.ui.screens.open_incident import OpenIncidentScreen
from app.ui.screens_update import UpdateComposer
from tests.health.health_servers import TargetServer
from app.drill.channel import WebhookReceiver, free_port
from tests.support import until
from tests.ui.record_flow_support import (
    HOOK,
    countdown,
    countdown_lines,
    events_of,
    header,
    paste,
    record_config,
    settle_app,
    tick,
    timeline_texts,
)
from tests.support.incident_app import START, make_app, make_config, settle

INCIDENT = "INC-2026-001"


async def open_sev1_as_commander(app, pilot, title: str = "Checkout down") -> None:
    # No incident yet: the open screen is up. SEV2 is preselected; ↑ from it is SEV1.
    assert isinstance(app.screen, OpenIncidentScreen)
    await paste(app, pilot, title)
    await pilot.press("tab", "up", "enter")
    await settle(app, pilot)
    # r: the role dialog starts on the first role, the Incident Commander.
    await pilot.press("r", *"alice", "enter")
    await settle(app, pilot)


async def test_commander_posts_escalates_corrects_resolves_and_exports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clock = FrozenClock(START)
    with WebhookReceiver() as rx:
        app = make_app(tmp_path / "r.db", clock, record_config(rx.url))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await open_sev1_as_commander(app, pilot)
            assert app.status_strip.text.startswith(f"{INCIDENT}   SEV1 ")
            assert app.state.roles == {"Incident Commander": "alice"}

            # 1. The update cadence (10 min) runs out: overdue, and the bell rings once.
            assert "10m left" in countdown(app, "Next status update")
            clock.set(START + timedelta(minutes=10, seconds=5))
            await tick(app, pilot)
            assert countdown(app, "Next status update").startswith("✖ overdue")
            clock.advance(seconds=5)
            await tick(app, pilot)
            assert app.bells == 1

            # 2. u: the composer is pre-filled with the initial notification for this incident.
            await pilot.press("u")
            await settle(app, pilot)
            composer = app.screen
            assert isinstance(composer, UpdateComposer)
            assert composer.template == "initial"
            draft = composer.query_one(TextArea).text
            assert draft.startswith(f"[SEV1] {INCIDENT}: Checkout down")
            assert "Incident commander: alice" in draft
            await paste(app, pilot, " Rolled back.")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert not isinstance(app.screen, UpdateComposer)
            # The receiver got it: the json format carries the incident and the text.
            assert len(rx.received) == 1
            body = rx.received[0]
            assert body["type"] == "status_update"
            assert body["incident"]["id"] == INCIDENT and body["incident"]["severity"] == "SEV1"
            assert body["text"].startswith(f"[SEV1] {INCIDENT}") and body["text"].endswith("Rolled back.")
            update_seq = app.state.updates[-1].seq
            shown = timeline_texts(app)
            assert any(t.startswith("Status update posted: [SEV1]") for t in shown)
            assert f"Update #{update_seq} to {HOOK}: delivered" in shown
            # Posting reset the countdown: a full 10 minutes from now.
            assert countdown(app, "Next status update").startswith("● ok") and "10m left" in countdown(app, "Next status update")

            # A scribe's action, and an entry that turns out wrong (struck, with its reason).
            await pilot.press("t")
            await paste(app, pilot, ">restarted pods")
            await pilot.press("enter")
            await settle(app, pilot)
            await paste(app, pilot, "db cause")
            await pilot.press("enter")
            await settle(app, pilot)
            await pilot.press("escape", "x")
            await paste(app, pilot, "db fine")
            await pilot.press("enter")
            await settle(app, pilot)
            assert [(i.text, i.strike_reason) for i in app.state.timeline if i.struck] == [("db cause", "db fine")]

            # 3. The first escalation step (20 min) passes unmitigated: logged once, and posted.
            clock.set(START + timedelta(minutes=20, seconds=30))
            await tick(app, pilot)
            escalations = [t for t in timeline_texts(app) if t.startswith("Escalation due:")]
            assert escalations == [escalations[0]] and "bring in Engineering Manager" in escalations[0]
            assert countdown(app, "Escalate to Engineering Manager").startswith("✖ overdue")
            assert [b["type"] for b in rx.received] == ["status_update", "escalation"]
            assert rx.received[1]["text"] == escalations[0]
            # Later within the same step (and a second tick): still one entry, one post.
            clock.set(START + timedelta(minutes=24))
            await tick(app, pilot)
            await tick(app, pilot)
            assert len([t for t in timeline_texts(app) if t.startswith("Escalation due:")]) == 1
            assert len(rx.received) == 2

            # 4. m (opens on detected, the first unmarked): acknowledged, then mitigated, each marked now
            # (the time prompt is pre-filled with now: Enter accepts it).
            await pilot.press("m", "down", "enter")
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            clock.advance(minutes=1)
            await pilot.press("m", "down", "down", "enter")
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.state.milestones[Milestone.ACKNOWLEDGED] == START + timedelta(minutes=24)
            assert app.state.milestones[Milestone.MITIGATED] == START + timedelta(minutes=25)
            assert "acknowledged 09:24" in header(app)
            # The acknowledgement was really at 09:08: m, acknowledged, a time, a reason.
            await pilot.press("m", "down", "enter")
            await settle(app, pilot)
            await paste(app, pilot, "09:08")
            await pilot.press("enter")
            await settle(app, pilot)
            await paste(app, pilot, "paged 09:08")
            await pilot.press("enter")
            await settle(app, pilot)
            corrected = events_of(app, EventType.MILESTONE_CORRECTED)
            assert len(corrected) == 1
            assert corrected[0].data["milestone"] == "acknowledged" and corrected[0].data["reason"] == "paged 09:08"
            assert app.state.milestones[Milestone.ACKNOWLEDGED] == START + timedelta(minutes=8)
            assert "acknowledged 09:08" in header(app) and "acknowledged 09:24" not in header(app)
            assert "Milestone acknowledged corrected to 09:08:00 UTC: paged 09:08" in timeline_texts(app)

            # 5. S: resolved (fourth choice), confirmed (Back is the default: ← to Resolve).
            # The resolved milestone is marked; clocks stop.
            clock.advance(minutes=2)
            await pilot.press("S", "down", "down", "down", "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("left", "enter")
            await settle(app, pilot)
            assert app.state.status == Status.RESOLVED
            assert app.state.milestones[Milestone.RESOLVED] == START + timedelta(minutes=27)
            stopped = countdown_lines(app)
            assert not any("left" in line or "overdue" in line for line in stopped), stopped
            assert "✔ resolved  T+0:27:00" in app.status_strip.text
            clock.advance(minutes=30)
            await tick(app, pilot)
            assert countdown_lines(app) == stopped
            assert "✔ resolved  T+0:27:00" in app.status_strip.text

            # 6. e: markdown (preselected) is written to the current directory.
            await pilot.press("e", "enter")
            await settle(app, pilot)
            path = tmp_path / f"{INCIDENT}-postmortem.md"
            assert path.is_file()
            assert any(str(path) in n.message for n in app._notifications)
            text = path.read_text(encoding="utf-8")

    sections = ["## Summary", "## Roles", "## Milestones and metrics", "## Timeline", "## Status updates sent", "## Root cause",
                "## Contributing factors", "## Action items", "## Lessons learned"]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions)
    assert f"# Post-mortem: {INCIDENT}: Checkout down" in text
    assert "| Status | resolved |" in text
    # Roles, milestones with the corrected time, the correction and its reason.
    assert "| Incident Commander | alice |" in text
    assert "| Acknowledged | 2026-03-14 09:08" in text
    assert "Milestone corrections: Milestone acknowledged corrected to 09:08:00 UTC: paged 09:08" in text
    # The timeline, struck entry included, and the escalation.
    timeline = text[text.index("## Timeline"): text.index("## Checklist")]
    assert "| alice | action | restarted pods |" in timeline
    assert "~~db cause~~ (corrected by #" in timeline and ": db fine)" in timeline
    assert "Escalation due: SEV1 step 1, bring in Engineering Manager" in timeline
    assert "Status set to resolved" in timeline
    # The update as sent, with its delivery result.
    updates = text[text.index("## Status updates sent"): text.index("## Root cause")]
    assert f"> \\[SEV1\\] {INCIDENT}: Checkout down" in updates
    assert "Rolled back." in updates
    assert f"✔ delivered to {HOOK} at " in updates and "(HTTP 200, 1 attempt)" in updates
    # The analysis is left for the team, visibly empty.
    assert "## Root cause\n\n_To be written._" in text
    assert "## Contributing factors\n\n_To be written._" in text
    assert "## Action items\n\n- [ ] _To be written._" in text
    # The webhook URL is the secret (Slack): it never reaches the record.
    assert "secret-token-abc123" not in text
    assert rx.url not in text and f"127.0.0.1:{rx.port}" not in text


async def test_failed_delivery_keeps_the_update_and_U_retries_it(tmp_path):
    port = free_port()  # nothing listens here yet: the receiver is down
    clock = FrozenClock(START)
    app = make_app(tmp_path / "d.db", clock, record_config(f"http://127.0.0.1:{port}/hook/secret-token-abc123"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await open_sev1_as_commander(app, pilot, "Payments failing")
        clock.advance(minutes=3)
        await pilot.press("u")
        await settle(app, pilot)
        await paste(app, pilot, " Failing over.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # The update is recorded (and resets the countdown) although nobody received it.
        assert len(app.state.updates) == 1 and app.state.updates[0].text.endswith("Failing over.")
        assert "10m left" in countdown(app, "Next status update")
        seq = app.state.updates[0].seq
        failed = f"Update #{seq} to {HOOK}: FAILED (connection failed (receiver down or unreachable))"
        assert failed in timeline_texts(app)
        assert any("FAILED" in n.message and "2 attempts" in n.message for n in app._notifications)

        with WebhookReceiver(port=port) as rx:
            clock.advance(minutes=1)
            await pilot.press("U")
            await settle(app, pilot)
            assert len(rx.received) == 1 and rx.received[0]["text"].endswith("Failing over.")
            shown = timeline_texts(app)
            assert shown.index(failed) < shown.index(f"Update #{seq} to {HOOK}: delivered")
            assert any(n.message == f"update #{seq}: {HOOK}: delivered (HTTP 200, 1 attempt)" for n in app._notifications)
            assert len(app.state.updates) == 1  # the same update, delivered late: not a second one
            # Nothing left to retry: U says so and sends nothing.
            await pilot.press("U")
            await settle(app, pilot)
            assert any("Nothing to retry" in n.message for n in app._notifications)
            assert len(rx.received) == 1


async def test_live_pane_keys_are_in_help_and_the_command_palette(tmp_path):
    target = TargetServer().start()
    try:
        config = make_config(health=[{"name": "api", "url": target.url("/ok"), "interval": "1s"}])
        app = make_app(tmp_path / "h.db", config=config)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle_app(app, pilot)
            await paste(app, pilot, "Latency")
            await pilot.press("enter")
            await settle_app(app, pilot)

            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            keys = dict(app.screen.keys)
            assert keys["p"] == "Pin to timeline (1 Health)"
            assert keys["u"] == "Post a status update" and keys["e"] == "Export the record"
            assert keys["U"] == "Retry failed update deliveries"
            await pilot.press("escape")
            await pilot.pause()

            commands = {c.name: c for c in palette_commands(app)}
            assert "Retry failed update deliveries" in commands and "Mark a milestone" in commands
            pin = commands["Pin to timeline: 1 Health"]
            # The palette's pin acts on the pane, like p there: once the row has a result.
            pane = app.query_one(HealthPane)
            await until(pilot, lambda: pane._rows.get("api") is not None and pane._rows["api"].level is not None)
            pin.run()
            await settle_app(app, pilot)
            assert any(t.startswith("pinned: api OK") for t in timeline_texts(app))
    finally:
        target.stop()


async def test_detection_is_marked_at_the_time_typed_not_when_noticed(tmp_path):
    clock = FrozenClock(START + timedelta(minutes=20))
    app = make_app(tmp_path / "m.db", clock, make_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await open_sev1_as_commander(app, pilot, "Queue backlog")
        # m, detected (first choice): the prompt offers now; the alert really fired at 09:02.
        await pilot.press("m", "enter")
        await settle(app, pilot)
        await pilot.press(*"09:02", "enter")
        await settle(app, pilot)
        assert app.state.milestones[Milestone.DETECTED] == START + timedelta(minutes=2)
        assert not events_of(app, EventType.MILESTONE_CORRECTED)  # a first mark needs no reason
        # A time that cannot be read is refused and asked again; nothing is recorded.
        await pilot.press("m", "down", "enter")
        await settle(app, pilot)
        await pilot.press(*"9h", "enter")
        await settle(app, pilot)
        assert Milestone.ACKNOWLEDGED not in app.state.milestones
        assert any("cannot read" in n.message for n in app._notifications)
