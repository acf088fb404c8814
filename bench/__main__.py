"""`python -m bench`: see bench/__init__.py; `python -m bench soak`: see bench/soak.py;
`python -m bench costs`: see bench/costs.py."""

import sys

if sys.argv[1:2] == ["soak"]:
    from bench.soak import main as soak

    raise SystemExit(soak(sys.argv[2:]))

if sys.argv[1:2] == ["costs"]:
    from bench.costs import main as costs

    raise SystemExit(costs(sys.argv[2:]))

from bench.cli import main

raise SystemExit(main())
