"""The HTTP API (`orders api`): orders for systems that speak HTTP, with roles bound to API keys."""
