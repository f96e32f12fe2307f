"""Reports of a graded submission: Gradescope results.json, terminal table, Markdown feedback, CSV."""
