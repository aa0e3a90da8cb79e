"""The PDF documents are tagged (RGAA 13.3), read back with pypdf: the receipt, the dossier and a
pack of dossiers say they are marked, have a structure tree whose parent tree resolves every
page's marked content, the language they are written in, their title (shown in the viewer's
title bar) and their bookmarks; a dossier with an untagged annex says so."""

import io

import pytest
from django.core.files.storage import storages
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from calls.interfaces import documents
from calls.interfaces.pdfmerge import StreamingPdfWriter
from tests.factories import SubmittedApplicationFactory


def read(pdf):
    return PdfReader(io.BytesIO(pdf))


def catalog(reader):
    return reader.trailer["/Root"]


def parent_tree(reader):
    tree = catalog(reader)["/StructTreeRoot"].get_object()
    nums = tree["/ParentTree"].get_object()["/Nums"]
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def elements_of(value):
    value = value.get_object()
    items = value if isinstance(value, ArrayObject) else [value]
    return [item.get_object() for item in items if isinstance(item, IndirectObject)]


def assert_tagged(reader, *, lang, title):
    root = catalog(reader)
    assert root["/MarkInfo"]["/Marked"] in (True, "true")
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == lang
    assert reader.metadata.title == title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    assert reader.outline, "bookmarks kept"


def assert_pages_resolve(reader, pages):
    """Each tagged page's key into the parent tree is its own, and finds elements of that
    page: the keys of the sources merged did not collide."""
    tree = parent_tree(reader)
    keys = []
    for index in pages:
        page = reader.pages[index]
        key = int(page["/StructParents"])
        keys.append(key)
        elements = [e for e in elements_of(tree[key]) if "/Pg" in e]
        assert elements, f"page {index} has no element"
        assert all(e.raw_get("/Pg").idnum == page.indirect_reference.idnum for e in elements)
    assert len(set(keys)) == len(keys)


def tagged_annex(pages=2):
    from weasyprint import HTML

    html = '<html lang="de"><title>Anhang</title><body>' + "".join(
        f'<h1 style="break-after: page">Seite {n}</h1>' for n in range(pages)
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def replace_file(attachment, data):
    storage = storages["private"]
    storage.delete(attachment.file.name)
    storage.save(attachment.file.name, io.BytesIO(data))


@pytest.mark.parametrize(("language", "title"), [("en", "Deposit receipt"), ("fr", "Récépissé")])
def test_the_receipt_is_tagged_in_the_language_it_is_written_in(db, language, title):
    application = SubmittedApplicationFactory()
    with translation.override(language):
        reader = read(documents.receipt_pdf(application))

    assert_tagged(reader, lang=language, title=reader.metadata.title)
    assert application.reference in reader.metadata.title
    if language == "en":
        assert reader.metadata.title.startswith(title)
    assert_pages_resolve(reader, range(len(reader.pages)))
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()


def test_the_dossier_is_tagged_with_its_language_title_and_bookmarks(db, settings):
    settings.LANGUAGE_CODE = "fr"
    application = SubmittedApplicationFactory()
    application.attachments.all().delete()
    reader = read(documents.dossier_bytes(application))

    assert_tagged(reader, lang="fr", title=documents.dossier_title(application))
    assert_pages_resolve(reader, range(len(reader.pages)))
    assert "/Suspects" not in catalog(reader)["/MarkInfo"]  # every page tagged
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()


def test_an_untagged_annex_is_appended_and_the_dossier_says_its_tags_are_partial(db, settings):
    settings.LANGUAGE_CODE = "en"
    application = SubmittedApplicationFactory()  # its annex: a plain PDF, untagged
    info = documents.dossier(application)
    reader = read(documents.dossier_bytes(application))

    assert_tagged(reader, lang="en", title=documents.dossier_title(application))
    assert_pages_resolve(reader, range(info.dossier_pages))
    annex = reader.pages[info.dossier_pages]
    assert "/StructParents" not in annex  # no key pointing at another page's elements
    assert catalog(reader)["/MarkInfo"]["/Suspects"] in (True, "true")
    assert reader.xmp_metadata is None  # does not claim PDF/UA


def test_a_tagged_annex_keeps_its_structure_under_a_part_in_its_language(db, settings):
    settings.LANGUAGE_CODE = "en"
    application = SubmittedApplicationFactory()
    attachment = application.attachments.get()
    replace_file(attachment, tagged_annex(2))
    info = documents.dossier(application)
    reader = read(documents.dossier_bytes(application))

    assert len(reader.pages) == info.dossier_pages + 2
    assert_pages_resolve(reader, range(len(reader.pages)))
    kids = [k.get_object() for k in catalog(reader)["/StructTreeRoot"]["/K"]]
    parts = [k for k in kids if k["/S"] == "/Part"]
    assert [(p["/T"], p["/Lang"]) for p in parts] == [(f"A1 — {attachment.original_name}", "de")]
    assert "/Suspects" not in catalog(reader)["/MarkInfo"]


def test_a_pack_keeps_the_tags_language_and_title_of_its_dossiers(db, settings):
    settings.LANGUAGE_CODE = "fr"
    applications = [SubmittedApplicationFactory(), SubmittedApplicationFactory()]
    for application in applications:
        application.attachments.all().delete()
    out = io.BytesIO()
    writer = StreamingPdfWriter(out, title="Pack of 2 dossiers")
    for application in applications:
        with documents.dossier(application).open() as fh:
            writer.add(fh, title=documents.dossier_title(application))
    writer.close()
    reader = read(out.getvalue())

    assert_tagged(reader, lang="fr", title="Pack of 2 dossiers")
    assert_pages_resolve(reader, range(len(reader.pages)))
    kids = [k.get_object() for k in catalog(reader)["/StructTreeRoot"]["/K"]]
    assert [k["/T"] for k in kids] == [documents.dossier_title(a) for a in applications]
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == [documents.dossier_title(a) for a in applications]


def test_an_untagged_source_drops_its_keys_into_the_parent_tree():
    from weasyprint import HTML

    untagged = HTML(string="<p>plain</p>").write_pdf()
    out = io.BytesIO()
    writer = StreamingPdfWriter(out, title="Mixed")
    writer.add(tagged_annex(1), title="Tagged")
    writer.add(untagged, title="Plain")
    writer.close()
    reader = read(out.getvalue())

    assert writer.untagged_pages == 1
    assert catalog(reader)["/Lang"] == "de"  # the first tagged source's
    assert isinstance(catalog(reader)["/MarkInfo"], DictionaryObject)
    assert "/StructParents" not in reader.pages[1]
    assert_pages_resolve(reader, [0])
