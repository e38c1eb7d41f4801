"""A Typer app whose every command maps outcomes to kpicard's exit codes.

The mapping lives inside each command (not around `app()`), so that typer's CliRunner in the
tests sees exactly what a user sees: diagnostics printed on stderr and exit 1 or 2, internal
errors as one line and exit 3 (traceback with `--debug`), Ctrl-C as 130, a closed pipe as quiet.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import typer

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130

state = {"debug": False}


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command body and turn every way it can end into the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kpicard.diagnostics import KpicardError

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except KpicardError as exc:
            from kpicard.render.terminal import print_diagnostics

            print_diagnostics(exc.diagnostics)
            raise typer.Exit(EXIT_USAGE if exc.kind == "usage" else EXIT_INVALID) from None
        except KeyboardInterrupt:
            sys.stderr.write("\ninterrupted\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            silence_stdout()
            raise typer.Exit(EXIT_OK) from None
        except Exception as exc:  # the last line of defence: never a bare traceback
            if state["debug"] or os.environ.get("KPICARD_DEBUG"):
                import traceback

                traceback.print_exc()
            sys.stderr.write(
                f"kpicard: internal error: {type(exc).__name__}: {exc}. This is a bug; re-run "
                "with --debug for the traceback and report it with the command you ran.\n"
            )
            raise typer.Exit(EXIT_BUG) from None

    return wrapper


def silence_stdout() -> None:
    """After a closed pipe (`kpicard ... | head -1`), keep Python quiet at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class GuardedTyper(typer.Typer):
    """typer.Typer whose `command()` wraps every command in `guarded`."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            register(guarded(func))
            return func

        return decorator


def _both_streams_are_terminals() -> bool:
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def new_app(**kwargs: Any) -> GuardedTyper:
    # Typer draws help and usage errors in rich panels; boxes belong on a terminal only (SPEC 4),
    # so piped or captured output gets click's plain text.
    kwargs.setdefault("rich_markup_mode", "rich" if _both_streams_are_terminals() else None)
    kwargs.setdefault("no_args_is_help", True)
    kwargs.setdefault("add_completion", False)
    kwargs.setdefault("pretty_exceptions_enable", False)
    kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
    return GuardedTyper(**kwargs)
