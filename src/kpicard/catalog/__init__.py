"""Role catalogs: finding, loading, validating, diffing, formatting, linting."""
