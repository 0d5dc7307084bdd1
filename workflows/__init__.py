"""The Temporal workflows: sequencing, timers and messages. The rules they follow live in domain/."""
