"""The report section a failing test gets: the newest requests its cloud answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trovemock import TroveMock

SHOWN_ENTRIES = 20


def journal_section(mock: TroveMock) -> tuple[str, str]:
    """(title, text) for `report.sections`."""
    total = len(mock.journal)
    shown = min(total, SHOWN_ENTRIES)
    title = f"trovemock journal (last {shown} of {total} requests)"
    if not mock.journal.enabled and total == 0:
        text = "(the journal is switched off: journal.enabled is False)"
    else:
        text = mock.journal.format(last=SHOWN_ENTRIES) or "(no requests were recorded)"
    rules = mock.faults.rules
    if rules:
        text += "\nfault rules:\n" + "\n".join("  " + rule.describe() for rule in rules)
    unfired = [rule.id for rule in rules if rule.fired == 0]
    if unfired:
        text += (
            f"\nnever fired: {', '.join(unfired)} (a rule that never fires usually names a "
            "route, method or project the test did not use)"
        )
    return title, text


def internal_errors_text(mock: TroveMock) -> str:
    """Why a test that met an emulator bug fails: each request and its traceback."""
    errors = list(mock.internal_errors)
    head = (
        f"trovemock answered {len(errors)} request(s) with an unexpected 500: an error inside "
        "the emulator, not a fault rule (please report it with the traceback below; "
        "trove.internal_errors.clear() lets a test that expects it go on)"
    )
    return "\n\n".join([head, *(str(error) for error in errors)])
