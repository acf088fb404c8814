"""The HTTP layer: request parsing, authentication, and the wire format."""
