"""The benchmark: the service as `appservices serve` runs it, driven by wrk, against a reference.

    scripts/bench                    SQLite and PostgreSQL, 10 s per workload, 1k/1M keys
    scripts/bench --quick            a smoke test: SQLite, 1 s per workload, 1k/5k keys
    scripts/bench --servers          the WSGI servers compared (bench/servers.py)
    .venv/bin/python -m bench --help every option

For each database it starts `appservices serve --workers <cores>` (the env admin key
pair, BCRYPT_ROUNDS=4, ADMIN_KEY_SCRYPT_LOG_N=4), sets up two apps, 100 server keys and
a user with 20 keys through the APIs, and runs every workload with wrk (16 connections,
a separate process), each also with one connection per request (`Connection: close`).
The reference, measured first, is what a Flask user gets by default: a bare Flask app with
one JSON route under gunicorn's sync workers (bench/bare_app.py); the targets are shares of
its req/s, because absolute numbers on a shared machine drift. The floor is `GET
/healthz/live` of the service itself, which asks no database. The scale test then fills
the database with keys in bulk (executemany / COPY) and compares the login p50 at 1,000
and at 1,000,000 keys.
"""
