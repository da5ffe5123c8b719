"""The reading pages of a version: one page per numbered section, the appendix as one page.

The server records each page it serves to a person (`SectionView`); acknowledging is refused
until every page of the version was served to them.
"""

from dataclasses import dataclass, field

from policies.models import Clause, PolicyVersion
from policies.parsing import section_of

ADDENDUM_KEY = "addendum"


@dataclass
class Section:
    key: str
    index: int  # 1-based page number
    title: str
    clauses: list = field(default_factory=list)
    #: For the academy's own addendum page: its text (no clauses).
    addendum_text: str = ""

    @property
    def label(self) -> str:
        if self.key == ADDENDUM_KEY:
            return self.title
        if self.key[:1].isdigit():
            return f"{self.key}. {self.title}"
        return f"Appendix {self.key}: {self.title}" if self.title else f"Appendix {self.key}"


def _page_key(number: str) -> str:
    section = section_of(number) or number
    # "A 1", "A 2" ... belong to the page of appendix "A".
    return section.split(" ")[0]


def sections_of(version: PolicyVersion, academy=None, clauses=None) -> list[Section]:
    """Reading pages for a person of this academy (its approved addendum is the last page)."""
    if clauses is None:
        clauses = list(Clause.objects.filter(version=version).order_by("order"))
    pages: dict[str, Section] = {}
    for clause in clauses:
        key = _page_key(clause.number)
        page = pages.get(key)
        if page is None:
            title = clause.heading or clause.text if clause.level == 0 else ""
            page = pages[key] = Section(key=key, index=len(pages) + 1, title=title[:120])
        page.clauses.append(clause)
    if academy is not None:
        from policies.selectors import approved_addendum

        addendum = approved_addendum(version, academy)
        if addendum is not None:
            pages[ADDENDUM_KEY] = Section(
                key=ADDENDUM_KEY, index=len(pages) + 1,
                title=f"{academy.name}: local arrangements", addendum_text=addendum.text,
            )
    return list(pages.values())


def section_for_clause(sections: list[Section], clause_number: str) -> Section | None:
    key = _page_key(clause_number)
    return next((s for s in sections if s.key == key), None)
