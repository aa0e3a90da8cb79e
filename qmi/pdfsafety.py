"""Uploaded PDFs made inert before anyone else opens them.

A PDF can carry programs and files: JavaScript run when it opens or when a page, a link or a
form field is touched; a *launch* action that starts a program; embedded files; XFA forms with
their scripts. A juror opening a dossier, or staff a pack, must run none of that. The portal
keeps the pages and removes the rest, at upload (``neutralise``), so that every dossier, pack
and download includes only the inert file.

Rules, applied to every object of the document (pages, annotations, outline, form fields,
name trees, however deeply nested):

- an action that runs or opens something (``/S`` JavaScript, Launch, SubmitForm, ImportData,
  ResetForm, GoToE, GoToR, Rendition, RichMediaExecute, Sound, Movie, Hide, SetOCGState) is
  emptied; navigation (GoTo, named pages) and web links (URI) are kept;
- additional actions (``/AA``: on open, on close, on a page, on a field) are removed, and the
  document's ``/OpenAction`` unless it is a plain destination;
- the document's JavaScript and embedded-files name trees, file attachments' files (``/EF``)
  and XFA forms are removed.

``threats(data)`` lists what a file still carries; the tests read the output back with it.
"""

import io
import logging

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/ResetForm",
    "/GoToE",
    "/GoToR",
    "/Rendition",
    "/RichMediaExecute",
    "/Sound",
    "/Movie",
    "/Hide",
    "/SetOCGState",
}
REMOVED_KEYS = {"/AA", "/JS", "/EF", "/XFA", "/EmbeddedFiles", "/JavaScript", "/RichMediaContent"}


def _children(obj):
    if isinstance(obj, DictionaryObject):
        return list(obj.values())
    if isinstance(obj, ArrayObject):
        return list(obj)
    return []


def _walk(root):
    """Every dictionary reachable from ``root``, each once (indirect references followed)."""
    seen = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = obj.idnum
            if key in seen:
                continue
            seen.add(key)
            obj = _resolve(obj)
        if isinstance(obj, DictionaryObject):
            yield obj
        stack.extend(_children(obj))


def _resolve(reference):
    try:
        return reference.get_object()
    except (KeyError, ValueError, OSError):  # a dangling reference: nothing to reach there
        logger.debug("Dangling reference %s", reference)
        return None


def _opens_actively(dictionary):
    """A document that does something when opened, other than show a page."""
    opener = dictionary.get("/OpenAction")
    if opener is None or dictionary.get("/Type") != "/Catalog":
        return False
    return not isinstance(
        _resolve(opener) if isinstance(opener, IndirectObject) else opener, ArrayObject
    )


def _is_active(action):
    return isinstance(action, DictionaryObject) and action.get("/S") in ACTIVE_ACTIONS


def _clean(dictionary):
    """Remove from one dictionary what can run or hold a file; answers what was removed."""
    removed = []
    if _is_active(dictionary):
        removed.append(str(dictionary.get("/S")))
        for key in list(dictionary.keys()):
            del dictionary[key]
        return removed
    for key in REMOVED_KEYS & set(dictionary.keys()):
        removed.append(key)
        del dictionary[key]
    if _opens_actively(dictionary):
        removed.append("/OpenAction")
        del dictionary["/OpenAction"]
    if dictionary.get("/Subtype") == "/FileAttachment" and "/FS" in dictionary:
        removed.append("/FileAttachment")
        del dictionary["/FS"]
    return removed


def threats(data):
    """What the PDF ``data`` still carries that could run or open something (names of keys
    and actions); empty for an inert file."""
    reader = PdfReader(io.BytesIO(data))
    found = []
    for dictionary in _walk(reader.trailer.get("/Root")):
        if _is_active(dictionary):
            found.append(str(dictionary.get("/S")))
        found.extend(key for key in REMOVED_KEYS if key in dictionary)
        if _opens_actively(dictionary):
            found.append("/OpenAction")
        if dictionary.get("/Subtype") == "/FileAttachment" and "/FS" in dictionary:
            found.append("/FileAttachment")
    return found


def neutralise(data):
    """The PDF ``data`` without anything that runs or holds a file: ``(bytes, removed)``.
    A file that carries nothing is returned as it is (the same bytes)."""
    if not threats(data):
        return data, []
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    removed = []
    for dictionary in list(_walk(writer._root_object.indirect_reference)):
        removed.extend(_clean(dictionary))
    names = writer._root_object.get("/Names")
    if isinstance(names, DictionaryObject):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            names.pop(NameObject(key), None)
    output = io.BytesIO()
    writer.write(output)
    logger.info("Neutralised an uploaded PDF: removed %s", sorted(set(removed)))
    return output.getvalue(), removed
