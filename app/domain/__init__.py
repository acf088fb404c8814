"""The rules of the service, free of any web framework."""
