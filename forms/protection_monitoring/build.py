"""Build the protection-monitoring XLSForm (.xlsx) from its CSV sheets and convert it to an
XForm with pyxform: `python build.py OUT.xml` (the test compares OUT.xml with the form Kinga
ships, forms/protection_monitoring.xml)."""
import csv
import pathlib
import sys

import openpyxl
from pyxform.xls2xform import convert

HERE = pathlib.Path(__file__).parent


def build_xlsx(path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in ("survey", "choices", "settings"):
        ws = book.create_sheet(sheet)
        with open(HERE / f"{sheet}.csv", newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                ws.append(row)
    book.save(path)


def main():
    out = pathlib.Path(sys.argv[1])
    xlsx = out.with_suffix(".xlsx")
    build_xlsx(xlsx)
    result = convert(xlsform=str(xlsx), validate=False, pretty_print=True)
    out.write_text(result.xform, encoding="utf-8")


if __name__ == "__main__":
    main()
