"""Detect stage: language with confidence (`language`), publisher from URL, metadata or the
page's own text with evidence (`outlets`), wire agency (`wire`) and cited outlets
(`citations`). `detector.detect` is the page-level entry point."""
