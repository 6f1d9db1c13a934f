"""Export: HTML for print, PDF rendering, digital signing and verification."""
