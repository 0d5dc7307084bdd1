"""The stand-ins' faults from the command line and from Python: the spec checked at start, and
changed at run time through the sandbox's /admin/faults (sandbox.fault_admin), e.g. by load or chaos tools."""

from typing import Any

import httpx

from runtime.fault_injector import FaultInjector
from runtime.fault_spec import FaultSpecError, parse_faults
from runtime.settings import Settings
from starter.errors import BadSetting, CliError, SandboxUnreachable


def configured_faults(settings: Settings) -> FaultInjector:
    """The faults ORDERS_FAULTS (or `orders run --faults`) asks for; one line naming the bad part if it cannot be read."""
    try:
        return FaultInjector(parse_faults(settings.faults))
    except FaultSpecError as error:
        raise BadSetting(f"setting ORDERS_FAULTS={settings.faults!r}", str(error)) from None


def checked_spec(spec: str, option: str = "--faults") -> str:
    """`spec` as given on the command line, once it is known to parse."""
    try:
        parse_faults(spec)
    except FaultSpecError as error:
        raise CliError(f"{option}: {error}") from None
    return spec


async def set_faults(sandbox_url: str, spec: str, *, patch: bool = False) -> dict[str, Any]:
    """Put the faults `spec` describes in force in the running sandbox (`patch`: over those in force);
    returns the table now in force ({"spec", "seed", "endpoints"}). `set_faults(url, "")` clears them."""
    return await _admin(sandbox_url, "PATCH" if patch else "PUT", "/admin/faults", {"spec": spec})


async def fault_counters(sandbox_url: str) -> dict[str, dict[str, int]]:
    """Per endpoint the sandbox saw: requests, and how many it refused (error), lost and delayed."""
    return await _admin(sandbox_url, "GET", "/admin/faults/counters")


async def _admin(sandbox_url: str, method: str, path: str, body: dict[str, str] | None = None) -> Any:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=10) as http:
        try:
            response = await http.request(method, path, json=body)
        except httpx.TransportError:
            raise SandboxUnreachable(sandbox_url) from None
    if response.status_code == 422:
        raise CliError(str(response.json().get("detail", response.text)))
    if response.status_code != 200:
        raise CliError(f"the sandbox answered {method} {path} with {response.status_code}: {response.text[:200]}")
    return response.json()
