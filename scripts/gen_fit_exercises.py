"""Generate src/watchsync/data/fit_exercises.json from Garmin's FIT profile.

The FIT profile (``garmin_fit_sdk``, a dev-only dependency) numbers every exercise category and, per
category, every exercise name. watchsync names exercises with Garmin Connect's keys (``"SQUAT"`` /
``"GOBLET_SQUAT"``): the FIT name upper-cased, with a leading ``_`` when it starts with a digit
(``3_way_calf_raise`` -> ``_3_WAY_CALF_RAISE``). The output maps those keys to FIT numbers::

    {"fit_profile_version": "...", "categories": {"SQUAT": {"id": 28, "names": {"GOBLET_SQUAT": 37}}}}

Run from the repository root: ``.venv/bin/python scripts/gen_fit_exercises.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from garmin_fit_sdk.profile import Profile

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "watchsync" / "data" / "fit_exercises.json"
UNKNOWN_CATEGORY = "unknown"


def connect_key(fit_name: str) -> str:
    """FIT enum name -> Garmin Connect key."""
    key = fit_name.upper()
    return f"_{key}" if key[0].isdigit() else key


def build() -> dict[str, object]:
    types = Profile["types"]
    categories: dict[str, object] = {}
    for category_id, category in sorted(types["exercise_category"].items()):
        if category == UNKNOWN_CATEGORY:
            continue
        names: dict[str, int] = {}
        for name_id, name in sorted(types.get(f"{category}_exercise_name", {}).items()):
            names.setdefault(connect_key(name), name_id)
        categories[connect_key(category)] = {"id": category_id, "names": names}
    version = Profile["version"]
    return {"fit_profile_version": f"{version['major']}.{version['minor']}", "categories": categories}


def main() -> None:
    OUTPUT.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
