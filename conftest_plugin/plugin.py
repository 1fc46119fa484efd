"""pytest plugin for trovemock (fixtures arrive with the test-control issue)."""
