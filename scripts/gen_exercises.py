"""Generate src/watchsync/data/exercises.json from ``garminconnect.exercises``.

Importing ``garminconnect`` costs ~0.2 s (requests, the API client), too slow for ``watchsync
validate``; the catalogue is copied here once per garminconnect upgrade as compact rows
``[display name, category, exercise]``::

    {"source": "garminconnect 0.3.20", "exercises": [["Goblet Squat", "SQUAT", "GOBLET_SQUAT"], ...]}

Run from the repository root: ``.venv/bin/python scripts/gen_exercises.py``.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from garminconnect import exercises

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "watchsync" / "data" / "exercises.json"


def build() -> dict[str, object]:
    rows = [[entry["name"], entry["category"], entry["exercise"]] for entry in exercises.EXERCISES]
    return {"source": f"garminconnect {version('garminconnect')}", "exercises": rows}


def main() -> None:
    text = json.dumps(build(), ensure_ascii=False, separators=(",", ":"))
    OUTPUT.write_text(text.replace("],[", "],\n[") + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
