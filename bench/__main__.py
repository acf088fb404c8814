"""`python -m bench`: see bench/__init__.py; `python -m bench soak`: see bench/soak.py."""

import sys

if sys.argv[1:2] == ["soak"]:
    from bench.soak import main as soak

    raise SystemExit(soak(sys.argv[2:]))

from bench.cli import main

raise SystemExit(main())
