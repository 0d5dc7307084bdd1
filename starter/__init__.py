"""The command line: place, cancel, inspect and exercise orders; `orders run` starts the whole system."""
