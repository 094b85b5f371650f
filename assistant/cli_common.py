"""What every `mentor` command shares: the consoles, the one translation of MentorError
into a message and an exit code (never a traceback), and the Runtime built from Settings.
Command modules (cli.py, cli_ask.py, one per feature) import from here."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from assistant.config import load_settings
from assistant.errors import MentorError
from assistant.runtime import Runtime

out = Console(soft_wrap=True)  # piped output is never re-wrapped (tables, JSON-like rows)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn MentorError into a message on stderr and its exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MentorError as exc:
            err.print("Error: ", style="bold red", end="", highlight=False)
            err.print(exc.message, highlight=False, markup=False)
            if exc.hint:
                err.print(exc.hint, highlight=False, markup=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("Interrupted.")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # the last resort: a message, never a traceback
            if os.environ.get("MENTOR_DEBUG"):
                raise
            err.print("Error: ", style="bold red", end="", highlight=False)
            err.print(
                f"something unexpected went wrong ({exc.__class__.__name__}: {exc}).",
                highlight=False,
                markup=False,
            )
            err.print(
                "Run `mentor doctor` to check the setup; set MENTOR_DEBUG=1 to see details.",
                highlight=False,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def runtime() -> Runtime:
    return Runtime(load_settings())
