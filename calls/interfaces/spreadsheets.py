"""Writing a table as CSV or XLSX, the same way for every export of the portal: CSV for the
spreadsheets used in France (UTF-8 with a byte order mark, semicolons), XLSX streamed with
openpyxl's write-only workbook (constant memory); every value neutralised so that a
spreadsheet never runs it as a formula (``tables.neutralise``)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .tables import FORMULA_PREFIXES, neutralise


def write_csv(rows, fh):
    """``rows`` (the header first) into the binary file ``fh``."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    prefixes = frozenset(FORMULA_PREFIXES)
    for row in rows:  # neutralise(), inlined: it is asked of every cell (most are empty)
        writer.writerow(
            [
                "'" + value if value and isinstance(value, str) and value[0] in prefixes else value
                for value in row
            ]
        )
    text.flush()
    text.detach()


def write_xlsx(rows, fh, *, title):
    """``rows`` (the header first, in bold) into the binary file ``fh``, one sheet."""
    write_xlsx_sheets([(title, rows)], fh)


def write_xlsx_sheets(sheets, fh):
    """Several sheets into the binary file ``fh``: ``[(title, rows)]``, each ``rows`` the
    header first (in bold), consumed one sheet after the other."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        rows = iter(rows)
        header = []
        for value in next(rows, []):
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            # Plain values, the fast path of the write-only sheet: openpyxl reads a text
            # starting with "=" as a formula, and ``neutralise`` leaves none that does.
            sheet.append([neutralise(value) for value in row])
    workbook.save(fh)
