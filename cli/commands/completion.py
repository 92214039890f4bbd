"""Shell completion for bash, zsh and fish: the scripts (`dcalc --show-completion SHELL`), their installation
(`--install-completion SHELL`) and the answers to the shell: with _DCALC_COMPLETE set, dcalc completes commands,
options, the choices of --format and --mode, and function names at the end of EXPR, speaking the protocol of
typer's scripts. Imported only then: an ordinary start-up never pays for completion."""

import os

from .defaults import SHELLS

VAR = "_DCALC_COMPLETE"


def prepare() -> None:
    """Before typer answers a request: its shells registered, and click's spelling of the instruction (bash_source,
    bash_complete) read as typer's (source_bash, complete_bash)."""
    try:
        from typer._completion_classes import completion_init
    except ImportError:  # pragma: no cover
        from typer.completion import completion_init
    completion_init()
    shell, _, what = os.environ.get(VAR, "").partition("_")
    if shell in SHELLS and what in ("source", "complete"):
        os.environ[VAR] = f"{what}_{shell}"


def script(shell: str) -> str:
    from typer._completion_shared import get_completion_script
    return get_completion_script(prog_name="dcalc", complete_var=VAR, shell=shell)


def install(shell: str) -> str:
    """Write the script where the shell reads it (and source it from ~/.bashrc or ~/.zshrc); where that is."""
    from typer._completion_shared import install as typer_install
    _, path = typer_install(shell=shell, prog_name="dcalc", complete_var=VAR)
    return str(path)


def functions(incomplete: str) -> list[str]:
    """Completions of the name at the end of a partly typed EXPR: `2*si` → `2*sin`, `2*sinh`."""
    from ..core.ops import FUNCTION_NAMES
    head = incomplete.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
    word = incomplete[len(head):]
    if not word or word[0].isdigit():
        return []
    return [head + name for name in FUNCTION_NAMES if name.startswith(word)]
