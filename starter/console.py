"""The one Rich console every command prints to."""

from rich.console import Console

# Rich assumes 80 columns when the output is a file or a CI log, and would cut the order ids
# a reader needs to copy; a terminal keeps its own width.
out = Console() if Console().is_terminal else Console(width=200)
