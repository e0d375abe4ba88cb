"""The flow process keeps glibc's mmap threshold fixed (flows.run.startup)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from flows.run import startup


def test_a_threshold_the_user_set_is_left_alone():
    assert startup.return_large_blocks_to_the_system({"MALLOC_MMAP_THRESHOLD_": "65536"}) is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_the_threshold_is_set_on_glibc():
    # In a fresh process, so this test run's own allocator is left as it was.
    code = "from flows.run import startup; print(startup.return_large_blocks_to_the_system({}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
