"""Comprehension questions follow their clause by its identity, not its number.

A clause's identity across versions (and across edits of a draft) is the pairing the redline
makes: the same text under another number is the same clause moved (old 11.1 is new 12.1); a
similar text is the same clause changed; no partner means it was removed. A question whose
clause changed or was removed is flagged (``review_note``) for HR, and staff are not asked it
until HR saves it again.
"""

from __future__ import annotations

from policies.redline import redline


def _clause_map(old_pairs: list[tuple[str, str]], new_pairs: list[tuple[str, str]]
                ) -> dict[str, tuple[str | None, str]]:
    """Old clause number -> (new number or None, "same" / "changed" / "removed")."""
    mapping: dict[str, tuple[str | None, str]] = {}
    for diff in redline(old_pairs, new_pairs):
        if diff.old_number is None:
            continue
        if diff.new_number is None:
            mapping[diff.old_number] = (None, "removed")
        else:
            mapping[diff.old_number] = (diff.new_number,
                                        "changed" if diff.text_changed else "same")
    return mapping


def _note(old_number: str, new_number: str | None, kind: str, where: str) -> str:
    if kind == "removed":
        return f"its clause {old_number} was removed {where}; choose the clause to re-read."
    moved = f" (now {new_number})" if new_number != old_number else ""
    return f"its clause {old_number} changed {where}{moved}; check the question still fits."


def questions_carry_forward(*, source, target) -> dict:
    """Copy the source version's questions onto the target version (a new draft), each to the
    clause its own clause became. Returns counts for the record."""
    from acknowledgements.models import Question

    questions = list(Question.objects.filter(version=source).select_related("clause")
                     .order_by("order", "id"))
    if not questions:
        return {"carried": 0, "flagged": 0}
    old_pairs = list(source.clauses.order_by("order").values_list("number", "text"))
    new_clauses = {c.number: c for c in target.clauses.all()}
    mapping = _clause_map(old_pairs, [(c.number, c.text) for c in
                                      sorted(new_clauses.values(), key=lambda c: c.order)])
    flagged = 0
    for question in questions:
        clause, note = None, question.review_note
        if question.clause is not None:
            new_number, kind = mapping.get(question.clause.number, (None, "removed"))
            clause = new_clauses.get(new_number) if new_number else None
            if kind != "same":
                note = _note(question.clause.number, new_number, kind,
                             f"in version {target.label}")
        flagged += bool(note)
        Question.objects.create(
            version=target, order=question.order, text=question.text, choices=question.choices,
            correct_choice=question.correct_choice, clause=clause, carried_from=question,
            review_note=note[:300],
        )
    return {"carried": len(questions), "flagged": flagged}


def questions_hold(version) -> list[tuple[int, str, str]]:
    """Before a draft's clauses are rewritten: each question's clause (number, text), and the
    question let go of it (clause rows are replaced on every edit)."""
    from acknowledgements.models import Question

    held = [(q.pk, q.clause.number, q.clause.text) for q in
            Question.objects.filter(version=version, clause__isnull=False).select_related(
                "clause")]
    if held:
        Question.objects.filter(pk__in=[pk for pk, _, _ in held]).update(clause=None)
    return held


def questions_reattach(version, held: list[tuple[int, str, str]], old_pairs, new_clauses
                       ) -> None:
    """After the rewrite: each held question to its clause's new row, flagged if the edit
    changed or removed that clause."""
    from acknowledgements.models import Question

    if not held:
        return
    by_number = {c.number: c for c in new_clauses}
    mapping = _clause_map(old_pairs, [(c.number, c.text) for c in new_clauses])
    for pk, number, _text in held:
        new_number, kind = mapping.get(number, (None, "removed"))
        updates = {"clause": by_number.get(new_number) if new_number else None}
        if kind != "same":
            updates["review_note"] = _note(number, new_number, kind, "in this draft")[:300]
        Question.objects.filter(pk=pk).update(**updates)
