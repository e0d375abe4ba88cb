#!/bin/sh
# System packages the tests need that pip cannot install. Nothing for now; the browser
# test (Debian's chromium) is added here when the dashboard lands.
exit 0
