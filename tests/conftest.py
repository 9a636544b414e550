from __future__ import annotations

import os
import tempfile

import pytest

# Compiled objects are cached on disk; tests use a private cache so they exercise the
# compiler from scratch on a fresh machine and never touch the user's cache.
os.environ.setdefault("LAMINARC_CACHE_DIR", tempfile.mkdtemp(prefix="laminarc-test-cache-"))
# Pre-aggregated streams deal rows to workers in blocks (8192 rows by default): small blocks
# make the tests' few hundred rows span many blocks, lanes and workers, so every differential
# test also checks that merging partial states gives one worker's results.
os.environ.setdefault("LAMINARC_BLOCK_ROWS", "61")

import laminarc


@pytest.fixture
def db():
    database = laminarc.open()
    yield database
    database.close()

# LAMINARC_NO_SHRINK=1: report the first failing example at once (a debugging aid; CI shrinks).
if os.environ.get("LAMINARC_NO_SHRINK"):
    from hypothesis import Phase, settings

    settings.register_profile("noshrink", phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("noshrink")
