"""Benchmark Word and PDF documents of the seed policy (93 clauses): no database needed.

    .venv/bin/python bench/bench_documents.py [--rounds 7]

Prints the median time of: writing the .docx export, reading it back (.docx -> policy text),
reading the LibreOffice-made seed (tests/data), parsing that text, and laying out the PDF
(uncached; published versions' PDFs are cached after the first).
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_ms(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    for noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from documents.pdf import version_pdf
    from documents.reader import docx_to_policy_text
    from documents.writer import version_docx
    from policies.parsing import parse_policy_text

    seed = (ROOT / "policies/seed/social-media-policy-2023.txt").read_text()
    parsed = parse_policy_text(seed)
    version = SimpleNamespace(
        policy=SimpleNamespace(title=parsed.title, category=parsed.category), label="2023-09",
        cover=json.loads(json.dumps(parsed.metadata, cls=DjangoJSONEncoder)), status="draft",
        content_hash="", get_status_display=lambda: "Draft")
    libreoffice = (ROOT / "tests/data/social-media-policy-2023-libreoffice.docx").read_bytes()
    exported = version_docx(version, parsed.clauses)
    text = docx_to_policy_text(libreoffice)
    pdf = version_pdf(version, parsed.clauses)
    print(f"seed: {len(parsed.clauses)} clauses; median of {rounds} rounds")
    rows = [
        ("write .docx export", lambda: version_docx(version, parsed.clauses), rounds,
         f"{len(exported) // 1024} KB"),
        ("read the export", lambda: docx_to_policy_text(exported), rounds, ""),
        ("read the LibreOffice seed", lambda: docx_to_policy_text(libreoffice), rounds, ""),
        ("parse its text", lambda: parse_policy_text(text), rounds, ""),
        ("lay out the PDF (uncached)", lambda: version_pdf(version, parsed.clauses),
         max(3, rounds // 2), f"{len(pdf) // 1024} KB"),
    ]
    for name, action, count, size in rows:
        print(f"{name:<28} {median_ms(action, count):7.0f} ms  {size}")

if __name__ == "__main__":
    main()
