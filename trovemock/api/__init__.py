"""The HTTP layer: routing, auth, body parsing, dialect views and fault rendering."""
