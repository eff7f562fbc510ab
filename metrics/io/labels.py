"""Snapshot labels in the UI language → one form: genders as Female/Male/Other, territories as
ISO 3166 two-letter codes (as TikTok Studio's English files write them), whatever the language.

Territory names come from CLDR (through Babel) for every UI language; the lookup is built
once and applied per distinct value.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pandas as pd

from .parse import FIRST_LOCALES, TIKTOK_UI_LOCALES


def _key(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    return re.sub(r"\s+", " ", s).strip(" .")


# Gender words TikTok Studio writes in its UI languages (CLDR has no such list).
_GENDERS = {
    "Female": (
        "female", "woman", "women", "f", "vrouw", "vrouwelijk", "weiblich", "frau", "frauen",
        "femme", "femmes", "féminin", "mujer", "mujeres", "femenino", "mulher", "mulheres",
        "feminino", "donna", "donne", "femmina", "kobieta", "kobiety", "γυναίκα", "γυναίκες",
        "θήλυ", "женщины", "женщина", "женский", "жінки", "жінка", "жіноча", "kadın", "perempuan",
        "wanita", "nữ", "หญิง", "เพศหญิง", "女性", "女", "여성", "여자", "أنثى", "إناث", "kvinna",
        "kvinnor", "kvinde", "kvinne", "nainen", "naiset", "žena", "ženy", "nő", "femeie",
        "femei", "babae", "נשים", "אישה", "महिला", "স্ত্রী", "মহিলা",
    ),
    "Male": (
        "male", "man", "men", "m", "mannelijk", "mannen", "männlich", "mann", "männer",
        "homme", "hommes", "masculin", "hombre", "hombres", "masculino", "homem", "homens",
        "uomo", "uomini", "maschio", "mężczyzna", "mężczyźni", "άνδρας", "άνδρες", "άρρεν",
        "мужчины", "мужчина", "мужской", "чоловіки", "чоловік", "чоловіча", "erkek",
        "laki-laki", "pria", "lelaki", "nam", "ชาย", "เพศชาย", "男性", "男", "남성", "남자",
        "ذكر", "ذكور", "män", "mand", "mænd", "menn", "mies", "miehet", "muž", "muži", "férfi",
        "bărbat", "bărbați", "lalaki", "גברים", "גבר", "पुरुष", "পুরুষ",
    ),
    "Other": (
        "other", "others", "overig", "overige", "anders", "divers", "andere", "autre", "autres",
        "otro", "otros", "outro", "outros", "altro", "altri", "inne", "inna", "άλλο", "другое",
        "інше", "diğer", "lainnya", "lain", "khác", "อื่นๆ", "其他", "その他", "기타", "أخرى",
        "annat", "andet", "annet", "muu", "jiné", "egyéb", "altele", "iba pa", "אחר", "अन्य",
    ),
}  # fmt: skip
GENDER_LABELS = {_key(word): label for label, words in _GENDERS.items() for word in words}
# "Others" in the territories list (the share of every territory not listed).
_OTHERS = {_key(w) for w in _GENDERS["Other"]} | {
    "other territories", "other countries", "rest", "pozostałe", "pozostali", "sonstige",
    "übrige", "restliche", "altri paesi", "outros países", "otros países", "другие", "інші",
}  # fmt: skip


def gender_labels(values: pd.Series) -> pd.Series:
    """Gender cells → Female, Male or Other (unknown words are kept as written)."""
    uniques = pd.Series(values.dropna().unique())
    mapping = {v: GENDER_LABELS.get(_key(v), v) for v in uniques}
    return values.map(mapping, na_action="ignore")


@functools.cache
def territory_codes(locales: tuple[str, ...] = TIKTOK_UI_LOCALES) -> dict[str, str]:
    """Every territory name in these UI languages (and every ISO code) → ISO two-letter code.
    English alone (the table looked in first) is written out in cldr_en.py: no Babel."""
    if locales == ("en",):
        from .cldr_en import TERRITORIES

        return dict(TERRITORIES)
    return _cldr_territory_codes(locales)


def _cldr_territory_codes(locales: tuple[str, ...]) -> dict[str, str]:
    """territory_codes(locales), from CLDR through Babel."""
    from babel import Locale, UnknownLocaleError

    found: dict[str, set[str]] = {}
    for code in locales:
        try:
            names = Locale.parse(code).territories
        except (UnknownLocaleError, ValueError):
            continue
        for iso, name in names.items():
            if len(iso) == 2 and iso.isalpha() and iso != "ZZ":
                found.setdefault(_key(name), set()).add(iso)
                found.setdefault(iso.casefold(), set()).add(iso)
    for alias, iso in {"uk": "GB", "great britain": "GB", "usa": "US", "u.s.": "US"}.items():
        found.setdefault(_key(alias), set()).add(iso)
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


def territory_labels(values: pd.Series) -> pd.Series:
    """Territory cells (ISO codes or names in any UI language) → ISO code; Others → Others."""
    uniques = pd.Series(values.dropna().unique())

    def one(value: str) -> str:
        key = _key(value)
        if key in _OTHERS:
            return "Others"
        # English names and ISO codes first; the other languages' table (about a second to
        # build) only for a name English does not know. Tested to agree on English names.
        found = territory_codes(FIRST_LOCALES).get(key)
        return found if found is not None else territory_codes().get(key, value)

    mapping = {v: one(v) for v in uniques}
    return values.map(mapping, na_action="ignore")
