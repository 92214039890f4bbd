"""Start-up: the command line builds only the command it runs.

Before it parses anything, typer turns every registered command into a click command, reading each option's type,
default and help from the function's signature: about 2 ms a command, paid by every run for every command and option
that exists (six commands took 14 ms, a tenth of dcalc grad's start-up). When the first argument names a command, the
app is given to typer with that command alone, so a run pays for its own options and the cost stays flat as commands
are added. The root help, a misspelt command (whose did-you-mean needs the others), options before the command and
shell completion still get the whole app.
"""

import copy
import os


def one_command(app, argv: list[str]):
    """`app` with only the command `argv[0]` names, or `app` itself when argv[0] names none."""
    if not argv or "_DCALC_COMPLETE" in os.environ:  # click's shell completion asks about every command
        return app
    info = next((c for c in app.registered_commands if _name(c) == argv[0]), None)
    if info is None:
        return app
    one = copy.copy(app)  # shallow: the callback, the settings and the command's info are shared, not changed
    one.registered_commands = [info]
    return one


def _name(info) -> str:
    """A command's name as typer gives it: its own, or the function's with '-' for '_'."""
    return info.name or info.callback.__name__.lower().replace("_", "-")
