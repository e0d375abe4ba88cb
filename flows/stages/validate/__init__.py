"""Validate stage: the Great Expectations suites in `expectations/`. `articles` checks the
articles of a batch (and holds the GX `Validator`); `tables` checks the rows a batch writes
to the other core tables. Failures go to quarantine with the expectations they failed."""
