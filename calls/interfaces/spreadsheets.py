"""Writing a table as CSV or XLSX, the same way for every export of the portal: CSV for the
spreadsheets used in France (UTF-8 with a byte order mark, semicolons), XLSX streamed row by
row (``xlsx``: constant memory); every value neutralised so that a
spreadsheet never runs it as a formula (``tables.neutralise``)."""

import csv
import io

from . import xlsx
from .tables import FORMULA_PREFIXES


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
    header first (in bold), consumed one sheet after the other (``xlsx.write``, streamed)."""
    xlsx.write([(title, _neutralised(rows)) for title, rows in sheets], fh)


def _neutralised(rows):
    prefixes = frozenset(FORMULA_PREFIXES)
    for row in rows:  # neutralise(), inlined as in ``write_csv``
        yield [
            "'" + value if value and isinstance(value, str) and value[0] in prefixes else value
            for value in row
        ]
