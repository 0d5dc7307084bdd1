"""`orders audit`: an independent reconciliation of every order against every store.

One reader per store gathers facts (temporal, gateway, carrier, mailbox, inventory); the rules
that judge them are pure, in domain.audit; `run_audit(settings)` ties both and is what the
command, and any load or chaos run, calls.
"""
