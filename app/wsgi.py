"""WSGI entry point for running under any server: `gunicorn 'app.wsgi:app'`."""

from app.factory import bootstrap_admin, create_app

app = create_app()
bootstrap_admin(app)
