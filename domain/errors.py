"""Errors of the pure core: each says what is wrong in words a person can act on."""


class OrderError(Exception):
    """Base class of every business error of an order."""


class InvalidTransition(OrderError):
    """The order cannot move from its current status to the one asked for."""


class InvariantViolation(OrderError):
    """A money or stock rule would be broken; the step must not be recorded."""
