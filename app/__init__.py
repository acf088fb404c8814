"""appservices-auth: the API-key authentication of Atlas App Services, self-hosted.

Only the version lives here: importing the package builds nothing, so the `appservices`
client commands pay for no server. The server is built by `app.factory.create_app`.
"""

__version__ = "0.1.0"
