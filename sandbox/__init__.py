"""Stand-ins for the third parties (payment gateway, carrier), real at the HTTP boundary."""
