"""`/admin/faults`: read and change the stand-ins' faults while they run, and count what was injected.

    GET    /admin/faults            the table in force: {"spec", "seed", "endpoints"}
    PUT    /admin/faults            {"spec": "..."} replaces the table ("" clears it)
    PATCH  /admin/faults            {"spec": "..."} applies its clauses over the table in force
    GET    /admin/faults/counters   per endpoint: requests, error, lost, delayed
    DELETE /admin/faults/counters   counters back to zero

A spec that cannot be read is answered 422 with the reason in `detail`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict

from runtime.fault_injector import FaultInjector
from runtime.fault_spec import FaultSpecError, FaultTable, parse_faults
from sandbox.faults import faults_view

router = APIRouter(prefix="/admin/faults", tags=["admin"])


class FaultSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spec: str


def _faults(request: Request) -> FaultInjector:
    return request.app.state.faults


Faults = Annotated[FaultInjector, Depends(_faults)]


def _parsed(spec: str, base: FaultTable | None = None) -> FaultTable:
    try:
        return parse_faults(spec, base)
    except FaultSpecError as error:
        raise HTTPException(422, str(error)) from None


@router.get("")
def get_faults(faults: Faults) -> dict[str, Any]:
    return faults_view(faults)


@router.put("")
def replace_faults(body: FaultSpec, faults: Faults) -> dict[str, Any]:
    faults.replace(_parsed(body.spec))
    return faults_view(faults)


@router.patch("")
def patch_faults(body: FaultSpec, faults: Faults) -> dict[str, Any]:
    faults.replace(_parsed(body.spec, faults.table))
    return faults_view(faults)


@router.get("/counters")
def get_counters(faults: Faults) -> dict[str, dict[str, int]]:
    return faults.counters()


@router.delete("/counters", status_code=204)
def reset_counters(faults: Faults) -> Response:
    faults.reset_counters()
    return Response(status_code=204)
