"""Values the model refuses still fail with their message at the token's column.

The scanner's values are validated by the model's validator directly (``tokens.build``, without
``BaseModel.__init__``); these lines go through that validation and must keep the messages the
constructor gave.
"""

from __future__ import annotations

import pytest

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text import parse_text


@pytest.mark.parametrize(("sport", "line", "message"), [
    ("running", "- 10m Z8 HR", "<text>:3:7: 'Z8 HR': zone must be at most 7"),
    ("running", "- 10m 300-310bpm", "<text>:3:7: '300-310bpm': low must be at most 250"),
    ("strength", "- 3x1001 Squat", "<text>:3:3: '3x1001': reps must be at most 1000"),
    ("running", "- 10m 150% HR", "<text>:3:7: '150% HR': low must be at most 110"),
    ("running", "- 10m 4000w", "<text>:3:7: '4000w': low must be at most 3000"),
    ("running", "- 2000km", "<text>:3:3: '2000km': meters must be at most 1e+06"),
])
def test_a_value_out_of_the_models_range_is_refused_with_its_message(sport: str, line: str, message: str) -> None:
    with pytest.raises(WorkoutFormatError) as caught:
        parse_text(f"name: x\nsport: {sport}\n{line}")
    assert str(caught.value) == message
