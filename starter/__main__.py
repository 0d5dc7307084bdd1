"""`python -m starter` is `orders`: the supervisor starts its children this way, so it works
before the console script is installed."""

from starter.cli import app

app(prog_name="orders")
