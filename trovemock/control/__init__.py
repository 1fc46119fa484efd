"""The control API (`/_trovemock/`): the test\x27s handle on a running emulator."""
