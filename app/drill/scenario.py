"""Scenarios: small declarative YAML files, validated here; adding one is writing data.

A scenario names its services, database and deployments as they are at the start, then
steps on the scenario clock (`at`, scaled by --speed), each changing some of them and
saying which level every live pane should reach. `ends` says what ends the incident (a
decision entry in the timeline, the lock root terminated, or a timeout) and the recovery
that follows, timed from that moment.
"""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from app.config.types import STRICT, Duration
from app.errors import ConfigError

Pane = Literal["health", "errors", "postgres", "kubernetes"]
LevelName = Literal["OK", "WARN", "CRIT"]
PANES: tuple[Pane, ...] = ("health", "errors", "postgres", "kubernetes")


class ServicePatch(BaseModel):
    model_config = STRICT

    health: Literal["up", "warn", "down"] | None = None
    """What the health endpoint answers: up (200 OK body), warn (a degraded body), down (503)."""
    latency: Duration | None = None
    """How long the health endpoint takes to answer."""
    errors: float | None = Field(default=None, ge=0, le=1)
    """Share of requests answered 5xx (0.05 = 5 %)."""
    rps: float | None = Field(default=None, gt=0, le=5000)
    """Requests per second the service serves."""


class Service(ServicePatch):
    format: Literal["actuator", "health+json", "plain"] = "actuator"
    """Body format of the health endpoint (Spring Boot actuator, health+json, plain status)."""


class DeploymentPatch(BaseModel):
    model_config = STRICT

    replicas: int | None = Field(default=None, ge=1, le=20)
    version: str | None = None
    """A new version starts a rollout: its pods get new names; the rest keep the old version."""
    state: Literal["healthy", "crashloop", "not-ready", "restarting"] | None = None
    """How the pods of `version` are doing."""
    updated: int | None = Field(default=None, ge=0, le=20)
    """How many pods run `version` (default: all)."""


class DatabasePatch(BaseModel):
    model_config = STRICT

    pool: dict[str, int] | None = None
    """Idle pool connections per application name."""
    idle_in_transaction: int | None = Field(default=None, ge=0, le=200)
    """Sessions the leaking service leaves idle in a transaction."""
    lock_queue: int | None = Field(default=None, ge=0, le=200)
    """A migration holds an ACCESS EXCLUSIVE lock on orders and this many writers queue
    behind it; `null` ends the migration (given explicitly)."""


class Database(DatabasePatch):
    max_connections: int = Field(default=40, ge=20, le=500)


class Step(BaseModel):
    model_config = STRICT

    at: Duration
    """Scenario time from the start (from the end trigger, in `ends.recovery`)."""
    say: str = Field(min_length=1)
    """What happens, in a line: for the trainer's script and the test reports."""
    services: dict[str, ServicePatch] = {}
    deployments: dict[str, DeploymentPatch] = {}
    database: DatabasePatch | None = None
    expect: dict[Pane, LevelName] = {}
    """The level each named pane reaches during this step."""


class Ending(BaseModel):
    model_config = STRICT

    decision: str | None = None
    """A regular expression: a decision entry (`! ...`) matching it ends the incident."""
    root_terminated: bool = False
    """Terminating the migration's backend (from the PostgreSQL pane) ends the incident."""
    after: Duration
    """Scenario time after which the incident ends by itself (someone else fixed it)."""
    recovery: list[Step] = Field(min_length=1)

    @field_validator("decision")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value


class Scenario(BaseModel):
    model_config = STRICT

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")
    title: str = Field(min_length=1)
    """The incident as the first alert would put it."""
    briefing: str = Field(min_length=1)
    """What the trainee is told before the drill starts."""
    services: dict[str, Service] = Field(min_length=1)
    database: Database
    deployments: dict[str, DeploymentPatch] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    ends: Ending

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        for i, step in enumerate([*self.steps, *self.ends.recovery]):
            where = f"steps[{i}]" if i < len(self.steps) else f"ends.recovery[{i - len(self.steps)}]"
            for name in step.services:
                if name not in self.services:
                    raise ValueError(f"{where}.services: unknown service {name!r} (known: {', '.join(self.services)})")
            for name in step.deployments:
                if name not in self.deployments:
                    raise ValueError(f"{where}.deployments: unknown deployment {name!r} (known: {', '.join(self.deployments)})")
        times = [s.at for s in self.steps]
        if times != sorted(times) or times[0] != timedelta(0):
            raise ValueError("steps: must start at 0s and be in time order")
        if [s.at for s in self.ends.recovery] != sorted(s.at for s in self.ends.recovery):
            raise ValueError("ends.recovery: steps must be in time order")
        if self.ends.decision is None and not self.ends.root_terminated and not self.ends.after:
            raise ValueError("ends: needs a decision, root_terminated or after")
        return self


def _packaged() -> dict[str, str]:
    folder = resources.files("app.drill") / "scenarios"
    return {p.name.removesuffix(".yaml"): p.name for p in folder.iterdir() if p.name.endswith(".yaml")}


def scenario_names() -> list[str]:
    return sorted(_packaged())


def load_scenario(name: str) -> Scenario:
    """A packaged scenario by name, or a scenario file by path; a bad one is one line."""
    from app.config.loader import describe
    from app.config.paths import parse_yaml, read_yaml

    path = Path(name)
    if name.endswith((".yaml", ".yml")) or path.exists():
        label, data = str(path), read_yaml(path)
    elif name in _packaged():
        label = f"scenario {name}"
        data = parse_yaml((resources.files("app.drill") / "scenarios" / _packaged()[name]).read_text("utf-8"), label)
    else:
        raise ConfigError(f"--scenario: unknown scenario {name!r} (known: {', '.join(scenario_names())}; or a path to a .yaml file)")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {describe(exc)}") from None
