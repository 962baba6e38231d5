"""`warroom demo`: a live incident drill on this machine, in the ordinary dashboard."""

from __future__ import annotations

import contextlib
import shlex
import sys
import threading
from typing import TYPE_CHECKING

from app.errors import ConfigError

if TYPE_CHECKING:
    from app.cli.context import Context
    from app.drill.drill import Drill


def cmd_demo(ctx: Context) -> int:
    from app.drill.drill import Drill
    from app.drill.scenario import load_scenario

    args = ctx.args
    if args.config:
        raise ConfigError("demo: --config is not used: the drill writes its own config (see it with --keep)")
    if not 0.1 <= args.speed <= 1000:
        raise ConfigError(f"--speed: must be between 0.1 and 1000 (got {args.speed:g})")
    scenario = load_scenario(args.scenario)
    drill = Drill(scenario, speed=args.speed, store_url=args.store, keep=args.keep)
    print(f"warroom demo: scenario {scenario.name} at speed {args.speed:g}x — {scenario.title}", flush=True)
    from app.drill.postgres import available

    if (why := available()) is not None:
        print(f"warroom demo: {why}", file=sys.stderr, flush=True)
    code = 0
    try:
        args.config = str(drill.start())
        args.store = drill.store_url
        from app.ui.app import WarroomApp

        app = WarroomApp(ctx.config, ctx.store)
        finished = threading.Event()

        def ask_to_quit() -> None:
            with contextlib.suppress(RuntimeError):  # not running yet: the next try
                app.call_from_thread(app.exit)

        def quit_app() -> None:
            # A signal can come while the app is still starting, when an exit is not yet
            # heard: ask again until it has ended. Each ask on a thread of its own, as one
            # can wait for ever on a loop that is closing.
            while not finished.is_set():
                threading.Thread(target=ask_to_quit, name="drill-quit", daemon=True).start()
                finished.wait(0.5)

        async def brief(pilot: object) -> None:
            # Once the dashboard is up (Textual's autopilot hook): the trainee's briefing.
            # Automatic observations come from the Incident Commander's terminal: the trainee
            # should take the role under the name this terminal acts as.
            you = f"You are {app.config.operator!r} here (--operator NAME): take the Incident Commander role as that."
            app.notify(f"{' '.join(scenario.briefing.split())} {you}", title=f"Drill: {scenario.name}", timeout=45, markup=False)

        drill.interrupt_with(quit_app)
        # The database started before the screen's code was imported and is nearly always
        # up by now; a moment's wait spares the first frame a red "connection failed".
        drill.env.wait_database(timeout=1.5)
        try:
            app.run(auto_pilot=brief)
        finally:
            finished.set()
        code = app.return_code or 0
    except KeyboardInterrupt:
        code = 130
    finally:
        drill.interrupt_with(None)
        with contextlib.suppress(KeyboardInterrupt):
            drill.stop()
    _summary(drill)
    return code


def _summary(drill: Drill) -> None:
    out = sys.stdout
    progress = drill.runner.progress if drill.runner else None
    if progress is not None and progress.ended_by:
        out.write(f"drill {drill.scenario.name}: the incident ended ({progress.ended_by})\n")
    elif progress is not None and progress.error:
        out.write(f"drill {drill.scenario.name}: the drill stopped: {progress.error}\n")
    else:
        out.write(f"drill {drill.scenario.name}: stopped before the incident ended\n")
    if progress is not None and progress.played:
        # The scenario's own clock beside the trainee's timeline: what happened when.
        out.write("the scenario as it ran (UTC):\n")
        for at, step in progress.played:
            out.write(f"  {drill.wall_time(at):%H:%M:%S}  {step.say}\n")
    if drill.env.database_error:
        out.write(f"the drill's PostgreSQL did not start: {drill.env.database_error}\n")
    messages = drill.channel_messages()
    out.write(f"the status-update channel received {len(messages)} message{'s' if len(messages) != 1 else ''}\n")
    for text in messages:
        first, *rest = text.splitlines() or [""]
        out.write(f"  • {first}\n" + "".join(f"    {line}\n" for line in rest))
    store = shlex.quote(drill.store_url)
    if drill.runner is not None and not drill.runner.incidents:
        out.write("no incident was opened during the drill\n")
    else:
        out.write(f"review the drill's record: warroom export --store {store} --format markdown\n")
    if drill.keep:
        out.write(f"kept: {drill.workdir} (warroom.yaml, kubeconfig, channel.jsonl, pg/)\n")
