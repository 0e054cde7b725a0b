"""The scenario layer: a scenario file read, merged, checked; an immutable `Scenario`."""
