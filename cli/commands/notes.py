"""Notes on stderr: a line `note: …`, or with --json the object {"note": …} on a line of its own."""

import sys

json_lines = False  # set by exits.run_command_line when the command line asks for JSON


def note(message: str) -> None:
    """A note (never a failure), so that a script reading stderr as JSON lines under --json reads every line."""
    if json_lines:
        import json
        sys.stderr.write(json.dumps({"note": message}, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"note: {message}\n")
