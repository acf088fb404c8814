"""WSGI entry point for running under another server than `appservices serve`.

For example `granian --interface wsgi --workers 4 app.wsgi:app` or
`gunicorn --workers 4 app.wsgi:app`. That server writes its own access log: the line
with the request's correlation id (app/http/access_log.py) is `appservices serve`'s.
"""

from app.factory import bootstrap_admin, create_app

app = create_app()
bootstrap_admin(app)
