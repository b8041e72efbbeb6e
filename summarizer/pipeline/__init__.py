"""From an article to its summary: the plan, the steps that build requests and read
replies, the prompts, the re-asks, and the sync and async drivers."""
