"""Many articles: concurrent runs with resumable JSON-lines records, and the batch-engine
files that prepare and collect write and read."""
