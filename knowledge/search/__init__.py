"""A Whoosh index on disk as a modelsearch backend (``knowledge.search.whoosh``)."""
