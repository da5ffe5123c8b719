"""Reading a page's HTML in tests: elements by id or name, their attributes and text."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    children: list = field(default_factory=list)
    text_parts: list = field(default_factory=list)

    def text(self) -> str:
        parts = list(self.text_parts)
        for child in self.children:
            parts.append(child.text())
        return " ".join(" ".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs},
                          parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {k: (v if v is not None else "") for k, v in attrs},
                    parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text_parts.append(data)


class Page:
    def __init__(self, html: str):
        builder = _Builder()
        builder.feed(html)
        self.root = builder.root
        self.elements = list(self.root.iter())

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == element_id), None)

    def controls(self, name: str) -> list[Element]:
        return [e for e in self.elements
                if e.tag in ("input", "textarea", "select") and e.attrs.get("name") == name]

    def ids(self) -> list[str]:
        return [e.attrs["id"] for e in self.elements if e.attrs.get("id")]

    def kept(self, name: str):
        """What a control named `name` shows: its text, its chosen options, its ticked boxes."""
        controls = self.controls(name)
        assert controls, f"no control named {name!r} on the page"
        first = controls[0]
        if first.tag == "textarea":
            return first.text_parts and "".join(first.text_parts).strip()
        if first.tag == "select":
            return [o.attrs.get("value") for o in first.iter()
                    if o.tag == "option" and "selected" in o.attrs]
        if first.attrs.get("type") in ("radio", "checkbox"):
            return [c.attrs.get("value", "on") for c in controls if "checked" in c.attrs]
        return first.attrs.get("value", "")
