"""Concatenate PDF documents into one file, streaming to disk, with nested bookmarks.

``pypdf.PdfWriter`` keeps the whole output in memory until it writes it; a pack of 500 dossiers
would then grow with every dossier. ``StreamingPdfWriter`` instead copies each source's pages
and what they use (fonts, images, annotations) as soon as the source is added, renumbered, and
keeps only object offsets, page ids and the bookmark tree until ``close()`` writes the page
tree, the outline, the catalogue and the cross-reference table.

A source that cannot be read is refused whole (``PdfMergeError``) and leaves nothing behind in
the output, so a corrupt or encrypted annex never breaks the document it is appended to.

A tagged source (WeasyPrint's PDF/UA output) keeps its structure (``calls.interfaces.
pdfstructure``); ``close()`` writes one structure tree, ``/MarkInfo``, the language (``lang``,
else the first source's) and says to show the title in the viewer's title bar. An untagged
source (a scanned annex) is appended without structure: its pages are counted in
``untagged_pages`` and the output, marked ``/Suspects``, does not claim PDF/UA.
"""

import io
from array import array
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from calls.interfaces.pdfstructure import (
    STRUCT_KEYS,
    Structure,
    language_of,
    serialise,
    tree_of,
)

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


class PdfMergeError(Exception):
    """A source PDF that cannot be appended; the message says why, for people."""


@dataclass
class OutlineNode:
    title: str
    page_index: int  # index of the page in the output
    top: float | None = None
    children: list = field(default_factory=list)
    open: bool = False


def open_pdf(source):
    """A ``PdfReader`` for ``source`` (path, bytes or file), decrypted when an empty user
    password opens it. Raises ``PdfMergeError`` when it is not a readable, openable PDF."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfMergeError("encrypted")
        if len(reader.pages) == 0:
            raise PdfMergeError("no page")
    except PdfMergeError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on a damaged file
        raise PdfMergeError("unreadable") from exc
    return reader


class StreamingPdfWriter:
    """Write PDF sources one after the other into ``fh`` (a seekable binary file)."""

    def __init__(self, fh, *, title="", lang=""):
        self._fh = fh
        self._base = fh.tell()
        self._offsets = array("q", [0])  # by object number; 0 = not written
        self._catalog = self._alloc()
        self._pages = self._alloc()
        self._page_ids = array("q")
        self.outline: list[OutlineNode] = []
        self.title = title
        self.lang = lang
        self.untagged_pages = 0
        self._structure = Structure(self._alloc)
        fh.write(HEADER)

    @property
    def page_count(self):
        return len(self._page_ids)

    def _alloc(self):
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _write(self, number, body):
        self._offsets[number] = self._fh.tell() - self._base
        self._fh.write(b"%d 0 obj\n" % number)
        self._fh.write(body)
        self._fh.write(b"\nendobj\n")

    def add_outline(self, title, *, page_index=None, parent=None, open=False):
        """A bookmark at ``page_index`` (default: the next page added), under ``parent``."""
        node = OutlineNode(
            title=title,
            page_index=self.page_count if page_index is None else page_index,
            open=open,
        )
        (parent.children if parent else self.outline).append(node)
        return node

    def add(self, source, *, title=None, parent=None, import_outline=True):
        """Append every page of ``source``; returns the number of pages appended.

        With ``title``, one bookmark at its first page holds the source's own bookmarks;
        otherwise they are put under ``parent`` (or at the top). Raises ``PdfMergeError``
        when the source cannot be appended, having written nothing.
        """
        reader = source if isinstance(source, PdfReader) else open_pdf(source)
        tree = tree_of(reader)
        if tree is not None:
            self._structure.prepare()
        first_page = self.page_count
        first_number = len(self._offsets)
        try:
            try:
                objects, page_numbers, tagged = self._copy(reader, tree, title)
            except Exception:
                if tree is None:
                    raise
                del self._offsets[first_number:]  # a structure we cannot follow: pages only
                tree = None
                objects, page_numbers, tagged = self._copy(reader, None, title)
            outline = self._import_outline(reader, first_page) if import_outline else []
        except PdfMergeError:
            del self._offsets[first_number:]
            raise
        except Exception as exc:
            del self._offsets[first_number:]
            raise PdfMergeError("unreadable") from exc
        for number, body in objects:
            self._write(number, body)
        self._page_ids.extend(page_numbers)
        if tree is None:
            self.untagged_pages += len(page_numbers)
        else:
            self._structure.keep(tree, tagged)
            self.lang = self.lang or language_of(reader)
        if title:
            node = self.add_outline(title, page_index=first_page, parent=parent)
            node.children.extend(outline)
        else:
            (parent.children if parent else self.outline).extend(outline)
        return len(page_numbers)

    def _copy(self, reader, tree, title):
        """Serialise the pages of ``reader`` and all they refer to, renumbered, with the
        elements of its structure ``tree`` if any; returns (objects, page numbers, tags)."""
        numbers = {}
        offset = self._structure.next_key  # its keys into the parent tree come after ours

        def struct_key(value):
            return NumberObject(int(value) + offset)

        queue = []
        pages = list(reader.pages)
        flattened = {}
        for page in pages:
            if page.indirect_reference is None:
                raise PdfMergeError("unreadable")
            flattened[page.indirect_reference.idnum] = page

        def ref(indirect):
            key = (indirect.idnum, indirect.generation)
            if key not in numbers:
                numbers[key] = self._alloc()
                queue.append(indirect)
            return IndirectObject(numbers[key], 0, None)

        def remap(obj, *, is_page=False):
            if isinstance(obj, IndirectObject):
                return ref(obj)
            if isinstance(obj, StreamObject):
                copy = StreamObject()
                copy._data = obj._data
                for key, value in dict.items(obj):
                    if key in STRUCT_KEYS:
                        if tree is not None:
                            copy[key] = struct_key(value)
                    elif key != "/Length":
                        copy[key] = remap(value)
                return copy
            if isinstance(obj, DictionaryObject):
                copy = DictionaryObject()
                for key, value in dict.items(obj):
                    if is_page and key == "/Parent":
                        continue
                    if key in STRUCT_KEYS:  # shifted, or dropped with the structure
                        if tree is not None:
                            copy[key] = struct_key(value)
                        continue
                    copy[key] = remap(value)
                if is_page:
                    copy[NameObject("/Parent")] = IndirectObject(self._pages, 0, None)
                return copy
            if isinstance(obj, ArrayObject):
                return ArrayObject(remap(item) for item in obj)
            return obj

        page_numbers = [ref(page.indirect_reference).idnum for page in pages]
        objects = []
        tagged = None
        if tree is not None:
            tagged = self._structure.copy(reader, tree, title, numbers, ref, remap, objects)
        while queue:
            indirect = queue.pop()
            number = numbers[(indirect.idnum, indirect.generation)]
            page = flattened.get(indirect.idnum)
            if page is not None:
                copy = remap(page, is_page=True)
            else:
                obj = indirect.get_object()
                if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Pages":
                    copy = NullObject()  # the source's page tree: replaced by ours
                else:
                    copy = remap(obj if obj is not None else NullObject())
            objects.append((number, serialise(copy)))
        objects.sort()
        return objects, page_numbers, tagged

    def _import_outline(self, reader, first_page):
        def convert(items):
            nodes = []
            for item in items:
                if isinstance(item, list):
                    if nodes:
                        nodes[-1].children.extend(convert(item))
                    continue
                index = reader.get_destination_page_number(item)
                if index is None or index < 0:
                    continue
                top = getattr(item, "top", None)
                nodes.append(
                    OutlineNode(
                        title=str(item.title or ""),
                        page_index=first_page + index,
                        top=float(top) if isinstance(top, int | float) else None,
                    )
                )
            return nodes

        try:
            return convert(reader.outline)
        except Exception:  # a damaged outline costs the bookmarks, not the pages
            return []

    # --- closing -------------------------------------------------------------------------

    def _write_outline(self):
        if not any(n.page_index < self.page_count for n in self.outline):
            return None
        root = self._alloc()
        first, last, count = self._write_items(self.outline, root)
        body = io.BytesIO()
        body.write(
            b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, count)
        )
        self._write(root, body.getvalue())
        return root

    def _write_items(self, nodes, parent):
        """Write ``nodes`` as siblings under ``parent``; returns (first, last, visible count)."""
        nodes = [n for n in nodes if n.page_index < self.page_count]
        numbers = [self._alloc() for _ in nodes]
        visible = len(nodes)
        for i, (node, number) in enumerate(zip(nodes, numbers, strict=True)):
            entries = {
                "/Title": TextStringObject(node.title),
                "/Parent": IndirectObject(parent, 0, None),
            }
            page = self._page_ids[node.page_index]
            top = "null" if node.top is None else f"{node.top:.2f}"
            parts = [f"/Dest [{page} 0 R /XYZ null {top} null]".encode()]
            if i > 0:
                parts.append(b"/Prev %d 0 R" % numbers[i - 1])
            if i < len(nodes) - 1:
                parts.append(b"/Next %d 0 R" % numbers[i + 1])
            children = [c for c in node.children if c.page_index < self.page_count]
            if children:
                first, last, count = self._write_items(node.children, number)
                shown = count if node.open else -len(children)
                parts.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (first, last, shown))
                if node.open:
                    visible += count
            body = io.BytesIO()
            body.write(b"<< ")
            for key, value in entries.items():
                body.write(key.encode() + b" ")
                value.write_to_stream(body)
                body.write(b" ")
            body.write(b" ".join(parts))
            body.write(b" >>")
            self._write(number, body.getvalue())
        return numbers[0], numbers[-1], visible

    def close(self):
        """Write the page tree, bookmarks, catalogue and cross-reference table."""
        if not self._page_ids:
            raise PdfMergeError("no page")
        kids = b" ".join(b"%d 0 R" % n for n in self._page_ids)
        self._write(
            self._pages,
            b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self._page_ids), kids),
        )
        outline = self._write_outline()
        catalog = b"<< /Type /Catalog /Pages %d 0 R" % self._pages
        if outline:
            catalog += b" /Outlines %d 0 R /PageMode /UseOutlines" % outline
        catalog += b" /ViewerPreferences << /DisplayDocTitle true >>"
        if self.lang:
            catalog += b" /Lang " + serialise(TextStringObject(self.lang))
        if self._structure:
            catalog += self._structure.write(
                self._write, title=self.title, lang=self.lang, untagged_pages=self.untagged_pages
            )
        self._write(self._catalog, catalog + b" >>")
        info = self._alloc()
        body = io.BytesIO()
        body.write(b"<< /Producer (QMI portal) /Title ")
        TextStringObject(self.title or "").write_to_stream(body)
        body.write(b" >>")
        self._write(info, body.getvalue())
        xref = self._fh.tell() - self._base
        size = len(self._offsets)
        out = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for offset in self._offsets[1:]:
            out.append(b"%010d 00000 n \n" % offset if offset else b"0000000000 65535 f \n")
        out.append(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, self._catalog, info, xref)
        )
        self._fh.write(b"".join(out))
