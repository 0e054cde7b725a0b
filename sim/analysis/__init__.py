"""The analysis layer: pure functions over records and scenarios (KPIs, verdicts, theory)."""
