"""`warroom store check` and `warroom store copy`: which store is in use, and moving
incidents to another (typically from a laptop's SQLite file to the team's PostgreSQL)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from app.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from app.cli.context import Context


def cmd_store(ctx: Context) -> int:
    if ctx.args.store_command == "check":
        return _check(ctx)
    if ctx.args.store_command == "copy":
        return _copy(ctx)
    raise ConfigError("unknown store action")


def _check(ctx: Context) -> int:
    from app.store import open_store, resolve_store_url

    # The store in use is found as every command finds it, from the same settings `log` reads.
    url = ctx.args.url or resolve_store_url(ctx.args.store, ctx.quick.store)
    with open_store(url, read_only=True) as store:  # looks, never creates or upgrades
        check = store.check()
    usable = check.can_write and check.schema_version <= check.known_version
    if ctx.args.json:
        print(json.dumps({**asdict(check), "usable": usable}, indent=2))
        return 0 if usable else 1
    version = f"v{check.schema_version}" if check.schema_version else "none yet"
    print(f"store: {check.where} ({check.kind})")
    print(f"schema: {version} (this warroom knows v{check.known_version})")
    print(f"read: {'yes' if check.can_read else 'no'}; write: {'yes' if check.can_write else 'no'}")
    if check.detail:
        print(check.detail)
    return 0 if usable else 1


def _copy(ctx: Context) -> int:
    from app.store import open_store

    args = ctx.args
    with open_store(args.source, read_only=True) as source, open_store(args.destination) as destination:
        if source.url == destination.url:
            raise ConfigError("store copy: SRC and DST are the same store")
        summaries = {s.id: s for s in source.incidents()}
        wanted = args.incident or sorted(summaries, key=lambda i: (summaries[i].opened_at, i))
        unknown = [i for i in wanted if i not in summaries]
        if unknown:
            raise ConfigError(f"store copy: no incident {', '.join(unknown)} in {source.url}")
        refused = 0
        for incident_id in wanted:
            events = source.events(incident_id)
            try:
                added = destination.copy_in(summaries[incident_id], events)
            except StoreError as exc:
                # One incident that clashes must not stop the others: each is its own transaction.
                print(f"warroom: error: {exc}", file=sys.stderr)
                refused += 1
                continue
            state = "already there" if added == 0 else f"{added} of {len(events)} events copied"
            print(f"{incident_id}: {state}", flush=True)
    if refused:
        print(f"{refused} incident{'s' if refused != 1 else ''} not copied (see above); the others are in {destination.url}", file=sys.stderr)
        return 2
    return 0
