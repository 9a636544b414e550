"""Build glue that pyproject.toml cannot express: the package list of the folder mapping and
the cffi extension of the C runtime (built at install time)."""

from __future__ import annotations

import os

from setuptools import setup

FOLDERS = {
    "laminarc": "laminarc",
    "laminarc.compiler": "compiler",
    "laminarc.runtime": "runtime",
    "laminarc.connectors": "connectors",
    "laminarc.templates": "templates",
    "laminarc.nexmark_queries": "bench/nexmark",
}


def packages() -> list[str]:
    found = []
    for name, folder in FOLDERS.items():
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith((".", "__"))]
            if "__init__.py" in files:
                rel = os.path.relpath(root, folder)
                found.append(name if rel == "." else name + "." + rel.replace(os.sep, "."))
    return sorted(found)


setup(packages=packages(), cffi_modules=["runtime/build_runtime.py:ffi"])
