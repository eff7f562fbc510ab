"""The command line as a shell runs it, for the tests.

`in_process(argv)` calls `metrics.__main__.main(argv)` in the test process, so a test pays
for the command and not for a new Python importing pandas and pyarrow (about a second a
call). It gives the command what `python -m metrics` in a pipe would have: `sys.argv[0]` the
package's `__main__.py` (the program name in messages), standard output a pipe (not a
terminal: JSON by default), a 100-column terminal size (the fallback without one), the
working directory, Python's default warning filters with every warning printed to standard
error, `sys.exit` and argparse's exits as the exit status, and an uncaught exception as a
traceback on standard error with status 1. Output is read as `subprocess.run(text=True)`
reads it (universal newlines).

`as_process(argv)` starts `python -m metrics`, for the tests about the process itself: its
exit status, what it imports at start-up, a terminal.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
import warnings
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
MAIN = str(ROOT / "metrics" / "__main__.py")
# What an interpreter starts with (`python -W` unset, not a development build).
DEFAULT_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, None),
    ("ignore", PendingDeprecationWarning, None),
    ("ignore", ImportWarning, None),
    ("ignore", ResourceWarning, None),
)


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def in_process(argv: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    from metrics.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environ.update(COLUMNS="100", LINES="24")
    with (
        mock.patch.object(sys, "argv", [MAIN, *argv]),
        mock.patch.dict(os.environ, environ, clear=True),
        contextlib.chdir(cwd),
        warnings.catch_warnings(record=True) as caught,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        warnings.resetwarnings()
        for action, category, module in reversed(DEFAULT_FILTERS):
            warnings.filterwarnings(action, category=category, module=module or "")
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                code = exit_.code or 0
            else:  # sys.exit("message"): the message on stderr, status 1
                print(exit_.code, file=sys.stderr)
                code = 1
        except Exception:  # noqa: BLE001 - what the interpreter does with it
            traceback.print_exc(file=sys.stderr)
            code = 1
        for w in caught:
            err.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line))
    return subprocess.CompletedProcess(
        [sys.executable, "-m", "metrics", *argv],
        code,
        _universal_newlines(out.getvalue()),
        _universal_newlines(err.getvalue()),
    )


def as_process(argv: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
