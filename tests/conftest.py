from __future__ import annotations

import os
import tempfile

import pytest

# Compiled objects are cached on disk; tests use a private cache so they exercise the
# compiler from scratch on a fresh machine and never touch the user's cache.
os.environ.setdefault("LAMINARC_CACHE_DIR", tempfile.mkdtemp(prefix="laminarc-test-cache-"))

import laminarc  # noqa: E402


@pytest.fixture
def db():
    database = laminarc.open()
    yield database
    database.close()
