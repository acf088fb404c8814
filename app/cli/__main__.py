"""`python -m app.cli ...`: the same command as the `appservices` console script."""

from __future__ import annotations

from app.cli import main

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="appservices")
