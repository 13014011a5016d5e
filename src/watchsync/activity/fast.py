"""Fast path: strict, columnar decoding with fitfast (Rust, numpy)."""

from __future__ import annotations

import fitfast
import numpy as np

from watchsync.activity.hrbytes import HR_MESSAGE, HrGather, hr_columns
from watchsync.activity.messages import MESSAGE_KINDS, RECORD_FIELDS, native_developer_columns
from watchsync.activity.raw import RawDecode
from watchsync.activity.slim import message_numbers, slim

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
    columns = fitfast.records(data, "record", degrees=True)
    parsed = fitfast.parse(data if slimmed is None else slimmed, enum_names=True, datetimes=False)
    kept = {name: np.asarray(columns[name], dtype=np.float64) for name in RECORD_FIELDS if name in columns}
    for developer, native in native_developer_columns(parsed.get("field_description", [])).items():
        if developer not in columns:
            continue
        extra = np.asarray(columns[developer], dtype=np.float64)  # a Connect IQ power meter's watts
        # record by record where none was written: a triathlon's bike watts and its run's Stryd (probe fit12)
        kept[native] = extra if native not in kept else np.where(np.isnan(kept[native]), extra, kept[native])
    return RawDecode(messages={kind: parsed.get(kind, []) for kind in MESSAGE_KINDS}, columns=kept, hr=hr)

