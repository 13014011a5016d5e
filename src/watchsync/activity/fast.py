"""Fast path: strict, columnar decoding with fitfast (Rust, numpy)."""

from __future__ import annotations

from typing import Any

import fitfast
import numpy as np

from watchsync.activity.hrbytes import HR_MESSAGE, HrGather, hr_columns
from watchsync.activity.messages import MESSAGE_KINDS, RECORD_FIELDS, native_developer_columns
from watchsync.activity.raw import RawDecode
from watchsync.activity.slim import FitfastUnfit, message_numbers, slim

_KEPT_MESSAGES = message_numbers(MESSAGE_KINDS)
_KEPT_WITHOUT_HR = _KEPT_MESSAGES - {HR_MESSAGE}


def decode(data: bytes) -> RawDecode:
    """Decode a valid FIT file; any defect raises (fitfast is strict by design).

    Records come from `fitfast.records` (numpy columns built in Rust); the few
    other messages from `fitfast.parse` (enum names, strings) of a copy of the
    file without the records, so that no record becomes a dict; `hr` messages (thousands
    in HRM-Swim/Tri files) are read from the bytes into columns. Defects fitfast
    is known to fail on raise `FitfastUnfit` before fitfast sees the file.
    """
    gather = HrGather()
    slimmed = slim(data, _KEPT_WITHOUT_HR, hr=gather)
    hr = None
    if slimmed is not None and gather.usable:
        hr = hr_columns(data, gather)
    elif gather:  # hr messages this reader cannot gather: parse them with the rest
        slimmed = slim(data, _KEPT_MESSAGES)
    parsed = fitfast.parse(data if slimmed is None else slimmed, enum_names=True, datetimes=False)
    descriptions = parsed.get("field_description", [])
    _check_developer_fields(descriptions)
    columns = fitfast.records(data, "record", degrees=True)
    kept = {name: np.asarray(columns[name], dtype=np.float64) for name in RECORD_FIELDS if name in columns}
    for developer, native in native_developer_columns(descriptions).items():
        if developer not in columns:
            continue
        extra = np.asarray(columns[developer], dtype=np.float64)  # a Connect IQ power meter's watts
        # record by record where none was written: a triathlon's bike watts and its run's Stryd (probe fit12), or
        # where another field wrote 0 (a Concept2 field's 0 W beside a Stryd's watts; probe fit14)
        kept[native] = extra if native not in kept else np.where(
            np.isnan(kept[native]) | ((kept[native] == 0) & (extra > 0)), extra, kept[native])
    return RawDecode(messages={kind: parsed.get(kind, []) for kind in MESSAGE_KINDS}, columns=kept, hr=hr)


def _check_developer_fields(descriptions: list[dict[str | int, Any]]) -> None:
    """Raise `FitfastUnfit` when a file describes one developer field twice differently (an app slot handed to
    another Connect IQ app mid-recording): fitfast decodes every record with one description, so a Stryd's
    watts read as a CORE sensor's float °C (0 W avg, 37.3 W max; probe fit14); fitdecode applies each in turn."""
    seen: dict[tuple[object, object], tuple[object, object]] = {}
    for description in descriptions:
        slot = (description.get("developer_data_index"), description.get("field_definition_number"))
        shape = (description.get("field_name"), description.get("fit_base_type_id"))
        if seen.setdefault(slot, shape) != shape:
            raise FitfastUnfit(f"developer field {slot[1]} of app slot {slot[0]} is described twice "
                               f"({seen[slot][0]!r}, then {shape[0]!r})")
