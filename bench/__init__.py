"""The benchmark: the service under gunicorn, driven by wrk, measured against the floor.

    scripts/bench                    SQLite and PostgreSQL, 10 s per workload, 1k/1M keys
    scripts/bench --quick            a smoke test: SQLite, 1 s per workload, 1k/5k keys
    .venv/bin/python -m bench --help every option

For each database it starts `appservices serve --workers <cores>` (the env admin key
pair, BCRYPT_ROUNDS=4, ADMIN_KEY_SCRYPT_LOG_N=4), sets up two apps, 100 server keys and
a user with 20 keys through the APIs, and runs every workload with wrk (16 connections,
a separate process). The floor is `GET /healthz/live` of the same app and server, which asks no
database: every figure is also printed as a ratio to it, because absolute numbers on
a shared machine drift. The scale test then fills the database with keys in bulk
(executemany / COPY) and compares the login p50 at 1,000 and at 1,000,000 keys.
"""
