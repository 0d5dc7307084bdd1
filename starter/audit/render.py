"""The audit report for the terminal: a summary table, then every violation with its order id."""

from rich.console import Group
from rich.table import Table
from rich.text import Text

from starter.audit.report import AuditReport


def report(audit: AuditReport) -> Group:
    summary = Table(title=f"Audit of {audit.orders} order(s)", show_header=True)
    summary.add_column("orders by status")
    summary.add_column("count", justify="right")
    summary.add_column("rule")
    summary.add_column("violations", justify="right")
    statuses, rules = list(audit.statuses.items()), list(audit.rules.items())
    for row in range(max(len(statuses), len(rules))):
        status, count = statuses[row] if row < len(statuses) else ("", "")
        rule, broken = rules[row] if row < len(rules) else ("", 0)
        summary.add_row(status, str(count), rule, Text(str(broken), style="bold red" if broken else "green"))
    if audit.clean:
        return Group(summary, Text("clean: every store agrees with every order", style="bold green"))
    violations = Table(title=f"{len(audit.violations)} violation(s)", show_header=True)
    for column in ("order", "rule", "detail"):
        violations.add_column(column, overflow="fold")
    for violation in audit.violations:
        violations.add_row(violation.order_id or "-", violation.rule.value, Text(violation.detail))
    return Group(summary, violations)
