"""The reading pages of a version: one page per numbered section, the appendix as one page.

The server records each page it serves to a person (`SectionView`); acknowledging is refused
until every page of the version was served to them.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from policies import textcache
from policies.models import Clause, PolicyVersion
from policies.parsing import section_of

ADDENDUM_KEY = "addendum"
#: How long the pages of a published (immutable) version stay in the shared cache.
PAGES_CACHE_SECONDS = 24 * 3600
#: The columns of a clause kept with its page (plain tuples in the cache).
CLAUSE_COLUMNS = ("id", "number", "anchor", "heading", "text", "level", "order", "parent_id")


class Section:
    """One reading page: its key, 1-based page number, title, clauses and their HTML.

    The clauses are kept as plain rows (``CLAUSE_COLUMNS``) and made into `Clause` objects
    only when asked for; the page's HTML is rendered once (and cached with the page)."""

    def __init__(self, key: str, index: int, title: str, clauses: list | None = None,
                 addendum_text: str = "", rows: list | None = None, html: str | None = None):
        self.key, self.index, self.title = key, index, title
        #: For the academy's own addendum page: its text (no clauses).
        self.addendum_text = addendum_text
        self._clauses = clauses
        self.rows = rows if rows is not None else (
            [tuple(getattr(c, name) for name in CLAUSE_COLUMNS) for c in clauses]
            if clauses else [])
        self._html = html

    def __repr__(self) -> str:
        return f"Section({self.key!r}, {self.index}, {self.title!r})"

    @property
    def clauses(self) -> list[Clause]:
        if self._clauses is None:
            self._clauses = [Clause(**dict(zip(CLAUSE_COLUMNS, row, strict=True)))
                             for row in self.rows]
        return self._clauses

    @property
    def html(self) -> str:
        """The clauses of the page as HTML (our own template output, escaped when rendered)."""
        if self._html is None:
            self._html = (render_to_string("acknowledgements/_clauses.html",
                                           {"clauses": self.clauses}) if self.rows else "")
        return mark_safe(self._html)  # noqa: S308 (escaped by the template)

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


def pages_cache_key(version: PolicyVersion) -> str:
    return f"ack:pages:v3:{version.pk}:{version.content_hash}"


def _clause_pages(clauses) -> list[Section]:
    grouped: dict[str, tuple[str, list]] = {}
    for clause in clauses:
        key = _page_key(clause.number)
        page = grouped.get(key)
        if page is None:
            title = clause.heading or clause.text if clause.level == 0 else ""
            page = grouped[key] = (title[:120], [])
        page[1].append(clause)
    return [Section(key=key, index=index, title=title, clauses=page_clauses)
            for index, (key, (title, page_clauses)) in enumerate(grouped.items(), start=1)]


def _read_pages(version: PolicyVersion) -> list[Section]:
    return _clause_pages(Clause.objects.filter(version=version).order_by("order"))


def _pages_data(version: PolicyVersion) -> list[tuple]:
    """The pages of an immutable version as plain data, with their HTML (cached as is)."""
    # "".join: a plain str (a SafeString pickles with its class).
    return [(page.key, page.title, page.rows, "".join([page.html]))
            for page in _read_pages(version)]


def _pages_from(data: list[tuple]) -> list[Section]:
    return [Section(key=key, index=index, title=title, rows=rows, html=html)
            for index, (key, title, rows, html) in enumerate(data, start=1)]


def version_immutable(version: PolicyVersion) -> bool:
    """Published (or superseded, or withdrawn): its clauses can never change again."""
    return version.status in PolicyVersion.READABLE and bool(version.content_hash)


def pages_entry(version: PolicyVersion):
    """The `textcache.read_many` entry of an immutable version's pages (plain data)."""
    return (pages_cache_key(version), lambda: _pages_data(version), False)


def hold_pages(version: PolicyVersion, data: list[tuple]) -> list[Section]:
    """Pages from their cached data, kept on the version object for the rest of the request."""
    version._ack_pages = _pages_from(data)
    return version._ack_pages


def version_pages(version: PolicyVersion) -> list[Section]:
    """The reading pages of a version's clauses (no addendum), in order. Do not change them.

    The text of a version that has been published (or superseded, or withdrawn) never changes
    (model layer and database triggers), so its pages are kept in the shared cache as plain
    data with their HTML, keyed by the version and its content hash, and on the version object
    for the rest of the request. A version still in progress is always read from the database.
    """
    if not version_immutable(version):
        return _read_pages(version)
    held = getattr(version, "_ack_pages", None)
    if held is not None:
        return held
    [data] = textcache.read_many([pages_entry(version)], PAGES_CACHE_SECONDS)
    return hold_pages(version, data)


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
