"""Pages composed above the domains: each builds one page from several areas (documents,
review, ...), so that no domain package has to import another to draw a page."""
