"""The streaming XLSX writer of the exports: what a spreadsheet reads back is what was written
(text, numbers, booleans, dates, empty cells, wide rows), the header in bold, several sheets
with valid distinct names, and no formula."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from calls.interfaces import xlsx
from calls.interfaces.spreadsheets import write_xlsx, write_xlsx_sheets


def read(fh):
    fh.seek(0)
    return load_workbook(fh)


def test_values_come_back_as_written():
    when = datetime.datetime(2024, 1, 12, 12, 30, 5)
    rows = [
        ["Text", "Number", "Decimal", "Float", "Yes", "Day", "Instant", "Empty", "None"],
        [
            'A & B <c> "d"',
            42,
            Decimal("3.50"),
            0.25,
            True,
            datetime.date(2024, 3, 31),
            when,
            "",
            None,
        ],
        ["  spaces kept  ", -1, Decimal("0"), 1e-3, False, None, None, "x", "line\nbreak"],
    ]
    fh = io.BytesIO()

    write_xlsx(rows, fh, title="Applications")

    sheet = read(fh)["Applications"]
    values = list(sheet.values)
    assert values[1][:7] == (
        'A & B <c> "d"',
        42,
        3.5,
        0.25,
        True,
        datetime.datetime(2024, 3, 31),
        when,
    )
    assert values[1][7:] == (None, None)
    assert values[2] == ("  spaces kept  ", -1, 0, 0.001, False, None, None, "x", "line\nbreak")
    assert all(cell.font.b for cell in sheet[1]) and not sheet["A2"].font.b
    assert sheet["F2"].number_format == "mm-dd-yy" and sheet["G2"].is_date


def test_control_characters_are_dropped_and_formulas_stay_text():
    fh = io.BytesIO()

    write_xlsx([["h"], ["bell\x07 and\x00 null"], ["=1+1"], ["@SUM(A1)"]], fh, title="T")

    values = [row[0] for row in read(fh)["T"].values]
    assert values == ["h", "bell and null", "'=1+1", "'@SUM(A1)"]


def test_wide_rows_and_several_sheets_with_valid_names():
    wide = [[f"c{n}" for n in range(60)], list(range(60))]
    fh = io.BytesIO()

    write_xlsx_sheets([("Grid: a/b", wide), ("Grid: a/b", [["x"]]), ("x" * 40, [["y"]])], fh)

    book = read(fh)
    assert book.sheetnames == ["Grid  a b", "Grid  a b (2)", "x" * 31]
    first = book.worksheets[0]
    assert first["BH1"].value == "c59" and first["BH2"].value == 59


def test_sheet_names_are_distinct_whatever_the_case():
    assert xlsx._sheet_names(["Sides", "sides", "SIDES"]) == ["Sides", "sides (2)", "SIDES (3)"]
