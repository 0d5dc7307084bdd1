"""The systems told of order events (webhooks out): `ORDERS_WEBHOOK_SUBSCRIBERS`, a JSON list of
`{"name", "url", "secret"}`. The name is what orders and operators see (the WebhookFailing search
attribute); the URL and the secret stay with the workers, which sign each POST with the secret."""

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


class Subscriber(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    url: str = Field(pattern=r"^https?://\S+$")
    secret: str = Field(min_length=8)


_LIST = TypeAdapter(list[Subscriber])


def parse_subscribers(configured: str) -> list[Subscriber]:
    """The subscribers `configured` names ("" for none); ValueError with the first problem, in one line."""
    if not configured.strip():
        return []
    try:
        subscribers = _LIST.validate_json(configured)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f'expected a JSON list of {{"name", "url", "secret"}}: {where}: {first["msg"]}') from None
    names = [subscriber.name for subscriber in subscribers]
    if len(set(names)) != len(names):
        raise ValueError("each subscriber needs a name of its own")
    return subscribers


def receiver_stand_in(sandbox_url: str) -> str:
    """The sandbox's receiver as the one subscriber, what `orders run` configures when none is."""
    return f'[{{"name": "receiver", "url": "{sandbox_url}/receiver/receiver/events", "secret": "whsec_receiver_demo"}}]'
