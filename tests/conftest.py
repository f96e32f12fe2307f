"""Project test configuration: fixture folders hold assignments' own tests, which are not ours to collect."""

collect_ignore = ["fixtures"]
