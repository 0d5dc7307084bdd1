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
