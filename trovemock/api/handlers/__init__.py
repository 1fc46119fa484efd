"""Handlers of the Trove API routes, one module per resource."""
