#!/usr/bin/env python3
"""Derive data/text/dateline_places.tsv: Arabic names of countries and large cities with their
ISO 3166-1 alpha-2 country code, used to recognise article datelines ("دمشق - ", "بيروت، لبنان").

Sources (facts only, no text): ../shared/data/geo/countries_ar.tsv (Natural Earth NAME_AR, public
domain; iso-codes Arabic names, LGPL) and ../shared/data/geo/geonames_cities500_with_arabic.tsv
(GeoNames, CC BY 4.0). The full gazetteer (issue 4) supersedes this list for geocoding.

Usage: python3 scripts/derive_dateline_places.py ../shared/data/geo > data/text/dateline_places.tsv
"""
import csv, sys
from pathlib import Path

ARAB = {"SY", "IQ", "YE", "LY", "SD", "SS", "EG", "LB", "JO", "PS", "IL", "SA", "AE", "QA", "BH",
        "KW", "OM", "TN", "DZ", "MA", "MR", "SO", "DJ", "TR", "IR", "AF"}
ARABIC = set(chr(c) for c in range(0x0621, 0x064B))


def arabic_only(name):
    name = name.strip()
    return name if name and all(ch in ARABIC or ch == " " for ch in name) else None


def main(geo):
    rows = {}
    with open(geo / "countries_ar.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            names = [r["name_ar_naturalearth"], r["name_ar_isocodes"]] + r["ar_alt_names_geonames"].split("|")
            for n in names:
                n = arabic_only(n or "")
                if n and len(n) >= 3:
                    rows.setdefault(n, (r["iso2"], "country"))
    best = {}  # a city name shared by several places goes to the most populous one
    with open(geo / "geonames_cities500_with_arabic.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            pop = int(r["population"] or 0)
            if pop < (30000 if r["country"] in ARAB else 1000000):
                continue
            names = [r["ar_preferred"]] + r["ar_names"].split("|")
            for n in names:
                n = arabic_only(n or "")
                if n and len(n) >= 3 and pop > best.get(n, -1) and (n not in rows or rows[n][1] == "city"):
                    rows[n] = (r["country"], "city")
                    best[n] = pop
    curated = Path(__file__).resolve().parent.parent / "data/text/dateline_places.curated.tsv"
    for line in curated.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            n, cc, kind = line.split("\t")
            rows[n] = (cc, kind)
    print("# name_ar\tiso2\tkind  -- derived by scripts/derive_dateline_places.py; GeoNames CC BY 4.0, Natural Earth PD")
    for n in sorted(rows):
        print(f"{n}\t{rows[n][0]}\t{rows[n][1]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
