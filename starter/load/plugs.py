"""Where the load meets the audit and the stand-ins' fault injection, each built on its own branch: one
function each, so that wiring either anew touches nothing else."""

from typing import Any

from runtime.settings import Settings

# The violations a verdict lists (all are counted).
SHOWN_VIOLATIONS = 50


async def audit_verdict(settings: Settings) -> dict[str, Any]:
    """The audit of every order of the system `settings` describe, as the verdict's JSON."""
    from starter.audit.report import run_audit

    report = await run_audit(settings)
    return {
        "clean": report.clean,
        "orders": report.orders,
        "statuses": report.statuses,
        "rules": report.rules,
        "violations": len(report.violations),
        "shown": [violation.model_dump(mode="json") for violation in report.violations[:SHOWN_VIOLATIONS]],
    }


def fault_spec(*, errors: float, lost: float) -> str:
    """The stand-ins' fault spec for every endpoint; "" for none."""
    return f"*:error={errors:g},lost={lost:g}" if errors or lost else ""


async def set_faults(settings: Settings, *, errors: float, lost: float) -> str:
    """Every stand-in endpoint fails `errors` of its calls and loses the answer of `lost` of them (after doing
    the work), from now on; the spec set ("" when none was asked for, and nothing is sent)."""
    spec = fault_spec(errors=errors, lost=lost)
    if spec:
        await _send_faults(settings, spec)
    return spec


async def clear_faults(settings: Settings) -> None:
    await _send_faults(settings, "")


async def _send_faults(settings: Settings, spec: str) -> None:
    from starter.faults import set_faults as put_in_force

    await put_in_force(settings.sandbox_url, spec)
