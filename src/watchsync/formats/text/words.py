"""The words of a text that set a step's intensity, in the languages coaches write in.

intervals.icu texts are written in many languages (French, Spanish, German, Dutch, Portuguese,
Italian, Czech, Polish, the Nordic ones); a section header such as ``Échauffement`` or ``Vuelta a la
calma`` sets warm-up or cool-down as ``Warmup`` does, and a cue such as ``Récup`` or ``Trabpause``
in a repeat marks its recovery as ``jog`` does. Words are compared folded: lower case, accents
dropped (``récupération`` → ``recuperation``), split at anything that is not a letter.
"""

from __future__ import annotations

import re
import unicodedata

from watchsync.model.enums import Intensity

_LETTERS = re.compile(r"[a-z]+")

#: Section headers (their first words, folded) and the intensity they give their steps.
SECTION_INTENSITY: dict[str, Intensity] = {
    **dict.fromkeys(["warmup", "warm up", "wu", "echauffement", "calentamiento", "entrada en calor", "aufwarmen",
                     "aufwaermen", "einlaufen", "einfahren", "einrollen", "einschwimmen", "inrijden", "inzwemmen",
                     "opwarming", "inlopen", "uppvarmning", "oppvarming", "opvarmning", "varm op", "varme op",
                     "lammittely", "aquecimento", "riscaldamento", "rozcvicka", "rozklus", "rozgrzewka"],
                    Intensity.WARMUP),
    **dict.fromkeys(["cooldown", "cool down", "cd", "cooling down", "warm down", "warmdown", "retour au calme",
                     "vuelta a la calma", "enfriamiento", "auslaufen", "ausrollen",
                     "ausfahren", "ausschwimmen", "uitzwemmen", "abwarmen", "uitlopen", "uitrijden", "nedvarvning",
                     "nedjogg", "nedkjoling", "nedkoling", "jaahdyttely", "desaquecimento", "volta a calma",
                     "defaticamento", "vyklus", "vyklusani", "schlazeni", "wyciszenie", "schladzanie"],
                    Intensity.COOLDOWN),
    **dict.fromkeys(["recovery", "recuperation", "recuperacion", "recuperacao", "recupero", "erholung", "herstel",
                     "aterhamtning", "restitusjon", "regenerace", "regeneracja"], Intensity.RECOVERY),
    **dict.fromkeys(["rest", "repos", "descanso", "pause", "ruhe", "rust", "riposo", "vila", "pauza",
                     "odpocinek", "odpoczynek", "lepo"], Intensity.REST),
}
#: The first word of each section word above, and how many words the keys it opens have (most first):
#: a header's first word that opens none (most cue words) is looked up once, not once per length.
_OPENING: dict[str, list[int]] = {}
for _key in SECTION_INTENSITY:
    _OPENING.setdefault(_key.split()[0], []).append(len(_key.split()))
for _counts in _OPENING.values():
    _counts.sort(reverse=True)

#: Words of a step's cue that make a step in a repeat its recovery.
RECOVERY_WORDS = frozenset({
    "recover", "recovery", "jog", "walk", "easy", "float",
    "recup", "recuperation", "recuperacion", "recuperar", "recuperacao", "recupero", "marche", "trot",
    "trote", "caminar", "caminata", "trabpause", "erholung", "gehpause", "traben", "herstel", "dribbel",
    "wandelen", "joggen", "jogg", "jogging", "klus", "klusem", "meziklus", "trucht", "truchtem",
})
#: Words that, opening a cue, make a step outside repeats a rest.
REST_WORDS = frozenset(key for key, intensity in SECTION_INTENSITY.items()
                       if intensity is Intensity.REST and " " not in key)


#: Letters with no decomposition into a base letter and an accent, as they are written in ASCII.
_WHOLE_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "þ": "th",
                                "ð": "d", "ı": "i"})


def folded_words(text: str) -> list[str]:
    """The words of ``text``, lower case, accents dropped (``Récup.`` → ``["recup"]``)."""
    lowered = text.lower()
    if not lowered.isascii():  # letters NFKD keeps whole (Nordic ø and æ, Polish ł, German ß) first
        lowered = unicodedata.normalize("NFKD", lowered.translate(_WHOLE_LETTERS)).encode("ascii", "ignore").decode()
    return _LETTERS.findall(lowered)


def section_intensity(words: list[str]) -> Intensity | None:
    """The intensity a header starting with ``words`` (folded) sets, if it names one."""
    for count in _OPENING.get(words[0], ()) if words else ():
        if count <= len(words):
            intensity = SECTION_INTENSITY.get(" ".join(words[:count]))
            if intensity is not None:
                return intensity
    return None
