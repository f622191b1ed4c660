#!/usr/bin/env python3
"""Derive data/kb/actors.jsonl, the actor knowledge base, from the UniversalPetrarch Arabic actor
dictionary (MIT) plus the team's hand curation (data/kb/actors.curated.jsonl).

Usage:
    python3 scripts/derive_kb.py SHARED_DATA_ROOT [--curated data/kb/actors.curated.jsonl] \
        > data/kb/actors.jsonl

SHARED_DATA_ROOT is the folder holding lexicons/universalpetrarch_arabic/ and geo/ (e.g. the
project's shared/data). Counts and validation messages go to stderr; exit status 1 if the output
fails validation. Output is deterministic: one JSON object per line, sorted by id, keys in a fixed
order, stdlib only.

Sources read
  lexicons/universalpetrarch_arabic/actor_dict_ar_v4.txt  actor names and dated CAMEO codes
  geo/countryInfo.txt                                     CAMEO/ISO3 -> ISO 3166-1 alpha-2, English
                                                          country names (GeoNames, CC BY 4.0)
  agents.all.ar.txt and synsets.ar.txt are generic agent nouns ("separatist", "refugee") and word
  classes, not named actors; they are deliberately NOT turned into actors.

Dictionary format handled
  * a name line: lemmatized tokens joined by "_" (usually with a trailing "_"), sometimes with
    spaces instead of "_"; optionally followed on the same line by "[CODE]" or "[CODE DATES]";
  * following indented lines "[CODE DATES]" give further codes for the last name; DATES is
    "YYYYMMDD-YYYYMMDD", ">YYYYMMDD" / "> YYYYMMDD" or "<YYYYMMDD" (dates are dropped);
  * "#" starts a comment (to end of line); blank lines are ignored;
  * a name with no code at all is skipped; malformed codes ("MIL?", "000GOV", "china,CHNCRMEDU")
    are cleaned ("?" and a lower-case "xxx," prefix dropped, a "000" country means unknown).

Code -> fields (a CAMEO code is a chain of 3-letter tokens: optional actor prefix then roles)
  * actor prefix: an ISO3 country (mapped to ISO2 via countryInfo.txt; KSV -> XK) or an
    international prefix IGO / NGO / IMG / MNC (country null).
  * kind, by priority over all role tokens of all codes of the entry:
      IMG, REB, INS, SEP -> rebel_group (acled 2); UAF -> militia (3);
      MIL, COP, SPY -> state_force (1); IGO -> international_org; NGO, HRI, ENV, DEV -> ngo;
      MNC, BUS -> business; MED -> media (CAMEO MED = media, not medical);
      REL -> religious; OPP, PTY -> political_party; GOV, LEG, JUD -> government (acled 1, ACLED
      counts governments as State forces); CVL, REF, EDU, HLH, LAB, AGR -> civilians (acled 7);
      anything else -> other.
  * ELI (elite) anywhere -> person. A name is also a person when it has dated codes, 2-5 tokens,
    no institutional head word (وزارة، مجلس، حزب، قوة ...), and no nisba adjective token
    (e.g. سوداني) -- i.e. it looks like a personal name. Persons get acled_inter null and a role
    such as "Government, Iraq (2010-2014); Elite, Iraq (2014-2016)".
  * Leading titles (رئيس وزير، رئيس، وزير، ملك، أمير، شيخ، جنرال ...) are stripped from person names
    (the titled form stays an alias) so "رئيس_وزير_غوردون_براون_" merges with "غوردون_براون_".
  * Entries whose codes carry no actor prefix (bare "[MIL]", "[COP]": generic agents such as
    "قوة أمن") and entries that are only a bare country code with no role ("جدة [SAU]": places and
    countries, the gazetteer's job) are skipped.

Surface forms
  The lemma "مجلس_أمن_دولي_" becomes name_ar "مجلس الأمن الدولي" and the raw lemma (spaces, no
  trailing _) is kept as an alias. Rules for non-person names: the head token stays bare when an
  idafa follows (مجلس الأمن ...) and takes ال when only adjectives follow (الجامعة العربية);
  following nouns/adjectives take ال (except known proper nouns such as حماس، فتح، طالبان);
  a trailing nisba adjective agrees with a feminine head (وزارة الدفاع الأميركية); the lemma head
  قوة becomes قوات; the preposition token "ل" is fused (للأمم). Person names are only joined.

Merging
  * derived entries with the same folded surface name (hamza/ya/ta-marbuta and ال folded) merge:
    names/aliases and cameo codes are unioned, kind by the priority above (person wins);
  * a curated entry absorbs every derived entry whose folded name_ar or any alias equals one of
    the curated entry's folded names; curated values win on every field they set; source becomes
    "universalpetrarch+curated".
  * ids: curated ids are kept; derived ids are "<iso3|igo|img|ngo|mnc>-<role>-<transliteration>",
    deduplicated with -2, -3 ... in a deterministic order.

Validation (stderr, exit 1 on failure): ids unique ascii slugs, kinds and acled_inter valid,
country 2 upper-case letters or null, no name/alias that is a single generic word (جيش، قوات،
حكومة، مسلحين ...), no empty names.
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

KINDS = ["state_force", "government", "rebel_group", "militia", "political_party",
         "international_org", "media", "person", "civilians", "ngo", "religious", "business",
         "other"]
FIELDS = ["id", "name_ar", "name_en", "aliases_ar", "aliases_en", "kind", "country", "cameo",
          "role", "acled_inter", "source"]
INTL_PREFIX = {"IGO", "NGO", "IMG", "MNC"}
EXTRA_ISO3 = {"KSV": "XK", "ROM": "RO", "ZAR": "CD", "TMP": "TL", "SRB": "RS", "MNE": "ME"}
ROLE_WORDS = {"GOV": "Government", "MIL": "Military", "ELI": "Elite", "LEG": "Legislature",
              "JUD": "Judiciary", "COP": "Police", "SPY": "Intelligence", "PTY": "Party",
              "OPP": "Opposition", "REB": "Rebel", "INS": "Insurgent", "CVL": "Civilian",
              "REF": "Refugee", "EDU": "Education", "MED": "Media", "BUS": "Business",
              "REL": "Religious", "IGO": "International organisation", "NGO": "NGO",
              "UAF": "Armed group", "HRI": "Human rights", "LAB": "Labour", "CRM": "Criminal",
              "RAD": "Radical", "HLH": "Health", "IMG": "Militant group", "AGR": "Agriculture",
              "DEV": "Development", "ENV": "Environment", "MOD": "Moderate", "SEP": "Separatist"}
# role token -> (kind, acled_inter), in priority order (first hit wins)
KIND_RULES = [
    ({"IMG", "REB", "INS", "SEP"}, "rebel_group", 2),
    ({"UAF"}, "militia", 3),
    ({"MIL", "COP", "SPY"}, "state_force", 1),
    ({"IGO"}, "international_org", None),
    ({"NGO", "HRI", "ENV", "DEV"}, "ngo", None),
    ({"MNC", "BUS"}, "business", None),
    ({"MED"}, "media", None),
    ({"REL"}, "religious", None),
    ({"OPP", "PTY"}, "political_party", None),
    ({"GOV", "LEG", "JUD"}, "government", 1),
    ({"CVL", "REF", "EDU", "HLH", "LAB", "AGR"}, "civilians", 7),
]
KIND_PRIORITY = {k: i for i, (_, k, _) in enumerate(KIND_RULES)}
KIND_PRIORITY["person"] = -1
KIND_PRIORITY["other"] = 99

# head words that make a name institutional rather than personal
INSTITUTION_HEADS = set("""وزارة وزير مجلس حكومة حزب حركة جبهة منظمة هيئة وكالة قوة قوات جيش شرطة
جامعة اتحاد لجنة محكمة مكتب مؤسسة شركة بنك مصرف صحيفة جريدة قناة إذاعة اذاعة تلفزيون تنظيم جماعة
كتيبة كتائب لواء ألوية الوية سرايا فيلق فرقة جهاز إدارة ادارة دائرة مديرية مركز معهد برلمان حرس
رئاسة سفارة قنصلية بعثة ائتلاف تحالف تجمع كتلة مفوضية نقابة رابطة جمعية مستشفى ديوان الديوان أمانة
امانة سلطة دولة مجلس_ إمارة امارة قيادة أركان اركان حشد مليشيا ميليشيا مقاتل عناصر عنصر مسلح مسلحين
متظاهر محتج طالب نائب رئيس أمين امين مدير قائد ناطق متحدث سفير مبعوث ممثل عضو مسؤول زعيم وفد""".split())
TITLES = ["رئيس وزير", "رئيس حكومة", "رئيس", "وزير", "ملك", "أمير", "امير", "شيخ", "شيخة", "جنرال",
          "سلطان", "عاهل", "مستشار", "نائب", "دكتور", "د.", "فريق", "لواء", "عقيد", "عميد", "سيد",
          "زعيم", "قائد", "آية الله", "اية الله", "مرشد"]
# words that never take the article inside an organisation name
NO_ARTICLE = set("""حماس فتح طالبان داعش أمل امل الله اللٰه بن ابن أبو ابو أم ام عبد عبد_ بي سي
إن ان سي.إن.إن إم أي إيه""".split())
CLITICS = {"ل", "ب", "ك"}
FIRST_NAMES = set()  # learned from the dictionary's clear person entries (see learn_first_names)
PREPOSITIONS = {"في", "من", "على", "عن", "إلى", "الى", "و", "أو", "مع", "ضد", "-"}
GENERIC = set("""جيش الجيش قوات القوات قوة القوة حكومة الحكومة مسلحين المسلحين مسلحون المسلحون مسلح
شرطة الشرطة أمن الأمن الامن امن رئيس الرئيس وزير الوزير مجلس المجلس حزب الحزب حركة الحركة جماعة
الجماعة تنظيم التنظيم مقاتلين المقاتلين مقاتلون المقاتلون متمردين المتمردين متمردون المتمردون
ميليشيا الميليشيا ميليشيات الميليشيات مليشيات المليشيات عناصر العناصر إرهابيين الإرهابيين
ارهابيين الارهابيين جنود الجنود ضباط الضباط معارضة المعارضة النظام نظام الدولة دولة السلطات
سلطات السلطة سلطة الشعب شعب وزارة الوزارة برلمان البرلمان محكمة المحكمة الشركة شركة وكالة
الوكالة قناة القناة صحيفة الصحيفة أسد الأسد منظمة المنظمة جزيرة الجزيرة أفضل ذهبي معطى التحالف تحالف الائتلاف ائتلاف المتظاهرين متظاهرين""".split())
GENERIC_EN = {"army", "forces", "force", "government", "police", "militants", "gunmen", "rebels",
              "state", "regime", "ministry", "party", "group", "the army", "military", "coalition"}

DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
ARABIC_TR = {"ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j",
             "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
             "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q",
             "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w", "ي": "y",
             "ى": "a", "ء": "", "ئ": "y", "ؤ": "w", "پ": "p", "چ": "ch", "گ": "g", "ڤ": "v",
             " ": "-", "-": "-"}


def clean_text(s):
    s = unicodedata.normalize("NFC", s)
    s = DIACRITICS.sub("", s)
    return re.sub(r"\s+", " ", s).strip()


def fold(s):
    """Matching key: no diacritics, hamza/ya/ta-marbuta folded, article and ل-article dropped."""
    s = clean_text(s)
    s = re.sub("[أإآٱ]", "ا", s).replace("ى", "ي").replace("ة", "ه").replace("ؤ", "و").replace("ئ", "ي")
    out = []
    for t in s.split(" "):
        if t.startswith("لل") and len(t) > 4:
            t = t[2:]
        elif t.startswith("ال") and len(t) > 3:
            t = t[2:]
        if t.endswith("يه") and len(t) > 4:  # nisba agreement: الأميركية ~ أميركي
            t = t[:-1]
        out.append(t)
    return " ".join(out).lower()


def translit(s):
    s = clean_text(s)
    out = []
    for ch in s:
        if ch in ARABIC_TR:
            out.append(ARABIC_TR[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        else:
            out.append("-")
    slug = re.sub("-+", "-", "".join(out)).strip("-")
    return slug or "x"


def is_nisba(tok):
    t = tok[2:] if tok.startswith("ال") else tok
    return len(t) >= 4 and (t.endswith("ي") or t.endswith("ية")) and t not in NO_ARTICLE


NOT_PLACES = "جامعة أمن امن دولة عمل نصر سلام حرية وحدة عربي".split()
NOT_FIRST_NAMES = "بيت تيار دور رجل سلف شرق عاصمة فتح ملكة وزيرة معروف إمام امام إسلام اسلام سلام".split()
PLACES = set()  # folded single-token place names (countries, cities >= 300k) that take no article


def add_article(tok):
    if tok.startswith("ال") or tok in NO_ARTICLE or tok in PREPOSITIONS or not tok[:1].isalpha():
        return tok
    if tok.startswith("لل") or (not is_nisba(tok) and (fold(tok) in PLACES or fold(tok) in FIRST_NAMES)):
        return tok
    if not ("\u0621" <= tok[0] <= "\u064a"):
        return tok
    return "ال" + tok


def feminine(tok):
    return tok + "ة" if tok.endswith("ي") else tok


def surface_org(tokens):
    """Natural surface form of a lemmatized organisation / office name."""
    toks = [t for t in tokens if t]
    while toks and toks[0] == "ل":  # "ل_اتحاد_الاوروبي_"
        toks = toks[1:]
    if not toks:
        return ""
    head = "قوات" if toks[0] in ("قوة", "قوى") and len(toks) > 1 else toks[0]
    rest = toks[1:]
    fem = head.endswith("ة") or head in ("قوات",)
    if not rest:
        return head
    only_adj = is_nisba(rest[0])  # head + adjective phrase: الجيش السوري، المجلس الوطني ...
    out = [add_article(head) if only_adj and head not in NO_ARTICLE else head]
    # a trailing run of nisba adjectives agrees with the head (وزارة الدفاع الأميركية)
    n_trail = 0
    for t in reversed(rest):
        if is_nisba(t):
            n_trail += 1
        else:
            break
    for i, t in enumerate(rest):
        if t in PREPOSITIONS or t in CLITICS:
            out.append(t)
            continue
        w = add_article(t)
        if fem and i >= len(rest) - n_trail and not w.endswith("ة") and n_trail == len(rest) - i:
            w = feminine(w)
        out.append(w)
    # fuse the clitic prepositions ل / ب / ك with the next word: ل الأمة -> للأمة
    fused = []
    i = 0
    while i < len(out):
        if out[i] in CLITICS and i + 1 < len(out):
            nxt = out[i + 1]
            if out[i] == "ل":
                fused.append("لل" + nxt[2:] if nxt.startswith("ال") else "ل" + nxt)
            else:
                fused.append(out[i] + nxt)
            i += 2
        else:
            fused.append(out[i])
            i += 1
    return " ".join(fused)


def strip_title(name):
    for t in TITLES:
        if name.startswith(t + " ") and len(name[len(t) + 1:].split()) >= 2:
            return name[len(t) + 1:], True
    return name, False


def load_countries(geo):
    iso3, names = dict(EXTRA_ISO3), {}
    with open(geo / "countryInfo.txt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) > 4 and re.fullmatch("[A-Z]{2}", p[0]) and re.fullmatch("[A-Z]{3}", p[1]):
                iso3.setdefault(p[1], p[0])
                names[p[1]] = p[4]
    names.setdefault("KSV", "Kosovo")
    return iso3, names


def load_places(geo):
    """Single-token Arabic place names (countries; cities of 300,000+), folded."""
    import csv
    out = set()
    with open(geo / "countries_ar.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            for n in [r["name_ar_naturalearth"], r["name_ar_isocodes"]] + r["ar_alt_names_geonames"].split("|"):
                n = clean_text(n or "")
                if n and " " not in n:
                    out.add(fold(n))
    with open(geo / "geonames_cities500_with_arabic.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if int(r["population"] or 0) < 300000:
                continue
            for n in [r["ar_preferred"]] + r["ar_names"].split("|"):
                n = clean_text(n or "")
                if n and " " not in n and len(n) >= 3:
                    out.add(fold(n))
    return out - {fold(w) for w in NOT_PLACES}


def learn_first_names(entries, iso3):
    """First tokens of clear person entries (ELI code, or dated codes on a 2-4 token name that
    has a token with ال and no institutional head) seen at least twice."""
    from collections import Counter
    c = Counter()
    for raw, codes in entries:
        toks = [t for t in re.split(r"[_\s]+", clean_text(raw)) if t]
        if not 2 <= len(toks) <= 4 or toks[0] in INSTITUTION_HEADS or is_nisba(toks[0]):
            continue
        roles = {r for cd, _ in codes for r in split_code(cd, iso3)[1]}
        if "ELI" in roles or (any(d for _, d in codes) and
                               not any(is_nisba(t) and not t.startswith("ال") for t in toks[1:])):
            c[fold(toks[0])] += 1
    bad = {fold(t) for t in TITLES} | {fold(w) for w in NOT_FIRST_NAMES}
    return {n for n, k in c.items() if k >= 2 and len(n) >= 3} - bad


CODE_RE = re.compile(r"\[([^\]]*)\]")


def clean_code(raw):
    parts = raw.strip().split(None, 1)
    if not parts:
        return None, ""
    code = parts[0].replace("?", "").replace("~", "")
    if "," in code:
        code = code.split(",")[-1]
    dates = parts[1] if len(parts) > 1 else ""
    if not re.fullmatch("([A-Z0]{3})+", code):
        return None, ""
    if code.startswith("000"):
        code = code[3:]
    return (code or None), dates.replace(" ", "")


def parse_dictionary(path):
    """Yield (raw_name, [(code, dates)]) in file order."""
    entries = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip()
            s = line.strip()
            if not s:
                continue
            if s.startswith("["):
                if cur is not None:
                    for m in CODE_RE.finditer(s):
                        c, d = clean_code(m.group(1))
                        if c:
                            cur[1].append((c, d))
                continue
            name = CODE_RE.split(s, 1)[0] if "[" in s else s
            cur = (name.strip(), [])
            entries.append(cur)
            for m in CODE_RE.finditer(s):
                c, d = clean_code(m.group(1))
                if c:
                    cur[1].append((c, d))
    return [e for e in entries if e[0] and e[1]]


def split_code(code, iso3):
    toks = [code[i:i + 3] for i in range(0, len(code), 3)]
    prefix = None
    if toks and (toks[0] in iso3 or toks[0] in INTL_PREFIX):
        prefix = toks[0]
        roles = toks[1:] if toks[0] not in ("IGO", "NGO", "IMG", "MNC") else toks
    else:
        roles = toks
    return prefix, roles


def years(dates):
    m = re.fullmatch(r"(\d{4})\d{4}-(\d{4})\d{4}", dates or "")
    if m:
        a, b = m.group(1), m.group(2)
        if b == "1800" or b < a:
            return f"{a}-"
        return f"{a}-{b}" if a != b else a
    m = re.fullmatch(r">(\d{4})\d{4}", dates or "")
    if m:
        return f"{m.group(1)}-"
    m = re.fullmatch(r"<(\d{4})\d{4}", dates or "")
    if m:
        return f"-{m.group(1)}"
    return ""


def derive(dict_path, iso3, cnames):
    stats = {"dict_entries": 0, "skipped_no_prefix": 0, "skipped_place": 0, "skipped_generic": 0}
    items = []
    entries = parse_dictionary(dict_path)
    FIRST_NAMES.update(learn_first_names(entries, iso3))
    for raw, codes in entries:
        stats["dict_entries"] += 1
        lemma_tokens = [t for t in re.split(r"[_\s]+", clean_text(raw)) if t]
        if not lemma_tokens:
            continue
        lemma = " ".join(lemma_tokens)
        prefixes, roles, dated = [], [], False
        for c, d in codes:
            p, r = split_code(c, iso3)
            prefixes.append(p)
            roles.append(r)
            dated = dated or bool(d)
        if all(p is None for p in prefixes):
            stats["skipped_no_prefix"] += 1
            continue
        if all(not r for r in roles):
            stats["skipped_place"] += 1
            continue
        allroles = {t for r in roles for t in r}
        head = lemma_tokens[0]
        personal = (dated and 2 <= len(lemma_tokens) <= 5 and head not in INSTITUTION_HEADS
                    and not any(is_nisba(t) and not t.startswith("ال") for t in lemma_tokens[1:])
                    and not any(p in INTL_PREFIX for p in prefixes if p))
        personal = personal or (2 <= len(lemma_tokens) <= 5 and head not in INSTITUTION_HEADS
                                and fold(head) in FIRST_NAMES and not any(is_nisba(t) for t in lemma_tokens[1:]))
        untitled, had_title = strip_title(lemma)
        ut = untitled.split()
        if had_title and ut[0] not in INSTITUTION_HEADS and fold(ut[0]) in FIRST_NAMES \
                and not any(is_nisba(t) and not t.startswith("ال") for t in ut[1:]):
            personal = True
        if "ELI" in allroles or personal:
            kind, inter = "person", None
        else:
            kind, inter = "other", None
            for keys, k, it in KIND_RULES:
                if allroles & keys:
                    kind, inter = k, it
                    break
        aliases = set()
        if kind == "person":
            name = lemma
            stripped, had = strip_title(name)
            if had:
                aliases.add(name)
                name = stripped
        else:
            name = surface_org(lemma_tokens)
            if name != lemma:
                aliases.add(lemma)
        if fold(name) in {fold(g) for g in GENERIC} or len(fold(name).replace(" ", "")) < 3:
            stats["skipped_generic"] += 1
            continue
        country_prefix = next((p for p in prefixes if p and p not in INTL_PREFIX), None)
        country = iso3.get(country_prefix) if country_prefix else None
        spans = {}
        if kind == "person":
            for (c, d), p, r in zip(codes, prefixes, roles):
                words = ", ".join(dict.fromkeys(ROLE_WORDS.get(t, t) for t in r)) or "Actor"
                where = cnames.get(p, p) if p else ""
                y = years(d)
                ys = spans.setdefault((words, where), [])
                ys += [int(v) for v in re.findall(r"\d{4}", y)]
                if y.endswith("-"):
                    ys.append(9999)
        items.append({
            "name_ar": name, "aliases_ar": aliases, "kind": kind, "country": country,
            "cameo": {c for c, _ in codes}, "role": None, "spans": spans, "acled_inter": inter,
            "prefix": country_prefix or next((p for p in prefixes if p), None),
            "roles": allroles,
        })
    # merge derived duplicates by folded surface name
    merged = {}
    for it in items:
        key = fold(it["name_ar"])
        if key not in merged:
            merged[key] = it
            continue
        m = merged[key]
        m["aliases_ar"] |= it["aliases_ar"]
        m["cameo"] |= it["cameo"]
        m["roles"] |= it["roles"]
        if KIND_PRIORITY[it["kind"]] < KIND_PRIORITY[m["kind"]]:
            m["kind"], m["acled_inter"] = it["kind"], it["acled_inter"]
        for k, ys in it["spans"].items():
            m["spans"].setdefault(k, []).extend(ys)
        if not m["country"] and it["country"]:
            m["country"], m["prefix"] = it["country"], it["prefix"]
    for m in merged.values():
        if m["kind"] == "person":
            m["role"] = render_role(m["spans"])
    return list(merged.values()), stats


def render_role(spans):
    """{(role words, country): [years]} -> "Government, Iraq (2006-2014); Elite, Iraq (2014-)"."""
    parts = []
    for (words, where), ys in spans.items():
        span = ""
        if ys:
            a, b = min(ys), max(ys)
            span = f" ({a}-)" if b == 9999 else (f" ({a})" if a == b else f" ({a}-{b})")
        parts.append(words + (f", {where}" if where else "") + span)
    return "; ".join(parts[:4]) or None


def role_slug(kind, roles):
    if kind == "person":
        for t in ("GOV", "MIL", "REB", "PTY", "OPP", "ELI"):
            if t in roles:
                return t.lower() if t != "ELI" else "per"
        return "per"
    return {"state_force": "mil", "government": "gov", "rebel_group": "reb", "militia": "mil",
            "political_party": "pty", "international_org": "igo", "media": "med",
            "civilians": "cvl", "ngo": "ngo", "religious": "rel", "business": "bus"}.get(kind, "oth")


def load_curated(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: {e}")
    return out


def dedup(seq, exclude=()):
    seen, out = set(exclude), []
    for s in seq:
        if s and s not in seen:
            seen.add(s)
            out.append(s)
    return out


def finalize(rec):
    rec["aliases_ar"] = sorted(dedup(clean_text(a) for a in rec.get("aliases_ar") or []) )
    rec["aliases_ar"] = [a for a in rec["aliases_ar"] if a != rec["name_ar"]]
    en = rec.get("name_en")
    rec["aliases_en"] = sorted(a for a in dedup(rec.get("aliases_en") or []) if a != en)
    rec["cameo"] = sorted(set(rec.get("cameo") or []))
    return {k: rec.get(k) for k in FIELDS}


def validate(records):
    errors = []
    ids = set()
    gen = {fold(g) for g in GENERIC}
    for r in records:
        i = r["id"]
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i or ""):
            errors.append(f"bad id {i!r}")
        if i in ids:
            errors.append(f"duplicate id {i}")
        ids.add(i)
        if r["kind"] not in KINDS:
            errors.append(f"{i}: bad kind {r['kind']}")
        if r["acled_inter"] not in (None, 1, 2, 3, 4, 5, 6, 7, 8):
            errors.append(f"{i}: bad acled_inter {r['acled_inter']}")
        if r["country"] is not None and not re.fullmatch("[A-Z]{2}", r["country"]):
            errors.append(f"{i}: bad country {r['country']}")
        if not r["name_ar"]:
            errors.append(f"{i}: empty name_ar")
        if r["source"] not in ("universalpetrarch", "curated", "universalpetrarch+curated"):
            errors.append(f"{i}: bad source")
        for a in [r["name_ar"]] + r["aliases_ar"]:
            if fold(a) in gen:
                errors.append(f"{i}: generic Arabic name {a!r}")
        for a in ([r["name_en"]] if r["name_en"] else []) + r["aliases_en"]:
            if a.lower() in GENERIC_EN:
                errors.append(f"{i}: generic English name {a!r}")
        if not isinstance(r["cameo"], list) or not all(re.fullmatch("[A-Z]{3,}", c) for c in r["cameo"]):
            errors.append(f"{i}: bad cameo {r['cameo']}")
    return errors


def main(argv):
    args = argv[1:]
    curated_path = Path(__file__).resolve().parent.parent / "data" / "kb" / "actors.curated.jsonl"
    if "--curated" in args:
        k = args.index("--curated")
        curated_path = Path(args[k + 1])
        del args[k:k + 2]
    if len(args) != 1:
        sys.exit(__doc__.split("\n\n")[1])
    root = Path(args[0])
    iso3, cnames = load_countries(root / "geo")
    PLACES.update(load_places(root / "geo"))
    derived, stats = derive(root / "lexicons" / "universalpetrarch_arabic" / "actor_dict_ar_v4.txt",
                            iso3, cnames)
    curated = load_curated(curated_path)

    # index curated names
    cur_key = {}
    for c in curated:
        for n in [c["name_ar"]] + list(c.get("aliases_ar") or []):
            cur_key.setdefault(fold(n), c)
    records = []
    absorbed = 0
    for d in derived:
        keys = [fold(d["name_ar"])] + [fold(a) for a in d["aliases_ar"]]
        target = next((cur_key[k] for k in keys if k in cur_key), None)
        if target is not None:
            absorbed += 1
            target.setdefault("_derived", []).append(d)
            continue
        records.append(d)
    out = []
    # curated first: curated wins on every field it sets
    for c in curated:
        rec = {k: c.get(k) for k in FIELDS}
        ds = c.pop("_derived", [])
        if ds:
            rec["source"] = "universalpetrarch+curated"
            al = list(c.get("aliases_ar") or [])
            for d in ds:
                al += [d["name_ar"]] + sorted(d["aliases_ar"])
            rec["aliases_ar"] = al
            rec["cameo"] = sorted(set(c.get("cameo") or []) | {x for d in ds for x in d["cameo"]})
            for fld in ("country", "role", "acled_inter"):
                if c.get(fld) is None and fld not in c:
                    rec[fld] = ds[0][fld]
        else:
            rec["source"] = "curated"
        for fld, default in (("aliases_ar", []), ("aliases_en", []), ("cameo", [])):
            if rec.get(fld) is None:
                rec[fld] = default
        out.append(finalize(rec))
    used = {r["id"] for r in out}
    # derived ids
    derived_recs = []
    for d in sorted(records, key=lambda x: (x["name_ar"], sorted(x["cameo"]))):
        base = f"{(d['prefix'] or 'xxx').lower()}-{role_slug(d['kind'], d['roles'])}-{translit(d['name_ar'])}"
        base = base[:80].strip("-")
        i, n = base, 1
        while i in used:
            n += 1
            i = f"{base}-{n}"
        used.add(i)
        rec = {"id": i, "name_ar": d["name_ar"], "name_en": None, "aliases_ar": sorted(d["aliases_ar"]),
               "aliases_en": [], "kind": d["kind"], "country": d["country"], "cameo": d["cameo"],
               "role": d["role"], "acled_inter": d["acled_inter"], "source": "universalpetrarch"}
        derived_recs.append(finalize(rec))
    records = sorted(out + derived_recs, key=lambda r: r["id"])
    for r in records:
        sys.stdout.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")

    names = sum(1 + bool(r["name_en"]) + len(r["aliases_ar"]) + len(r["aliases_en"]) for r in records)
    by_kind = {}
    by_src = {}
    for r in records:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + 1
        by_src[r["source"]] = by_src.get(r["source"], 0) + 1
    print(f"dictionary entries with codes: {stats['dict_entries']}; skipped: no actor prefix "
          f"{stats['skipped_no_prefix']}, bare place/country {stats['skipped_place']}, generic "
          f"{stats['skipped_generic']}; derived after merge: {len(derived)}; absorbed by curated: "
          f"{absorbed}; curated: {len(curated)}", file=sys.stderr)
    print(f"actors: {len(records)}; names (name_ar+name_en+aliases): {names}", file=sys.stderr)
    print("by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())), file=sys.stderr)
    print("by source: " + ", ".join(f"{k} {v}" for k, v in sorted(by_src.items())), file=sys.stderr)
    print(f"persons: {by_kind.get('person', 0)}", file=sys.stderr)
    errors = validate(records)
    for e in errors[:50]:
        print("INVALID: " + e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} validation errors", file=sys.stderr)
        return 1
    print("validation: ok", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
