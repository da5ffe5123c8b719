"""The reading pages of a version: one page per numbered section, the appendix as one page.

The server records each page it serves to a person (`SectionView`); acknowledging is refused
until every page of the version was served to them.
"""

from dataclasses import dataclass, field

from core.caching import read_through
from policies.models import Clause, PolicyVersion
from policies.parsing import section_of

ADDENDUM_KEY = "addendum"
#: How long the pages of a published (immutable) version stay in the shared cache.
PAGES_CACHE_SECONDS = 24 * 3600


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


def _pages_cache_key(version: PolicyVersion) -> str:
    return f"ack:pages:v1:{version.pk}:{version.content_hash}"


def _clause_pages(clauses) -> list[Section]:
    pages: dict[str, Section] = {}
    for clause in clauses:
        key = _page_key(clause.number)
        page = pages.get(key)
        if page is None:
            title = clause.heading or clause.text if clause.level == 0 else ""
            page = pages[key] = Section(key=key, index=len(pages) + 1, title=title[:120])
        page.clauses.append(clause)
    return list(pages.values())


def _read_pages(version: PolicyVersion) -> list[Section]:
    return _clause_pages(Clause.objects.filter(version=version).order_by("order"))


def version_pages(version: PolicyVersion) -> list[Section]:
    """The reading pages of a version's clauses (no addendum), in order. Do not change them.

    The text of a version that has been published (or superseded, or withdrawn) never changes
    (model layer and database triggers), so its pages are kept in the shared cache, keyed by
    the version and its content hash, and on the version object for the rest of the request.
    A version still in progress is always read from the database.
    """
    immutable = version.status in PolicyVersion.READABLE and bool(version.content_hash)
    if not immutable:
        return _read_pages(version)
    held = getattr(version, "_ack_pages", None)
    if held is not None:
        return held
    pages = read_through(_pages_cache_key(version), lambda: _read_pages(version),
                         PAGES_CACHE_SECONDS)
    version._ack_pages = pages
    return pages


def version_clauses(version: PolicyVersion) -> list[Clause]:
    """The clauses of a version, in order (from `version_pages`)."""
    return [clause for page in version_pages(version) for clause in page.clauses]


def addendum_for(version: PolicyVersion, academy):
    """The approved addendum this academy's staff read with the version (academy or its pk)."""
    if academy is None:
        return None
    from policies.selectors import approved_addendum

    return approved_addendum(version, academy)


def sections_of(version: PolicyVersion, academy=None, clauses=None,
                addendum=...) -> list[Section]:
    """Reading pages for a person of this academy (its approved addendum is the last page).

    ``academy`` may be an Academy or its pk. A caller that already looked up the approved
    addendum (``addendum_for``) passes it, even None, to save the query.
    """
    pages = _clause_pages(clauses) if clauses is not None else list(version_pages(version))
    if addendum is ...:
        addendum = addendum_for(version, academy)
    if academy is not None and addendum is not None:
        name = academy.name if hasattr(academy, "name") else addendum.academy.name
        pages.append(Section(
            key=ADDENDUM_KEY, index=len(pages) + 1,
            title=f"{name}: local arrangements", addendum_text=addendum.text,
        ))
    return pages


def section_for_clause(sections: list[Section], clause_number: str) -> Section | None:
    key = _page_key(clause_number)
    return next((s for s in sections if s.key == key), None)
