"""kpicard: KRA/KPI scorecards from a YAML role catalog and CSV/Excel actuals."""

__version__ = "0.1.0"
