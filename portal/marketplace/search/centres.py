"""Centres of the pilot municipalities (and Rīga): where distances are measured from when a person's
own address has no coordinates, or the place a query names. (latitude, longitude, name)."""

from .text import STOP_WORDS, fold, stem

CENTRES: dict[str, tuple[float, float, str]] = {
    "jelgava": (56.6511, 23.7214, "Jelgava"),
    "bauska": (56.4079, 24.1944, "Bauska"),
    "liepaja": (56.5047, 21.0108, "Liepāja"),
    "talsi": (57.2447, 22.5889, "Talsi"),
    "rezekne": (56.5099, 27.3331, "Rēzekne"),
    "balvi": (57.1313, 27.2656, "Balvi"),
    "daugavpils": (55.8747, 26.5362, "Daugavpils"),
    "valmiera": (57.5411, 25.4275, "Valmiera"),
    "madona": (56.8537, 26.2170, "Madona"),
    "cesis": (57.3119, 25.2706, "Cēsis"),
    "gulbene": (57.1772, 26.7527, "Gulbene"),
    "ogre": (56.8162, 24.6140, "Ogre"),
    "tukums": (56.9671, 23.1554, "Tukums"),
    "riga": (56.9496, 24.1052, "Rīga"),
}


def place_named(text: str) -> tuple[str | None, str]:
    """The place a query names, in any case ("logopēds Liepājā" → "liepaja"), and the query without it.

    Words are compared by their folded stems, so "Liepāja", "Liepājā" and "liepajas" all name Liepāja.
    Only the first place named counts; the text is returned unchanged when none is.
    """
    places = _place_stems()
    kept, found = [], None
    for word in (text or "").split():
        folded = fold(word).strip(".,;:!?()\"'")
        code = places.get(stem(folded)) if folded and folded not in STOP_WORDS else None
        if code is not None and found is None:
            found = code
            continue
        kept.append(word)
    return found, (" ".join(kept) if found else text)


_PLACE_STEMS: dict[str, str] = {}


def _place_stems() -> dict[str, str]:
    if not _PLACE_STEMS:
        _PLACE_STEMS.update({stem(fold(name)): code for code, (_lat, _lon, name) in CENTRES.items()})
    return _PLACE_STEMS
