"""Reading pages as a person or a screen reader does: an element by id, the error a field's
``aria-describedby`` points to, the rows of a table, the messages shown."""

from dataclasses import dataclass
from html.parser import HTMLParser

from django.contrib.messages import get_messages


@dataclass
class Element:
    attrs: dict
    text: str


class _ElementFinder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}

    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.found = []
        self.depth = 0
        self.text = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in self.VOID
            return
        attrs = {name: value or "" for name, value in attrs}
        if attrs.get("id") == self.element_id:
            self.found.append(attrs)
            if tag not in self.VOID:
                self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def element(response_or_html, element_id):
    """The element with ``element_id`` (its attributes and whitespace-normalised text), or
    None. Fails when the id is used twice, since labels and ARIA references would break."""
    html = getattr(response_or_html, "content", response_or_html)
    if isinstance(html, bytes):
        html = html.decode()
    finder = _ElementFinder(element_id)
    finder.feed(html)
    assert len(finder.found) <= 1, f"id {element_id!r} appears {len(finder.found)} times"
    if not finder.found:
        return None
    return Element(finder.found[0], " ".join("".join(finder.text).split()))


def error_next_to(response, field_id):
    """The text of the error the field's ``aria-describedby`` points to, or None."""
    field = element(response, field_id)
    assert field is not None, f"no element with id {field_id!r}"
    for described_by in field.attrs.get("aria-describedby", "").split():
        if described_by.endswith("_error"):
            target = element(response, described_by)
            return target.text if target else None
    return None


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response):
    """The rows of the page's first table as dicts keyed by the column headers."""
    parser = _TableParser()
    parser.feed(response.content.decode())
    header, *rows = parser.rows
    return [dict(zip(header, row, strict=False)) for row in rows]


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def message_levels(response):
    return [m.level_tag for m in get_messages(response.wsgi_request)]
