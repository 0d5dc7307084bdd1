"""Who is calling: the API key in `Authorization: Bearer <key>` names a role, or the call is refused (401)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.store import ApiStore
from domain.access import Action, Role, authorize

_bearer = HTTPBearer(auto_error=False, description="an API key from var/api-keys.txt (one per role)")


def store(request: Request) -> ApiStore:
    return request.app.state.store


def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Role:
    """The caller's role; 401 (before anything else is read) for a missing or unknown key."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise ApiError(401, "unauthenticated", "missing API key: send `Authorization: Bearer <key>`", challenge)
    role = store(request).role_of(credentials.credentials)
    if role is None:
        raise ApiError(401, "unauthenticated", "unknown API key", challenge)
    request.state.role = role  # for the access log, which never names the key
    return role


Caller = Annotated[Role, Depends(caller)]


def allowed(action: Action) -> Role:
    """A dependency: the caller's role, once it is known to allow `action` (else 403)."""

    def check(role: Caller) -> Role:
        authorize(role, action)
        return role

    return Depends(check)
