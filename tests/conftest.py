"""Shared fixtures. Tests never touch the internet and never read ../shared."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def shiyan():
    """The embedded default region (built once if missing)."""
    from geo.regions import load_region

    return load_region("shiyan")
