"""A kind of shared content that lives only in the tests: it proves a new kind needs no edit to
any other app (``tests/test_battlecards.py``). Installed by ``config/settings/test.py``."""
