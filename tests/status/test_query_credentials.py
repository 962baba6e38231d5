"""Issue 17 item 12: credentials in URL query strings are masked wherever URLs are shown
or exported, as userinfo passwords already are."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.config import Config
from app.domain.events import EventType, NewEvent
from app.domain.incident import fold
from app.domain.record import export
from app.domain.scrub import Scrubber, scrub_url
from app.store.sqlite import SQLiteStore
from tests.health.health_servers import TargetServer
from tests.status.test_status_cli import health_config, warroom_status

SECRET = "S3CRETvalue0042"

MASKED = [
    (f"https://api.example.com/health?access_token={SECRET}", "https://api.example.com/health?access_token=***"),
    (f"http://h/x?a=1&token={SECRET}&b=2", "http://h/x?a=1&token=***&b=2"),
    (f"http://h/x?api_key={SECRET}", "http://h/x?api_key=***"),
    (f"http://h/x?apikey={SECRET}", "http://h/x?apikey=***"),
    (f"http://h/x?key={SECRET}", "http://h/x?key=***"),
    (f"http://h/x?password={SECRET}&user=bob", "http://h/x?password=***&user=bob"),
    (f"http://h/x?client_secret={SECRET}", "http://h/x?client_secret=***"),
    (f"https://blob/x?sv=2024&sig={SECRET}", "https://blob/x?sv=2024&sig=***"),
    (f"https://s3/x?X-Amz-Credential=AKIA&X-Amz-Signature={SECRET}", "https://s3/x?X-Amz-Credential=***&X-Amz-Signature=***"),
    (f"https://h/x?signature={SECRET}#frag", "https://h/x?signature=***#frag"),
    (f"https://bob:{SECRET}@h/x?q=1", "https://***@h/x?q=1"),
    ("https://h/x?q=token&page=2", "https://h/x?q=token&page=2"),
]


@pytest.mark.parametrize(("url", "shown"), MASKED)
def test_scrub_url_masks_credential_parameters(url, shown):
    assert scrub_url(url) == shown


def test_free_text_with_such_urls_is_masked():
    scrub = Scrubber()
    text = f"rolled back, see https://grafana/d/x?orgId=1&access_token={SECRET} and https://s3/o?X-Amz-Signature={SECRET}&a=b"
    out = scrub(text)
    assert SECRET not in out and "orgId=1" in out and "a=b" in out


def test_status_json_masks_query_token(tmp_path):
    server = TargetServer().start()
    try:
        url = server.url(f"/ok?access_token={SECRET}&env=prod")
        result = warroom_status(tmp_path, health_config(("api", f"'{url}'", "")), "--json")
        text = warroom_status(tmp_path, health_config(("api", f"'{url}'", "")))
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout and SECRET not in text.stdout
    detail = json.loads(result.stdout)["checks"][0]["detail"]
    assert detail["url"].endswith("/ok?access_token=***&env=prod")


def test_exports_mask_query_credentials(tmp_path):
    config = Config.model_validate({"operator": "alice"})
    with SQLiteStore(tmp_path / "s.db") as store:
        opened = store.open_incident(title="t", severity="SEV2", actor="alice", at=datetime.now(UTC), id_format="INC-{year}-{seq:03d}")
        text = f"dashboard https://grafana/d/x?auth_token={SECRET}&from=now-1h"
        store.append(opened.incident_id, NewEvent(EventType.ENTRY_ADDED, datetime.now(UTC), "bob", {"kind": "note", "text": text}))
        events = store.events(opened.incident_id)
    state = fold(opened.incident_id, events)
    for fmt in ("json", "yaml", "markdown"):
        out = export(fmt, state, events, config, datetime.now(UTC))
        assert SECRET not in out and "from=now-1h" in out, fmt
