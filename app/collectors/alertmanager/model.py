"""What the Alertmanager pane shows, as plain data: alerts grouped by alertname, silences.

Built from Alertmanager's API v2 JSON (GET /api/v2/alerts, /api/v2/silences). Every string
here comes from whoever sent the alert: it is kept as sent (the detail view and the silence
matchers need the exact values) and made safe where it is shown (app/domain/text.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.collectors.base import Level, worst
from app.config.alertmanager import Matcher

LEVELS = {"CRIT": Level.CRIT, "WARN": Level.WARN, "OK": Level.OK, "UNKNOWN": Level.UNKNOWN}
GROUP_LABEL = "alertname"
MAX_VALUES_SHOWN = 3
"""Values of a label that differs within a group, shown before '+N'."""


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime | None
    ends_at: datetime | None
    generator_url: str
    state: str
    """active, suppressed (silenced or inhibited) or unprocessed, as Alertmanager says."""
    silenced_by: tuple[str, ...]
    inhibited_by: tuple[str, ...]
    receivers: tuple[str, ...]
    level: Level
    severity: str

    @property
    def suppressed(self) -> bool:
        return bool(self.silenced_by or self.inhibited_by) or self.state == "suppressed"

    @property
    def summary(self) -> str:
        return self.annotations.get("summary") or self.annotations.get("description") or self.annotations.get("message") or ""


def alert_from_api(item: Mapping[str, Any], level_of: Any) -> Alert:
    labels = _strings(item.get("labels"))
    status = _mapping(item.get("status"))
    receivers = item.get("receivers")
    receivers = receivers if isinstance(receivers, list) else []
    level, severity = level_of(labels)
    return Alert(
        fingerprint=str(item.get("fingerprint") or ""),
        labels=labels,
        annotations=_strings(item.get("annotations")),
        starts_at=parse_time(item.get("startsAt")),
        ends_at=parse_time(item.get("endsAt")),
        generator_url=str(item.get("generatorURL") or ""),
        state=str(status.get("state") or "active"),
        silenced_by=tuple(map(str, status.get("silencedBy") or ())),
        inhibited_by=tuple(map(str, status.get("inhibitedBy") or ())),
        receivers=tuple(str(r.get("name", "")) for r in receivers if isinstance(r, Mapping)),
        level=level,
        severity=severity,
    )


@dataclass(frozen=True)
class AlertGroup:
    """The alerts of one alertname: what the pane shows as one row."""

    alertname: str
    alerts: tuple[Alert, ...]
    """Firing ones first (worst, oldest), suppressed ones after."""

    @property
    def key(self) -> str:
        return self.alertname

    @property
    def firing(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if not a.suppressed)

    @property
    def suppressed(self) -> bool:
        """Every alert of the group is silenced or inhibited: shown, but not news."""
        return not self.firing

    @property
    def level(self) -> Level:
        return Level.OK if self.suppressed else worst([a.level for a in self.firing])

    @property
    def severity(self) -> str:
        worst_alert = max(self.firing or self.alerts, key=lambda a: a.level.severity_rank)
        return worst_alert.severity

    @property
    def since(self) -> datetime | None:
        times = [a.starts_at for a in (self.firing or self.alerts) if a.starts_at is not None]
        return min(times) if times else None

    @property
    def common_labels(self) -> dict[str, str]:
        first, *rest = self.alerts
        return {k: v for k, v in first.labels.items() if all(a.labels.get(k) == v for a in rest)}

    @property
    def differing(self) -> dict[str, list[str]]:
        """Label -> its values, for labels not the same on every alert (what tells them apart)."""
        names = sorted({k for a in self.alerts for k in a.labels} - self.common_labels.keys())
        return {n: sorted({a.labels.get(n, "") for a in self.alerts}) for n in names}

    @property
    def summary(self) -> str:
        summaries = [a.summary for a in (self.firing or self.alerts) if a.summary]
        if not summaries:
            return ""
        others = len(set(summaries)) - 1
        return summaries[0] + (f" (+{others} other)" if others == 1 else f" (+{others} others)" if others else "")

    def counts(self) -> tuple[int, int]:
        """(firing, suppressed)."""
        firing = len(self.firing)
        return firing, len(self.alerts) - firing


def compact_labels(group: AlertGroup) -> str:
    """'instance=db-1|db-2|db-3 +2 job=api' for the labels that differ; for a group of one,
    its labels other than alertname and severity."""
    if len(group.alerts) == 1:
        labels = {k: v for k, v in group.alerts[0].labels.items() if k not in (GROUP_LABEL, "severity")}
        return " ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    parts = []
    for name, values in group.differing.items():
        shown = "|".join(v or "∅" for v in values[:MAX_VALUES_SHOWN])
        more = len(values) - MAX_VALUES_SHOWN
        parts.append(f"{name}={shown}" + (f" +{more}" if more > 0 else ""))
    return " ".join(parts)


def group_alerts(alerts: Iterable[Alert]) -> tuple[AlertGroup, ...]:
    """By alertname; groups sorted by level (worst first), then oldest first (longest firing)."""
    by_name: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_name.setdefault(alert.labels.get(GROUP_LABEL, ""), []).append(alert)
    far = datetime.max.replace(tzinfo=UTC)

    def alert_order(a: Alert) -> tuple[bool, int, datetime, str]:
        return (a.suppressed, -a.level.severity_rank, a.starts_at or far, a.fingerprint)

    groups = [AlertGroup(name, tuple(sorted(members, key=alert_order))) for name, members in by_name.items()]
    groups.sort(key=lambda g: (g.suppressed, -g.level.severity_rank, g.since or far, g.alertname))
    return tuple(groups)


@dataclass(frozen=True)
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime | None
    ends_at: datetime | None
    created_by: str
    comment: str
    state: str
    """active, pending or expired."""

    @property
    def matchers_text(self) -> str:
        return ", ".join(map(str, self.matchers))


def silence_from_api(item: Mapping[str, Any]) -> Silence:
    status = _mapping(item.get("status"))
    matchers = []
    for m in item.get("matchers") or ():
        if isinstance(m, Mapping):
            matchers.append(Matcher(str(m.get("name", "")), str(m.get("value", "")), bool(m.get("isRegex")),
                                    m.get("isEqual", True) is not False))
    return Silence(
        id=str(item.get("id") or ""),
        matchers=tuple(matchers),
        starts_at=parse_time(item.get("startsAt")),
        ends_at=parse_time(item.get("endsAt")),
        created_by=str(item.get("createdBy") or ""),
        comment=str(item.get("comment") or ""),
        state=str(status.get("state") or ""),
    )


@dataclass(frozen=True)
class AlertsData:
    url: str
    groups: tuple[AlertGroup, ...]
    silences: tuple[Silence, ...] = ()
    """Active and pending silences (expired ones only where the pane asked for them)."""
    version: str = ""
    cluster: str = ""
    """Cluster status ("ready", "settling", "disabled"), from /api/v2/status."""
    quiet: dict[str, int] = field(default_factory=dict)
    """alertname -> silenced or inhibited alerts not listed (show_silenced / show_inhibited off)."""

    def level_counts(self) -> dict[Level, int]:
        counts: dict[Level, int] = {}
        for group in self.groups:
            if not group.suppressed:
                counts[group.level] = counts.get(group.level, 0) + 1
        return counts

    def group(self, alertname: str) -> AlertGroup | None:
        return next((g for g in self.groups if g.alertname == alertname), None)


def matchers_for_group(group: AlertGroup) -> list[Matcher]:
    """Matchers that select exactly this group's alerts: its alertname and the labels all its
    alerts share (never the severity alone, which would catch unrelated alerts)."""
    common = group.common_labels
    ordered = [GROUP_LABEL] + sorted(k for k in common if k != GROUP_LABEL)
    return [Matcher(name, common[name]) for name in ordered if name in common]
