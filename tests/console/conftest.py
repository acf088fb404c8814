"""The console through Flask's test client, on SQLite and PostgreSQL (the `app` fixture).

`Console` is a person at a browser without JavaScript: it reads the CSRF token from the
page it is on, as the browser sends the hidden field back, and follows nothing by itself.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.console.driver import Console, new_console


@pytest.fixture
def visitor(app: Flask) -> Console:
    """Someone with an admin key pair who has not signed in yet."""
    return new_console(app)


@pytest.fixture
def console(visitor: Console) -> Console:
    """An admin signed in to the console."""
    visitor.sign_in()
    return visitor
