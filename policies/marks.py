"""Word-level marks (`policies.redline.word_marks`, a clause diff's `marks`) as HTML: the
template `policies/_marks.html` puts `<ins>`/`<del>` around changes and escapes the text."""

from collections.abc import Iterable

from django.template.loader import render_to_string

from policies.redline import Segment

OPERATIONS = frozenset({"equal", "insert", "delete"})


def render_marks_html(segments: Iterable[Segment]) -> str:
    marks = [(op, text) for op, text in segments if text]
    unknown = {op for op, _ in marks} - OPERATIONS
    if unknown:
        raise ValueError(f"unknown mark operation {sorted(unknown)[0]!r}")
    return render_to_string("policies/_marks.html", {"marks": marks})
