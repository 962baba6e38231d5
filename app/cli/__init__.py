"""warroom's command line: parse, build what the command needs, run it, one line per error.

Subcommands that need no UI never import textual.
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Callable

from app.cli.context import Context
from app.cli.parser import build_parser
from app.errors import WarroomError


_COMMANDS: dict[str | None, tuple[str, str]] = {
    None: ("app.cli.commands", "cmd_tui"),
    "check-config": ("app.cli.commands", "cmd_check_config"),
    "incident": ("app.cli.commands", "cmd_incident"),
    "log": ("app.cli.commands", "cmd_log"),
    "export": ("app.cli.commands", "cmd_export"),
    "update": ("app.cli.commands", "cmd_update"),
    "status": ("app.cli.commands", "cmd_status"),
    "store": ("app.cli.store_commands", "cmd_store"),
    "demo": ("app.cli.demo", "cmd_demo"),
}
"""Each subcommand's function, imported only when it is the one that runs."""


def _command(name: str | None) -> Callable[[Context], int]:
    import importlib

    module, function = _COMMANDS[name]
    return getattr(importlib.import_module(module), function)


def _leave_objects_to_the_os() -> None:
    """At exit the interpreter would walk every object the command made (pydantic's schemas,
    600 modules) in a last collection: 60-120 ms after `warroom status` or `log` printed
    their result. Frozen, they are freed with the whole process; files, the log and the
    stores are closed explicitly before this, and later atexit handlers still run."""
    gc.freeze()


atexit.register(_leave_objects_to_the_os)


def main(argv: list[str] | None = None) -> int:
    from app.logfile import configure_logging

    configure_logging()
    ctx: Context | None = None
    try:
        args = build_parser().parse_args(argv)
        ctx = Context(args)
        return _command(args.command)(ctx)
    except WarroomError as exc:
        print(f"warroom: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - a person gets one line, the log gets the trace
        from app.logfile import log_exception

        where = log_exception(exc)
        print(f"warroom: unexpected error: {type(exc).__name__}: {exc} (details in {where})", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()


__all__ = ["main", "build_parser", "Context"]
