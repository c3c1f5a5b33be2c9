"""Read a Kinga export with the ecosystem's own library and print what it found as JSON.

usage: exports_check.py csv|geojson|xlsx|incidents-geojson FILE
- csv: libhxl reads the file (header row, then HXL hashtags) and reports the hashtags it
  recognised (tag, attributes) and the number of data rows;
- geojson: the `geojson` package parses it; reports its type, validity, the number of
  features and how many have no geometry;
- xlsx: openpyxl opens it; reports every row's values.
"""
import json
import sys

kind, path = sys.argv[1], sys.argv[2]
if kind == "csv":
    import hxl

    data = hxl.data(path, hxl.InputOptions(allow_local=True)).cache()
    rows = list(data)
    print(json.dumps({
        "tags": [c.tag for c in data.columns],
        "display_tags": [c.display_tag for c in data.columns],
        "headers": [c.header for c in data.columns],
        "rows": len(rows),
        "threats": sorted({r.get("#event+type") or "" for r in rows}),
        "adm1": sorted({r.get("#adm1+code") or "" for r in rows}),
    }))
elif kind == "geojson":
    import geojson

    with open(path, encoding="utf-8") as f:
        fc = geojson.load(f)
    print(json.dumps({
        "type": fc["type"],
        "valid": fc.is_valid,
        "errors": fc.errors(),
        "features": len(fc["features"]),
        "null_geometry": sum(1 for x in fc["features"] if x["geometry"] is None),
        "points": sum(1 for x in fc["features"] if x["geometry"] and x["geometry"]["type"] == "Point"),
        "references": sorted(x["properties"]["reference"] for x in fc["features"]),
    }))
elif kind == "xlsx":
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    print(json.dumps({"sheet": ws.title, "rows": rows}, default=str))
elif kind == "incidents-geojson":
    import geojson

    with open(path, encoding="utf-8") as f:
        fc = geojson.load(f)
    print(json.dumps({
        "type": fc["type"],
        "valid": fc.is_valid,
        "features": len(fc["features"]),
        "kinds": sorted(x["properties"]["kind"] for x in fc["features"]),
        "points": sum(1 for x in fc["features"] if x["geometry"] and x["geometry"]["type"] == "Point"),
    }))
else:
    sys.exit(f"unknown kind {kind}")
