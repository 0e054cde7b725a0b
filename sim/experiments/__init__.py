"""The experiments layer: replications in worker processes, and their results written safely."""
