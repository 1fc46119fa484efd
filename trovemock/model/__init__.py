"""The emulated cloud's domain: entities, rules and lifecycle. Nothing here knows HTTP."""
