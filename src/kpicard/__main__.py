"""`python -m kpicard` runs the command line."""

from kpicard.cli.main import run

run()
