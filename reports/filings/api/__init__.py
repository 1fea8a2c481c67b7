"""REST API for periods, filings and their rows, the workflow, imports and summaries."""
