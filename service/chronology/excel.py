"""Sheets of an Excel .xlsx: every sheet in order, its header row wherever it is (not only row 1).
Only cells with a value are visited (a sheet that reaches row 1,048,576 costs what its values
cost); a merged range gives its value to the cells below it in its first column (a date merged
over the rows of one day), not to the columns beside it; numbers in the date column are day
serials of the workbook's epoch (1900 or 1904). Cells above the header such as "Agency: Police"
name the agency."""

from __future__ import annotations

import warnings

from .dates import EXCEL_1900, EXCEL_1904
from .limits import MAX_COLUMNS, MAX_ROWS, ChronologyReadError, open_zip
from .tables import RawTable
from .word import agency_in

MAX_MERGED = 20_000


def read_excel_tables(data: bytes) -> list[RawTable]:
    import io

    open_zip(data)  # sizes checked before openpyxl expands anything
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not know
            wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False, keep_links=False)
    except ChronologyReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ChronologyReadError(f"not a readable Excel workbook ({type(exc).__name__})") from exc
    epoch = EXCEL_1904 if getattr(wb, "epoch", None) and wb.epoch.year == 1904 else EXCEL_1900
    tables: list[RawTable] = []
    total = 0
    for number, ws in enumerate(wb.worksheets, start=1):
        by_row: dict[int, dict[int, object]] = {}
        for (r, c), cell in ws._cells.items():  # only the cells the file holds
            if cell.value is None or c > MAX_COLUMNS:
                continue
            value = cell.value.strip() if isinstance(cell.value, str) else cell.value
            if value == "":
                continue
            by_row.setdefault(r, {})[c] = value
        total += len(by_row)
        if total > MAX_ROWS:
            raise ChronologyReadError(f"more than {MAX_ROWS} rows with something in them")
        table = RawTable(f"sheet '{ws.title}'", [], serial_epoch=epoch)
        ranges = list(ws.merged_cells.ranges)
        if len(ranges) > MAX_MERGED:
            raise ChronologyReadError(f"more than {MAX_MERGED} merged ranges in sheet {number}")  # a title may name someone
        for rng in ranges:
            top = by_row.get(rng.min_row, {}).get(rng.min_col)
            if top is None:
                continue
            for r in by_row:  # only rows that hold something: a range merged down the sheet costs nothing
                if rng.min_row < r <= rng.max_row and rng.min_col not in by_row[r]:
                    by_row[r][rng.min_col] = top
                    table.merged_down.add((r, rng.min_col - 1))
        for r in sorted(by_row):
            row = by_row[r]
            cells = [None] * max(row)
            for c, v in row.items():
                cells[c - 1] = v
            table.rows.append((r, cells))
        for _, cells in table.rows[:15]:
            for v in cells:
                if isinstance(v, str) and agency_in(v):
                    table.agency_hint = agency_in(v)
                    break
            if table.agency_hint:
                break
        tables.append(table)
    wb.close()
    return tables
