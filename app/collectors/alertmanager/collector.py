"""AlertmanagerCollector: firing alerts and silences over Alertmanager's API v2.

GET /api/v2/alerts (with the configured filter; silenced and inhibited alerts only when
asked), /api/v2/silences and /api/v2/status, concurrently, each bounded in time and size.
Creating a silence (POST /api/v2/silences) and expiring one (DELETE /api/v2/silence/{id})
are the only writes, and only where `allow_silences` is set; the pane confirms and logs them.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from app.collectors.alertmanager.model import (
    LEVELS,
    Alert,
    AlertGroup,
    AlertsData,
    Silence,
    alert_from_api,
    group_alerts,
    silence_from_api,
)
from app.collectors.base import Check, Collector, Level, Snapshot, now_utc, worst
from app.collectors.http_client import (
    MAX_REDIRECTS,
    TOTAL_GRACE,
    clean,
    deadline_text,
    describe_http_error,
    read_bounded,
)
from app.config.alertmanager import AlertmanagerTarget, Matcher, check_silence_matchers


class AlertmanagerUnreachable(Exception):
    """No usable API answer: refused, timeout, an HTTP error, not JSON."""


@dataclass(frozen=True)
class SilenceResult:
    ok: bool
    silence_id: str
    message: str


class AlertmanagerCollector(Collector[AlertsData]):
    source = "alerts"

    def __init__(self, target: AlertmanagerTarget, client: httpx.AsyncClient | None = None) -> None:
        self.target = target
        self.name = target.name
        self.interval = target.interval.total_seconds()
        self.timeout = target.timeout.total_seconds()
        self.base_url = target.url.rstrip("/")
        self.allow_silences = target.allow_silences
        self._client = client
        self._own_client = client is None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            verify = self.target.verify
            tls: bool | ssl.SSLContext = verify if isinstance(verify, bool) else ssl.create_default_context(cafile=verify)
            self._client = httpx.AsyncClient(
                verify=tls, follow_redirects=True, max_redirects=MAX_REDIRECTS, trust_env=False,
                headers={"User-Agent": "warroom", **self.target.headers},
            )
        return self._client

    def level_of(self, labels: dict[str, str]) -> tuple[Level, str]:
        severity = labels.get(self.target.severity_label, "")
        name = self.target.severities.get(severity.lower(), self.target.default_level)
        return LEVELS[name], severity

    # -- reading ------------------------------------------------------------------------------

    async def collect(self) -> Snapshot[AlertsData]:
        # Silenced and inhibited alerts are always asked for: a group that goes quiet is
        # told apart from one that resolved, and counted, even where it is not listed.
        params: list[tuple[str, str]] = [("active", "true"), ("silenced", "true"), ("inhibited", "true")]
        params += [("filter", f) for f in self.target.filter]
        try:
            alerts, silences, status = await asyncio.gather(
                self._get("/api/v2/alerts", params), self._get("/api/v2/silences", []), self._get("/api/v2/status", []),
            )
        except AlertmanagerUnreachable as exc:
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, str(exc))
        if not isinstance(alerts, list):
            return Snapshot(self.source, self.name, now_utc(), Level.UNKNOWN, "not an Alertmanager API answer (alerts)")
        listed: list[Alert] = []
        quiet: dict[str, int] = {}
        for item in alerts:
            if isinstance(item, dict):
                alert = alert_from_api(item, self.level_of)
                if self._listed(alert):
                    listed.append(alert)
                else:
                    name = alert.labels.get("alertname", "")
                    quiet[name] = quiet.get(name, 0) + 1
        groups = group_alerts(listed)
        silence_list = tuple(
            s for s in (silence_from_api(x) for x in (silences if isinstance(silences, list) else []) if isinstance(x, dict))
            if s.state != "expired"
        )
        status = status if isinstance(status, dict) else {}
        version = status.get("versionInfo", {}).get("version", "") if isinstance(status.get("versionInfo"), dict) else ""
        cluster = status.get("cluster", {}).get("status", "") if isinstance(status.get("cluster"), dict) else ""
        data = AlertsData(self.base_url, groups, silence_list, str(version), str(cluster), quiet)
        level = worst([g.level for g in groups if not g.suppressed])
        return Snapshot(self.source, self.name, now_utc(), level, None, data)

    def _listed(self, alert: Alert) -> bool:
        if alert.silenced_by and not self.target.show_silenced:
            return False
        return not (alert.inhibited_by and not alert.silenced_by and not self.target.show_inhibited)

    async def _get(self, path: str, params: list[tuple[str, str]]) -> Any:
        response, body = await self._request("GET", path, params=params)
        if response.status_code >= 400:
            raise AlertmanagerUnreachable(_http_error(response, body))
        try:
            return json.loads(body)
        except ValueError:
            raise AlertmanagerUnreachable(f"not an Alertmanager API answer from {path} (not JSON)") from None

    async def _request(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, bytes]:
        try:
            async with asyncio.timeout(self.timeout + TOTAL_GRACE), self.client.stream(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            ) as response:
                return response, await read_bounded(response)
        except TimeoutError as exc:
            raise AlertmanagerUnreachable(deadline_text(self.timeout)) from exc
        except Exception as exc:  # noqa: BLE001 - any transport failure is "unreachable"
            raise AlertmanagerUnreachable(describe_http_error(exc, self.timeout, self.base_url)) from exc

    # -- writing (allow_silences only) --------------------------------------------------------

    async def create_silence(
        self, matchers: list[Matcher], duration: timedelta, created_by: str, comment: str, *, now: datetime | None = None
    ) -> SilenceResult:
        if not self.allow_silences:
            return SilenceResult(False, "", "silences are not allowed for this Alertmanager (allow_silences: false)")
        try:
            check_silence_matchers(matchers)
        except ValueError as exc:
            return SilenceResult(False, "", str(exc))
        start = now or now_utc()
        body = {
            "matchers": [m.as_api() for m in matchers],
            "startsAt": start.isoformat().replace("+00:00", "Z"),
            "endsAt": (start + duration).isoformat().replace("+00:00", "Z"),
            "createdBy": created_by,
            "comment": comment,
        }
        try:
            response, raw = await self._request("POST", "/api/v2/silences", json=body)
        except AlertmanagerUnreachable as exc:
            return SilenceResult(False, "", str(exc))
        if response.status_code >= 400:
            return SilenceResult(False, "", _http_error(response, raw))
        try:
            silence_id = str(json.loads(raw).get("silenceID") or "")
        except (ValueError, AttributeError):
            silence_id = ""
        if not silence_id:
            return SilenceResult(False, "", "Alertmanager did not return a silence id")
        return SilenceResult(True, silence_id, f"silence {silence_id} created")

    async def expire_silence(self, silence_id: str) -> SilenceResult:
        if not self.allow_silences:
            return SilenceResult(False, silence_id, "silences are not allowed for this Alertmanager (allow_silences: false)")
        try:
            response, raw = await self._request("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}")
        except AlertmanagerUnreachable as exc:
            return SilenceResult(False, silence_id, str(exc))
        if response.status_code >= 400:
            return SilenceResult(False, silence_id, _http_error(response, raw))
        return SilenceResult(True, silence_id, f"silence {silence_id} expired")

    async def silence(self, silence_id: str) -> Silence | None:
        """One silence as Alertmanager has it now (also an expired one)."""
        try:
            data = await self._get(f"/api/v2/silence/{quote(silence_id, safe='')}", [])
        except AlertmanagerUnreachable:
            return None
        return silence_from_api(data) if isinstance(data, dict) else None

    # -- warroom status -----------------------------------------------------------------------

    def checks(self, snapshot: Snapshot[AlertsData]) -> list[Check]:
        data = snapshot.data
        if snapshot.error is not None or data is None:
            reason = snapshot.error or "no data"
            return [Check(self.source, self.name, Level.UNKNOWN, reason, {"alertmanager": self.name, "error": reason})]
        checks = [self._group_check(group) for group in data.groups]
        if not any(not g.suppressed for g in data.groups):
            quiet = sum(len(g.alerts) for g in data.groups) + sum(data.quiet.values())
            summary = "no alerts firing" + (f" ({quiet} silenced or inhibited)" if quiet else "")
            checks.insert(0, Check(self.source, self.name, Level.OK, summary, {"alertmanager": self.name, "count": 0}))
        return checks

    def _group_check(self, group: AlertGroup) -> Check:
        firing, quiet = group.counts()
        since = group.since
        detail = {
            "alertmanager": self.name,
            "alertname": group.alertname,
            "count": firing,
            "severity": group.severity,
            "since": since.isoformat().replace("+00:00", "Z") if since else None,
            "labels": group.common_labels,
            "summary": group.summary,
        }
        if quiet:
            detail["suppressed"] = quiet
        what = f"{firing} firing" if firing else f"{quiet} silenced/inhibited"
        summary = f"{what}, {group.severity or 'no severity'}" + (f": {clean(group.summary, 120)}" if group.summary else "")
        name = clean(f"{self.name}/{group.alertname}", 80)
        return Check(self.source, name, group.level, summary, detail, listed=not group.suppressed)

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()


def _http_error(response: httpx.Response, body: bytes) -> str:
    """'HTTP 400 Bad Request: <Alertmanager's own message>', on one line, bounded."""
    text = body[:500].decode("utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            text = str(parsed.get("message") or parsed.get("error") or text)
        elif isinstance(parsed, str):
            text = parsed
    except ValueError:
        pass
    head = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    return clean(f"{head}: {text}" if text else head)
