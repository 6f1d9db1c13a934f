"""Documents, sections, revisions, merging and live updates."""
