"""Errors raised by the graph layer; each message names what was wrong and where."""


class GraphError(RuntimeError):
    """Base of all graph errors."""


class InvalidRowError(GraphError, ValueError):
    """A row of a write batch does not fit the model; nothing of its transaction was written."""


class MissingEndpointError(GraphError):
    """A relationship names a node that exists neither in the graph nor earlier in its transaction."""


class StoreUnavailableError(GraphError):
    """The configured store cannot be reached or opened."""


class StoreBusyError(StoreUnavailableError):
    """Another writer holds the store past the wait allowed: try again shortly (a server answers 503
    with Retry-After)."""

    retry_after = 5
