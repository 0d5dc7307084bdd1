"""One module per external system: a Protocol port, its adapter, and the activities over it."""
