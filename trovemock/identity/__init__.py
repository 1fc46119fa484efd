"""The fake identity service (keystone v3, v2.0 / Rackspace, legacy v1.0) and its users."""

from trovemock.identity.keystone import add_user

__all__ = ["add_user"]
