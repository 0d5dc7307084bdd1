"""Search attributes that make every order findable in the Web UI."""

from temporalio.common import SearchAttributeKey

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
CANCELLATION_REASON = SearchAttributeKey.for_keyword("CancellationReason")
NEEDS_ATTENTION = SearchAttributeKey.for_bool("NeedsAttention")

ALL = (ORDER_STATUS, CUSTOMER_ID, CANCELLATION_REASON, NEEDS_ATTENTION)
