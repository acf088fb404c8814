"""The acceptance suite's command-line option.

Registered from tests/conftest.py: pytest only honours options that a conftest loaded at
start-up adds, and tests/acceptance/conftest.py is not loaded at start-up when pytest
runs from the repository root.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--base-url", metavar="URL", default=None,
        help="run the acceptance scenarios (tests/acceptance) against the deployment at URL "
             "instead of servers the suite starts; its admin key pair comes from "
             "APPSERVICES_ADMIN_PUBLIC_KEY and APPSERVICES_ADMIN_PRIVATE_KEY, and scenarios "
             "that move the clock need it to run with APPSERVICES_TEST_CLOCK=1",
    )
