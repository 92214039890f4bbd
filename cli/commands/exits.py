"""Errors → the command line's message and exit code: the one place both are decided.

0 success, 1 math error, 2 usage, syntax or name error, 3 a check or an expectation failed, 70 internal error (a bug),
130 interrupted. A DcalcError carries its own code (errors.py); the errors of the argument parser (typer's click) are
usage errors, recognised by their class. Errors that carry data are worded here with the flags that fix them: the
engine raises them with a message for the Python API, which has no flags.
"""

# No `from __future__ import annotations`: imported by app.py at start-up, this module stays as light as it can.
import functools
import os
import sys

import typer

from . import notes

EXIT_CODES = """Exit codes: 0 success; 1 math error (outside a domain, division by zero, overflow, not differentiable);
2 usage, syntax or name error; 3 a check or an expectation failed; 70 internal error."""

USAGE, INTERNAL, INTERRUPTED = 2, 70, 130

# With --json (or --format json) an error is one JSON object on stderr: {"error", "kind", "exit_code", "span",
# "hint"}. The kinds, by the DcalcError kind (the first that matches) or by where the failure came from; each kind
# has one exit code.
KINDS = (("ParseError", "syntax"), ("NameError_", "name"), ("ArityError", "arity"), ("UsageError", "usage"),
         ("NotDifferentiable", "not_differentiable"), ("MathError", "math"), ("CheckFailed", "check_failed"))
_json_errors = False  # set from the command line (run_command_line) for the errors raised before a command runs


def cli_message(e) -> str:
    """What the command line says for a DcalcError: the kinds that carry data name the flag that fixes them."""
    from ..errors import MissingVariables, NoSuchVariable, ReverseKink, WrtNeeded
    if isinstance(e, MissingVariables) and not e.near:
        from .options import example
        return f"{e.message} (give it with {example(e.inputs)})"
    if isinstance(e, WrtNeeded):
        inputs = ", ".join(e.inputs)
        return (f"say which variable to differentiate by with --wrt (one of {inputs}), or use --mode reverse for "
                "the whole gradient" if e.reverse else
                f"say which variable to differentiate by with --wrt (the variables: {inputs})")
    if isinstance(e, NoSuchVariable):
        return f"--wrt {e.name}: {e.message}"
    if isinstance(e, ReverseKink):
        return (f"reverse mode cannot pass the kink at {e.node_name}: a local partial does not exist there, though the "
                "gradient does; the forward trace (--mode forward --wrt NAME) shows it from the left and right "
                "derivatives")
    return e.message


def error_kind(e) -> str:
    """The kind of a DcalcError, as the JSON error names it."""
    from .. import errors
    return next(kind for name, kind in KINDS + (("DcalcError", "usage"),) if isinstance(e, getattr(errors, name)))


def error_json(message: str, kind: str, code: int, source: str | None = None, span=None, hint: str | None = None):
    """One line of JSON for an error: `span` is the marked spot of the input (offsets, and the line and column of
    its start, both from 1), null when the error marks none."""
    import json
    where = None
    if source is not None and span is not None:
        start = min(span[0], len(source))
        where = {"start": span[0], "end": span[1], "line": source.count("\n", 0, start) + 1,
                 "column": start - source.rfind("\n", 0, start)}
    return json.dumps({"error": message, "kind": kind, "exit_code": code, "span": where, "hint": hint},
                      ensure_ascii=False)


def _say(message: str, kind: str, code: int) -> int:
    """A failure that is not a DcalcError, on stderr as text or as JSON."""
    sys.stderr.write((error_json(message, kind, code) if _json_errors else f"error: {message}") + "\n")
    return code


def json_asked(argv) -> bool:
    """Whether the command line asks for JSON output (--json, --format json), before any `--`."""
    for k, arg in enumerate(argv):
        if arg == "--":
            return False
        if arg in ("--json", "--format=json") or (arg == "--format" and argv[k + 1: k + 2] == ["json"]):
            return True
    return False


def handles_errors(command):
    """A command's DcalcError → its message on stderr and its exit code (also under typer's CliRunner, which calls
    the command without main); with --json, as one JSON object."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        from ..errors import DcalcError
        try:
            return command(*args, **kwargs)
        except DcalcError as e:
            if _json_errors or kwargs.get("as_json") or kwargs.get("fmt") == "json":
                sys.stderr.write(error_json(cli_message(e), error_kind(e), e.exit_code, e.source, e.span, e.hint)
                                 + "\n")
            else:
                from ..output.render import error_text
                typer.echo(error_text(e, cli_message(e)), err=True)
            raise typer.Exit(e.exit_code) from None
        except BrokenPipeError:  # here, before typer turns it into exit 1
            quiet_pipe()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:  # main() says so: typer turns a Ctrl-C anywhere in its own code into 130 too
            raise typer.Exit(INTERRUPTED) from None
    return run


def _click():
    """click's exceptions: typer 0.28 ships its own copy of click (typer._click), older typers use click itself."""
    try:
        from typer._click import exceptions
    except ImportError:
        from click import exceptions
    return exceptions


def run_command_line(app, argv: list[str] | None) -> int:
    """Run the typer app as the console script: every failure becomes `error: …` on stderr and an exit code (one
    JSON object when the command line asks for JSON)."""
    global _json_errors
    _json_errors = notes.json_lines = json_asked(sys.argv[1:] if argv is None else argv)
    try:
        return _run(app, argv)
    finally:
        _json_errors = notes.json_lines = False  # main() may run again in this process (the tests, the API's users)


def _run(app, argv: list[str] | None) -> int:
    if sys.stdout is None:  # started with `>&-`: nowhere to put a result
        return USAGE if sys.stderr is None else _say("standard output is closed", "usage", USAGE)
    if os.environ.get("_DCALC_COMPLETE"):  # the shell asks for completions (commands/completion.py)
        from .completion import prepare
        prepare()
    try:
        command = typer.main.get_command(app)
        rv = command.main(args=argv, prog_name="dcalc", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == INTERRUPTED:  # a Ctrl-C that typer caught (while parsing the arguments) or a command turned into 130
            _say("interrupted", "interrupted", INTERRUPTED)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return _say("interrupted", "interrupted", INTERRUPTED)
    except BrokenPipeError:
        quiet_pipe()
        return 0
    except OSError as e:  # a full disk under `> out.txt`, say: the system's trouble, not a bug in dcalc
        quiet_pipe()
        why = (e.strerror or str(e)).lower()
        where = f"'{e.filename}'" if e.filename else "cannot write the output"
        return _say(f"{where}: {why}", "io", USAGE)
    except typer.Abort:
        return _say("aborted", "interrupted", INTERRUPTED)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a traceback
        return _parser_error(e) if isinstance(e, _click().ClickException) else _internal(e)


def _parser_error(e) -> int:
    """A usage error of the argument parser: its message and where to look; plain `dcalc` shows the help."""
    if isinstance(e, getattr(_click(), "NoArgsIsHelpError", ())):  # click >= 8.2 raises it for plain `dcalc`
        sys.stderr.write(f"{e.format_message()}\nerror: no command given\n")
        return USAGE
    if _json_errors:
        return _say(e.format_message(), "usage", USAGE)
    sys.stderr.write(f"error: {e.format_message()}\n")
    if getattr(e, "ctx", None) is not None:
        sys.stderr.write(f"  try '{e.ctx.command_path} --help'\n")
    return USAGE


def _internal(e: Exception) -> int:
    """A bug: say so in one line, the traceback only with DCALC_DEBUG=1."""
    if os.environ.get("DCALC_DEBUG", "") not in ("", "0"):
        import traceback
        traceback.print_exc()
    what = " ".join(str(e).split())  # one line, and short: the message may quote a 1 MB input
    what = what if len(what) <= 200 else what[:200] + "…"
    return _say(f"internal error {type(e).__name__}: {what} (a bug in dcalc; DCALC_DEBUG=1 shows the traceback)",
                "internal", INTERNAL)


def quiet_pipe():
    """The reader went away (dcalc … | head -1): point stdout at /dev/null so the exit flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
