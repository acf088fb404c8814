"""The reference floor: what a Flask user gets by default. One JSON route, nothing else.

The benchmark serves it under gunicorn's sync workers, the server Flask's own deployment
docs show first, and prints every workload of the service as a share of its req/s.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}
