"""The article's text: what a user passes, the story found in it, its sentences and the
spans that quotes and sentence ids point at."""
