"""Database engines: how to make, start, query, back up and restore one kind of server.
`mariadb` serves the mysql and mariadb datastores, `postgres` serves postgresql."""
