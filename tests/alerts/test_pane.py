"""The alerts pane against a real Alertmanager: groups at 80x24 and 200x60, Enter, pin,
a silence made from the pane (seen by Alertmanager and in the timeline), expiry,
read-only refusal, stale and recovery, hostile label values."""

from __future__ import annotations

from app.domain.clock import SystemClock
from app.store.sqlite import SQLiteStore
from app.ui.app import WarroomApp
from app.ui.incident.timeline import TimelineTable
from app.ui.panes.alerts import AlertsPane
from app.ui.panes.alerts_screens import AlertGroupScreen, SilenceFormScreen
from app.ui.screens.confirm import ConfirmScreen
from app.config import Config
from tests.alerts.scenario import dozen_alerts
from tests.support import PaneHost, until


def config(url: str, **extra) -> dict:
    return {"operator": "alice", "timezone": "UTC",
            "alertmanager": [{"name": "prod", "url": url, "interval": "0.2s", "timeout": "1s", **extra}]}


def rows(pane: AlertsPane) -> list[list[str]]:
    table = pane.table
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def pane_of(app) -> AlertsPane:
    return app.query_one(AlertsPane)


async def test_groups_sorted_with_level_words_and_counts_at_80x24_and_200x60(alertmanager):
    alertmanager.push(*dozen_alerts())
    for size in ((80, 24), (200, 60)):
        app = PaneHost("alerts", config(alertmanager.url))
        async with app.run_test(size=size) as pilot:
            pane = pane_of(app)
            await until(pilot, lambda: pane.table.row_count == 4)
            shown = rows(pane)
            assert [r[0] for r in shown] == ["✖ CRIT", "✖ CRIT", "▲ WARN", "✔ OK"]
            assert [r[1] for r in shown] == ["HighErrorRate ×4", "PodCrashLooping ×3", "DiskAlmostFull ×3", "CertExpiringSoon ×2"]
            assert shown[0][2].endswith(" 12m") and shown[2][2].endswith(" 2h") and shown[3][2].endswith(" 1d")
            assert shown[0][3] == "5xx ratio above 5%"
            assert shown[0][4] == "instance=api-0|api-1|api-2 +1"
            assert str(pane.border_title).endswith("6 Alerts · ✖ 2 CRIT · ▲ 1 WARN · ✔ 1 OK")  # 6: its focus key
            # Level, name, age and summary are on screen at either size, not behind a scrollbar.
            await pilot.pause()
            widths = [pane.table.columns[key].get_render_width(pane.table) for key in list(pane.table.columns)[:4]]
            assert sum(widths) <= pane.table.scrollable_content_region.width


async def test_enter_shows_the_group_in_full_and_p_pins_it(alertmanager):
    alertmanager.push(*dozen_alerts())
    app = PaneHost("alerts", config(alertmanager.url))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = pane_of(app)
        await until(pilot, lambda: pane.table.row_count == 4)
        pane.table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AlertGroupScreen))
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "HighErrorRate on prod: 4 firing" in text
        assert "instance = api-3" in text and "description: api-2 serves 12% errors" in text
        assert "source: http://prometheus:9090/graph?g0.expr=x" in text
        assert f"in Alertmanager: {alertmanager.url}/#/alerts?silenced=true&inhibited=true&filter=alertname%3D%22HighErrorRate%22" in text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AlertGroupScreen))
        await pilot.press("p")
        await until(pilot, lambda: app.timeline)
        pinned = app.timeline[-1]
        assert pinned.kind == "observation" and not pinned.automatic
        assert pinned.text.startswith("Alertmanager prod: HighErrorRate (CRIT, 4 firing; since ")
        assert "summary: 5xx ratio above 5%" in pinned.text and "instance: api-0, api-1, api-2, api-3" in pinned.text


async def test_silence_without_allow_silences_is_refused_and_nothing_is_sent(alertmanager):
    alertmanager.push(*dozen_alerts())
    app = PaneHost("alerts", config(alertmanager.url))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = pane_of(app)
        await until(pilot, lambda: pane.table.row_count == 4)
        pane.table.focus()
        await pilot.press("S")
        await pilot.pause()
        assert not isinstance(app.screen, SilenceFormScreen)
        assert any("allow_silences: true" in n.message for n in app._notifications)
    assert alertmanager.silences() == []


def full_app(tmp_path, url: str) -> WarroomApp:
    cfg = Config.model_validate(config(url, allow_silences=True))
    store = SQLiteStore(tmp_path / "incidents.db")
    store.open_incident(title="Checkout errors", severity="SEV2", actor="alice", at=SystemClock().now(),
                        id_format=cfg.incident.id_format)
    return WarroomApp(cfg, store)


def timeline_texts(app: WarroomApp) -> list[str]:
    table = app.query_one(TimelineTable)
    return [table.get_row_at(i)[-1].plain for i in range(table.row_count)]


async def test_silence_from_the_pane_reaches_alertmanager_and_the_timeline_then_expires(tmp_path, alertmanager):
    alertmanager.push(*dozen_alerts())
    app = full_app(tmp_path, alertmanager.url)
    async with app.run_test(size=(200, 60)) as pilot:
        pane = pane_of(app)
        await until(pilot, lambda: pane.table.row_count == 4 and app.state is not None)
        pane.table.focus()
        await pilot.press("down", "S")  # the crash loop; S is the pane's here, not the app's status key
        await until(pilot, lambda: isinstance(app.screen, SilenceFormScreen))
        form = app.screen
        assert form.query_one("#silence-matchers").value == 'alertname="PodCrashLooping", namespace="payments", severity="critical"'
        assert form.query_one("#silence-duration").value == "1h"
        comment = form.query_one("#silence-comment").value
        assert comment.startswith(f"{app.state.id}: Checkout errors")
        assert str(form.query_one("#silence-preview").render()) == "selects 3 of the 3 alerts of this group"
        await pilot.press("enter")  # from the matchers field: on to the confirmation
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # Back has the focus: nothing is sent
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert alertmanager.silences() == []

        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, SilenceFormScreen))
        duration = app.screen.query_one("#silence-duration")
        duration.value = "30m"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("left", "enter")
        await until(pilot, lambda: len(alertmanager.silences()) == 1)
        [silence] = alertmanager.silences()
        assert silence["createdBy"] == "alice" and silence["comment"] == comment
        await until(pilot, lambda: any("silence " + silence["id"] + " created by alice for 30m" in t for t in timeline_texts(app)))
        # Listed under the pane with its expiry, and the group leaves the firing list.
        await until(pilot, lambda: pane.silence_table.row_count == 1 and pane.table.row_count == 3)
        assert pane.silence_table.get_row_at(0)[0].plain == silence["id"][:8]
        assert "(in 29m)" in pane.silence_table.get_row_at(0)[1].plain or "(in 30m)" in pane.silence_table.get_row_at(0)[1].plain

        pane.silence_table.focus()
        await pilot.press("E")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("left", "enter")
        await until(pilot, lambda: alertmanager.silences()[0]["status"]["state"] == "expired")
        await until(pilot, lambda: any(f"silence {silence['id']} expired by alice" in t for t in timeline_texts(app)))
        await until(pilot, lambda: pane.silence_table.row_count == 0 and pane.table.row_count == 4)
        events = app.store.events(app.state.id)
        made = [e.data["silence"] for e in events if "silence" in e.data]
        assert [m["action"] for m in made] == ["created", "expired"]


async def test_stopped_alertmanager_goes_stale_keeping_rows_then_recovers(alertmanager):
    alertmanager.push(*dozen_alerts())
    app = PaneHost("alerts", config(alertmanager.url))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = pane_of(app)
        await until(pilot, lambda: pane.table.row_count == 4)
        alertmanager.stop(close_log=False)
        await until(pilot, lambda: pane.has_class("-stale"))
        assert "stale since" in str(pane._stale.render()) and "connection refused" in str(pane._stale.render())
        assert pane.table.row_count == 4  # the last good rows stay
        alertmanager.start()
        alertmanager.push(*dozen_alerts())
        await until(pilot, lambda: not pane.has_class("-stale"), timeout=40)
        assert pane.table.row_count == 4


async def test_hostile_labels_and_annotations_are_shown_literally_and_cut(alertmanager):
    huge = "x" * 10_000
    alertmanager.push(
        {"labels": {"alertname": "[bold red]Markup[/]", "severity": "critical", "pod": "a\x1b[2Jb"},
         "annotations": {"summary": "line1\nline2 \x1b]52;c;Zm9v\x07", "description": huge}},
        {"labels": {"alertname": "[bold red]Markup[/]", "severity": "critical", "pod": huge}},
    )
    app = PaneHost("alerts", config(alertmanager.url))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = pane_of(app)
        await until(pilot, lambda: pane.table.row_count == 1)
        [row] = rows(pane)
        assert row[1] == "[bold red]Markup[/] ×2"
        assert "\x1b" not in row[3] and "\n" not in row[3] and row[3].startswith("line1↵line2 ␛]52")
        assert "\x1b" not in row[4] and len(row[4]) <= 40 and row[4].endswith("…")
        pane.table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AlertGroupScreen))
        text = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "\x1b" not in text and "\x07" not in text and "a␛[2Jb" in text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AlertGroupScreen))
        assert "(8000 more characters)" in text  # a 10 KB value is cut, saying how much is left out
        await pilot.press("p")
        await until(pilot, lambda: app.timeline)
        assert "\x1b" not in app.timeline[-1].text and len(app.timeline[-1].text) < 2000
