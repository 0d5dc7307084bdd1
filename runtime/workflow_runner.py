"""How a worker runs the order workflow's code: in Temporal's sandbox, with our own modules passed through.

The sandbox imports a workflow's module afresh for every run it starts (and, where bytecode is not
cached, as with PYTHONDONTWRITEBYTECODE, compiles it again), so that module-level state cannot leak
between runs. Our workflow and domain modules keep no state at module level (constants and frozen
models only), and workflows/order.py already imports every other module of both packages through
`imports_passed_through`, so passing the packages through only adds workflows/order.py itself: the
same trust (passed-through code is not checked by the sandbox for clock, random or I/O; the replay
tests and the rule that workflow code reads none of them are what hold it), one import less per
order. Measured in docs/bench.md ("What was tried").
"""

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

OUR_MODULES = ("workflows", "domain")


def workflow_runner(*more_modules: str) -> SandboxedWorkflowRunner:
    """The sandbox every worker of order workflows uses; `more_modules` are passed through as well."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*OUR_MODULES, *more_modules)
    return SandboxedWorkflowRunner(restrictions=restrictions)
