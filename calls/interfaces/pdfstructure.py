"""The structure tree (tags) of the PDF the streaming merger writes (``calls.interfaces.pdfmerge``).

A tagged source (WeasyPrint's PDF/UA output, ``/MarkInfo /Marked true``) keeps its structure
when it is appended: its structure elements are copied with its pages, its numbers in the
parent tree (the ``/StructParents`` of its pages, the ``/StructParent`` of its annotations) are
shifted after the previous sources', and its top elements go under the output's root — under a
``/Part`` of the source's title and language when it has a bookmark of its own. ``Structure``
holds what the output's tree needs until the writer closes: object numbers only, so memory
stays flat however many sources are appended.
"""

import io
from array import array

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

STRUCT_KEYS = ("/StructParents", "/StructParent")  # keys into the parent tree
XMP = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<rdf:Description rdf:about="" pdfuaid:part="1"/>
<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li>
</rdf:Alt></dc:title><dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="r"?>"""


def serialise(obj):
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


def tree_of(reader):
    """The source's structure tree root when it is tagged, else None."""
    try:
        catalog = reader.root_object
        mark = catalog.get("/MarkInfo")
        if not (isinstance(mark, DictionaryObject) and mark.get("/Marked") in (True, "true")):
            return None
        tree = catalog.get("/StructTreeRoot")
        tree = tree.get_object() if isinstance(tree, IndirectObject) else tree
        return tree if isinstance(tree, DictionaryObject) else None
    except Exception:  # a damaged catalogue: appended without its structure
        return None


def language_of(reader):
    lang = reader.root_object.get("/Lang")
    return str(lang) if isinstance(lang, str) and lang else ""


def number_tree(node, depth=0):
    """The (key, value) pairs of a PDF number tree (``/Nums``, through ``/Kids``)."""
    node = node.get_object() if isinstance(node, IndirectObject) else node
    if not isinstance(node, DictionaryObject) or depth > 32:
        return
    nums = node.get("/Nums")
    if isinstance(nums, ArrayObject):
        for i in range(0, len(nums) - 1, 2):
            if isinstance(nums[i], int):
                yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids") or []:
        yield from number_tree(kid, depth + 1)


class Structure:
    """The output's structure tree, built as tagged sources are appended."""

    def __init__(self, alloc):
        self._alloc = alloc
        self.root = 0  # object number, allocated with the first tagged source
        self.kids = array("q")  # the root's top elements
        self.keys = array("q")  # the parent tree: key -> object number
        self.values = array("q")
        self.next_key = 0
        self.role_map = {}

    def __bool__(self):
        return bool(self.kids)

    def prepare(self):
        if not self.root:
            self.root = self._alloc()

    def copy(self, reader, tree, title, numbers, ref, remap, objects):
        """Queue the structure elements of ``tree`` (through ``ref``/``remap`` of the page
        copy); new objects go into ``objects``. Returns what ``keep`` records."""
        parent = self.root
        kids = []
        if title:
            parent = self._alloc()
            kids.append(parent)
        if tree.indirect_reference is not None:  # the source's root: ours, or the part
            numbers[(tree.indirect_reference.idnum, tree.indirect_reference.generation)] = parent
        top = tree.get("/K")
        top = top if isinstance(top, ArrayObject) else [] if top is None else [top]
        top_refs = [remap(item) for item in top if isinstance(item, IndirectObject)]
        if title:
            part = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/StructElem"),
                    NameObject("/S"): NameObject("/Part"),
                    NameObject("/T"): TextStringObject(title),
                    NameObject("/P"): IndirectObject(self.root, 0, None),
                    NameObject("/K"): ArrayObject(top_refs),
                }
            )
            if language_of(reader):
                part[NameObject("/Lang")] = TextStringObject(language_of(reader))
            objects.append((parent, serialise(part)))
        else:
            kids.extend(r.idnum for r in top_refs)
        keys, values = [], []
        for key, value in number_tree(tree.get("/ParentTree")):
            keys.append(key)
            if isinstance(value, IndirectObject):
                values.append(ref(value).idnum)
            else:  # a page's marked contents: an array of elements, written as an object
                number = self._alloc()
                objects.append((number, serialise(remap(value))))
                values.append(number)
        return kids, keys, values

    def keep(self, tree, copied):
        """Record a source's copied structure; its keys are shifted by ``next_key``."""
        kids, keys, values = copied
        self.kids.extend(kids)
        self.keys.extend(key + self.next_key for key in keys)
        self.values.extend(values)
        declared = tree.get("/ParentTreeNextKey")
        declared = int(declared) if isinstance(declared, int) else 0
        self.next_key += max(declared, max(keys) + 1 if keys else 0)
        role_map = tree.get("/RoleMap")
        if isinstance(role_map, DictionaryObject):
            self.role_map.update((k, v) for k, v in role_map.items() if isinstance(v, str))

    def write(self, write, *, title, lang, untagged_pages):
        """Write the tree's root (``write(number, body)``); returns the catalogue's entries."""
        pairs = zip(self.keys, self.values, strict=True)
        nums = b" ".join(b"%d %d 0 R" % pair for pair in pairs)
        kids = b" ".join(b"%d 0 R" % n for n in self.kids)
        body = b"<< /Type /StructTreeRoot /K [%s] /ParentTree << /Nums [%s] >>" % (kids, nums)
        body += b" /ParentTreeNextKey %d" % self.next_key
        if self.role_map:
            role_map = {NameObject(k): NameObject(v) for k, v in self.role_map.items()}
            body += b" /RoleMap " + serialise(DictionaryObject(role_map))
        write(self.root, body + b" >>")
        entries = b" /StructTreeRoot %d 0 R /MarkInfo << /Marked true" % self.root
        entries += b" /Suspects true >>" if untagged_pages else b" >>"
        if not untagged_pages:  # every page tagged: it says it is PDF/UA
            entries += b" /Metadata %d 0 R" % self._write_xmp(write, title, lang)
        return entries

    def _write_xmp(self, write, title, lang):
        def escape(text):
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        data = XMP.format(title=escape(title or ""), lang=escape(lang or "x-default")).encode()
        number = self._alloc()
        head = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(data)
        write(number, head + data + b"\nendstream")
        return number
