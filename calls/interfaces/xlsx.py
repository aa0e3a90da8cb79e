"""A streaming XLSX writer for the portal's tables: each sheet's XML is written row by row into
its deflated ZIP member, so memory stays flat and no cell object is built.

Measured on the 5,000-row export of applications (``bench/exports.py``), openpyxl's write-only
workbook spent about four seconds building a cell object, its style and its XML element per
value; this writer produces the same workbook (the same values, the header in bold, dates as
dates) in a fraction of it. It writes only what the exports need — text as inline strings,
numbers, booleans, dates and times, a bold header — in the minimal parts of the Office Open
XML format (ECMA-376): content types, relationships, workbook, styles, one part per sheet.
A value is never read as a formula: text is written as text (``tables.neutralise`` still
prefixes what a spreadsheet would run once the file is re-saved as CSV)."""

import datetime
import math
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

# Characters XML 1.0 forbids (control characters but tab, line feed and carriage return).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.datetime(1899, 12, 30)
# Cell styles (``cellXfs`` of ``styles.xml``): 1 bold, 2 a date, 3 a date and time.
BOLD, DATE, DATETIME = 1, 2, 3

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    f'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="' + _SML + '.worksheet+xml"/>'
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATION}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    _XML + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="' + _RELATION + '"><sheets>{sheets}</sheets></workbook>'
)
_WORKBOOK_RELS = (
    _XML + '<Relationships xmlns="' + _PACKAGE + '/relationships">{sheets}'
    '<Relationship Id="rIdStyles" Type="' + _RELATION + '/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_SHEET_RELATION = (
    '<Relationship Id="rId{n}" Type="' + _RELATION + '/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


def quoteattr_free(value):
    """``value`` escaped for a double-quoted XML attribute."""
    return escape(_ILLEGAL.sub("", value), {'"': "&quot;"})


def _text(value):
    return escape(_ILLEGAL.sub("", value))


def _serial(value):
    """The spreadsheet's number of days since 30 December 1899 (naive: local time)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        delta = value - _EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return (value - _EPOCH.date()).days


def _cell(ref, value, style=0):
    """The XML of one cell, or "" for an empty one."""
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    kind = type(value)
    if kind is str:
        return (
            f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(value)}</t></is></c>'
        )
    if kind is bool:
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if kind is int or (kind is float or kind is Decimal) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if kind is datetime.datetime:
        return f'<c r="{ref}" s="{style or DATETIME}"><v>{_serial(value)}</v></c>'
    if kind is datetime.date:
        return f'<c r="{ref}" s="{style or DATE}"><v>{_serial(value)}</v></c>'
    return _cell(ref, str(value), style)


def _sheet_xml(rows):
    """The sheet's XML, in pieces (one a row): the first row in bold."""
    yield _SHEET_START
    letters = []
    for number, row in enumerate(rows, start=1):
        row = list(row)
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        style = BOLD if number == 1 else 0
        cells = []
        for letter, value in zip(letters, row, strict=False):
            if value is None or value == "":
                cells.append(f'<c r="{letter}{number}"/>')  # keeps the row's width
            elif style == 0 and type(value) is str:  # the common case, inlined
                cells.append(
                    f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{escape(_ILLEGAL.sub('', value))}</t></is></c>"
                )
            else:
                cells.append(_cell(f"{letter}{number}", value, style))
        yield f'<row r="{number}">{"".join(cells)}</row>'
    yield _SHEET_END


def _sheet_names(titles):
    """Valid, distinct sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    names = []
    for title in titles:
        name = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"
        base, n = name, 2
        while name.lower() in {existing.lower() for existing in names}:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def write(sheets, fh, *, chunk=256):
    """``sheets``: ``[(title, rows)]``, each ``rows`` an iterable whose first row is the
    header; written into the binary file ``fh``, one sheet after the other, consumed once."""
    sheets = list(sheets)
    names = _sheet_names(title for title, _rows in sheets)
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n, (_title, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                pending = []
                for piece in _sheet_xml(rows):
                    pending.append(piece)
                    if len(pending) >= chunk:
                        part.write("".join(pending).encode("utf-8"))
                        pending = []
                part.write("".join(pending).encode("utf-8"))
        numbers = range(1, len(sheets) + 1)
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in numbers)),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            _WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{quoteattr_free(name)}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in zip(numbers, names, strict=True)
                )
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(sheets="".join(_SHEET_RELATION.format(n=n) for n in numbers)),
        )
        archive.writestr("xl/styles.xml", _STYLES)
