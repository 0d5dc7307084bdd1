"""The pure core: orders, their lifecycle, cancellation policy and customer messages.

Nothing in this package performs I/O or imports temporalio; every function here is
deterministic, so the workflow can call it and the property tests can hammer it.
"""
