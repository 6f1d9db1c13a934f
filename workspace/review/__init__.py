"""Review and agreement: comments, positions, scope, lifecycle, sign-off, tasks."""
