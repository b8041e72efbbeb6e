"""Talking to a model: the call with its retries, the endpoints and the embedded server, and
the pace that keeps a rate limit from failing requests."""
