"""appservices-auth: the API-key authentication of Atlas App Services, self-hosted.

Only the version lives here, declared once: pyproject.toml reads it from here, and
`appservices --version`, `GET /`, `/healthz` and the OpenAPI document show it. Importing
the package builds nothing, so the `appservices` client commands pay for no server. The
server is built by `app.factory.create_app`.
"""

__version__ = "0.2.0"
