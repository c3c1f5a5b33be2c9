"""scikit-learn's DBSCAN on a `kinga cluster` input: the reference the tests and the
benchmark compare Kinga with.

Usage: python sklearn_dbscan.py EVENTS.csv EPS_KM MIN_SAMPLES OUT.csv

Writes `id,cluster,core` rows to OUT.csv in input order, and one line to standard output:
`{"fit_seconds": …, "n": …}` (the time of `DBSCAN.fit` alone, reading and writing excluded).
"""

import csv
import json
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN

EARTH_RADIUS_KM = 6371.0088


def main() -> None:
    path, eps_km, min_samples, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ids, lat, lon = [], [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.append(row["id"])
            lat.append(float(row["lat"]))
            lon.append(float(row["lon"]))
    x = np.radians(np.column_stack([np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64)]))
    model = DBSCAN(
        eps=eps_km / EARTH_RADIUS_KM,
        min_samples=min_samples,
        metric="haversine",
        algorithm="ball_tree",
    )
    start = time.perf_counter()
    model.fit(x)
    fit_seconds = time.perf_counter() - start
    core = np.zeros(len(ids), dtype=bool)
    core[model.core_sample_indices_] = True
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "cluster", "core"])
        for i, label, c in zip(ids, model.labels_.tolist(), core.tolist()):
            w.writerow([i, label, int(c)])
    print(json.dumps({"fit_seconds": fit_seconds, "n": len(ids)}))


if __name__ == "__main__":
    main()
