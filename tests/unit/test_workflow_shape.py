"""The workflow's parts talk through methods: none sets another object's fields, and the workflow wires few parts."""

import ast
from pathlib import Path

WORKFLOWS = Path(__file__).parents[2] / "workflows"
MOST_PARTS = 4


def foreign_assignments(source: str) -> list[str]:
    """Assignments to an attribute of anything but `self` (`inbox.in_flight = True`, `record.escalated = True`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if not isinstance(element, ast.Attribute):
                    continue
                owner = element.value
                if not (isinstance(owner, ast.Name) and owner.id == "self"):
                    found.append(f"line {node.lineno}: {ast.unparse(element)}")
    return found


def test_no_module_of_the_workflow_sets_another_objects_attribute() -> None:
    found = {path.name: foreign_assignments(path.read_text()) for path in sorted(WORKFLOWS.glob("*.py"))}

    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_check_sees_an_assignment_through_another_object() -> None:
    source = "self._inbox.in_flight = True\nrecord.escalated = True\nself.a, other.b = 1, 2\nself._mine = 3\n"

    assert foreign_assignments(source) == [
        "line 1: self._inbox.in_flight",
        "line 2: record.escalated",
        "line 3: other.b",
    ]


def test_the_workflow_builds_one_context_and_at_most_four_parts() -> None:
    tree = ast.parse((WORKFLOWS / "order.py").read_text())
    init = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    built = [
        call.func.id
        for call in ast.walk(init)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id[0].isupper()
    ]

    context, *parts = built
    assert context == "OrderContext"
    assert len(parts) <= MOST_PARTS, parts
