"""The opt-in data plane: a real database server behind every emulated instance, and real
backups (Trove's tools and formats) behind every backup.

Nothing here is imported unless a cloud is made with a data plane, so the default API-only
emulator keeps its start-up cost. `trovemock.dataplane.servers.ServersPlane` is the
implementation; the model talks to it through `trovemock.dataplane.protocol.DataPlane`.
"""
