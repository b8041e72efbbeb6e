"""A result shown to people: Markdown, HTML for a browser or notebook, and the terminal."""
