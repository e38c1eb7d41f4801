"""The `kpicard` command: the root app and its command groups.

Exit codes (SPEC 4) are made in `kpicard.cli.app.guarded`. Heavy modules (openpyxl, the engine,
the readers) are imported inside commands, so `--help` and `--version` stay fast.
"""

from __future__ import annotations

import sys

import typer

from kpicard import __version__
from kpicard.cli import batch, catalog, catalog_tools, score, template
from kpicard.cli.app import EXIT_INTERRUPTED, EXIT_OK, new_app, silence_stdout, state

app = new_app(
    name="kpicard",
    help="KRA/KPI scorecards from a YAML role catalog and CSV/Excel actuals.\n\n"
    "Examples:\n\n"
    "  kpicard catalog list\n\n"
    "  kpicard score team.xlsx --role billing-staff\n\n"
    "  kpicard score team.csv --role billing-staff --format json -o scores.json\n\n"
    "Exit codes: 0 ok, 1 invalid catalog or input, 2 usage or unreadable/unwritable path, "
    "3 internal error, 130 interrupted.",
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kpicard {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """KRA/KPI scorecards from a YAML role catalog and CSV/Excel actuals."""
    state["debug"] = debug


catalog_tools.register(catalog.app)
app.add_typer(catalog.app, name="catalog")
score.register(app)
template.register(app)
batch.register(app)


def run() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="kpicard")
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        silence_stdout()
        sys.exit(EXIT_OK)
