"""Domain errors. The HTTP layer maps each class to a status and fault name."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `str(err)` is the message clients see."""


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    pass


class Forbidden(DomainError):
    pass


class TroveForbidden(Forbidden):
    """Trove's own `Forbidden` exception (a replica of a replica), which Trove 26.0.0's fault
    map sends as a 401 (deviation forbidden_as_401); a 403 by default."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class OverLimit(DomainError):
    pass


class Unprocessable(DomainError):
    pass


class NotImplementedForDialect(DomainError):
    pass


class Unserviceable(DomainError):
    """The emulator cannot serve any request in its present setting (its clock reads a time
    outside the supported range): 500 with the reason, and nothing changes."""


def not_found(resource_id: object) -> NotFound:
    return NotFound(f"Resource {resource_id} cannot be found.")


class UpstreamBug(DomainError):
    """Where Trove 26.0.0 crashes (a 500 `instanceFault` with a fresh id). Raised only in
    upstream fidelity (trovemock/fidelity.py); the message is for the log, not the client."""
