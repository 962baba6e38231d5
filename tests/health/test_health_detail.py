"""Enter on a health check shows its last response: status, headers with secrets redacted,
the first 4 KiB of the body exactly as sent but harmless (no markup, no terminal control,
invalid UTF-8 replaced), and its timing."""

from __future__ import annotations

from app.ui.panes.health import HealthPane
from app.ui.screens.detail import DetailScreen
from tests.support import PaneHost, until

HOSTILE = (b"\x1b[2J\x1b]0;owned\x07[b]markup[/b] [red]not red[/red]\n"
           b"bad utf-8: \xff\xfe\xc3(\n" + b"x" * 10_000 + b"\nTHE-END")


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def shown_text(screen: DetailScreen) -> str:
    """Everything the dialog holds, as drawn characters (the body scrolls)."""
    return "\n".join(str(static.render()) for static in screen.query(".detail-section"))


async def test_health_detail_shows_the_last_response_literally_and_redacts_cookies(target):
    target.routes["/hostile"] = (503, HOSTILE, 0, {"Set-Cookie": "session=s3cr3t-cookie-value; HttpOnly",
                                                   "X-Api-Key": "k3y-v4lue-123", "X-Request-Id": "[b]req-42[/b]",
                                                   "Location": "https://user:hunter2@example.com/next?token=abc123"})
    app = PaneHost("health", {"health": [{"name": "api", "url": target.url("/hostile"), "interval": "0.2s"}]})
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(HealthPane)
        await until(pilot, lambda: pane.latest.get("api") is not None and pane.latest["api"].data is not None)
        pane.table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        await pilot.pause()
        text = shown_text(screen)
        facts = screen_text(app)
        assert "503 Service Unavailable" in facts
        assert "headers after" in facts and "complete after" in facts and " ms" in facts
        assert "10,050 bytes read" in facts or "bytes read" in facts
        # Headers: cookies and keys redacted whole, URLs without credentials, the rest literal.
        assert "s3cr3t" not in text and "k3y-v4lue" not in text and "hunter2" not in text and "abc123" not in text
        assert "set-cookie: *** (redacted" in text.lower() and "x-api-key: *** (redacted" in text.lower()
        assert "[b]req-42[/b]" in text  # markup shown as typed, never interpreted
        # Body: the first 4 KiB only, markup literal, ESC/BEL visible but inert, bad bytes replaced.
        assert "Body (first 4,096 of" in text
        assert "[b]markup[/b] [red]not red[/red]" in text
        assert "\x1b" not in text and "\x07" not in text
        assert "\ufffd" in text
        assert "THE-END" not in text
        all_lines = [strip.text for strip in screen._compositor.render_strips()] if hasattr(screen, "_compositor") else []
        assert not any("\x1b" in line for line in all_lines)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DetailScreen))
    # What is kept per check is bounded, and no secret is kept at all.
    result = pane.latest["api"].data
    assert len(result.body_head) == 4096
    assert not any("s3cr3t" in value for _, value in result.headers)
