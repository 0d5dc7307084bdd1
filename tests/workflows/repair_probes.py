"""Two versions of one tiny workflow, the second changed without a patch: a run of the first is stuck
on the second (tests/workflows/test_repair.py). A module of its own with nothing but the SDK to import,
so the sandbox that validates and replays them imports nothing heavy."""

from datetime import timedelta

from temporalio import workflow


class Signals:
    def __init__(self) -> None:
        self.signals: list[str] = []

    @workflow.signal
    def note(self, name: str) -> None:
        self.signals.append(name)

    @workflow.query
    def status(self) -> list[str]:
        return self.signals


@workflow.defn(name="RepairProbe")
class AsItRan(Signals):
    @workflow.run
    async def run(self) -> list[str]:
        await workflow.wait_condition(lambda: "go" in self.signals)
        await workflow.sleep(timedelta(hours=1))
        return self.signals


@workflow.defn(name="RepairProbe")
class AsDeployed(Signals):
    """Changed without a patch: after "go" it starts no timer, so the history above does not replay."""

    @workflow.run
    async def run(self) -> list[str]:
        await workflow.wait_condition(lambda: "go" in self.signals)
        await workflow.wait_condition(lambda: "poke" in self.signals)
        return self.signals
