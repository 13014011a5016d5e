"""A Connect IQ power meter's developer field that declares itself `record.power` (Stryd's "Power")
is the activity's power when the device wrote none; a native power is never replaced."""

from __future__ import annotations

import numpy as np
import pytest
from fit_tool.base_type import BaseType
from fit_tool.developer_field import DeveloperField
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.profile_type import FileType, Manufacturer

from watchsync.activity import decode_activity
from watchsync.activity.tolerant import decode as tolerant_decode

START_MS = 1_746_682_200_000  # 2025-05-08 05:30 UTC
SECONDS = 120


def _activity_with_an_app() -> FitFileBuilder:
    """An activity file's start: its file id and one Connect IQ app in developer slot 0."""
    builder = FitFileBuilder(auto_define=True, min_string_size=30)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.time_created = START_MS
    builder.add(file_id)
    developer = DeveloperDataIdMessage()
    developer.application_id = bytes(range(16))
    developer.developer_data_index = 0
    builder.add(developer)
    return builder


def _describe(builder: FitFileBuilder, number: int, name: str, base: BaseType, native: int | None) -> None:
    """A field of slot 0's app; ``native``: the record field it declares itself to be."""
    description = FieldDescriptionMessage()
    description.developer_data_index = 0
    description.field_definition_number = number
    description.fit_base_type_id = base
    description.field_name = name
    description.units = "Watts"
    if native is not None:
        description.native_mesg_num = RecordMessage.ID
        description.native_field_num = native
    builder.add(description)


def _stryd_run(*, native: bool, native_records: int = SECONDS) -> bytes:
    """A run whose records carry Stryd's developer "Power" (native record field 7, 250 W) and "Form
    Power" (no native field, 60 W); with ``native`` the watch's own power (300 W) too, in the first
    ``native_records`` records."""
    builder = _activity_with_an_app()
    for number, name, native_field in ((0, "Power", 7), (1, "Form Power", None)):
        _describe(builder, number, name, BaseType.UINT16, native_field)
    for second in range(SECONDS):
        power = DeveloperField(developer_data_index=0, field_id=0, size=2, base_type=BaseType.UINT16)
        power.set_value(0, 250)
        form = DeveloperField(developer_data_index=0, field_id=1, size=2, base_type=BaseType.UINT16)
        form.set_value(0, 60)
        record = RecordMessage(developer_fields=[power, form])
        record.timestamp = START_MS + second * 1000
        record.heart_rate = 150
        if native and second < native_records:
            record.power = 300
        builder.add(record)
    data: bytes = builder.build().to_bytes()
    return data


@pytest.mark.parametrize(("native", "watts"), [(False, 250.0), (True, 300.0)])
def test_a_developer_power_declared_native_is_the_power_when_the_device_wrote_none(native: bool,
                                                                                  watts: float) -> None:
    data = _stryd_run(native=native)
    activity = decode_activity(data)
    assert activity.decoder == "fitfast" and len(activity.records.power) == SECONDS
    assert np.all(activity.records.power == watts)  # never "Form Power" (it declares no native field)
    assert np.all(tolerant_decode(data).raw.columns["power"] == watts)  # the salvage decoder reads it so too


def test_a_developer_power_fills_the_records_the_device_left_without_power() -> None:
    # a triathlon: the bike's power meter wrote native watts, the run's Stryd developer ones; the run's were
    # dropped because the column was not empty (probe fit12)
    data = _stryd_run(native=True, native_records=SECONDS // 2)
    for power in (decode_activity(data).records.power, tolerant_decode(data).raw.columns["power"]):
        assert np.all(power[: SECONDS // 2] == 300.0) and np.all(power[SECONDS // 2:] == 250.0)



def _slot_handed_over() -> bytes:
    """A run whose app slot 0 field 0 is first a CORE sensor's float body temperature (37.3 °C), then, described
    again mid-file, a Stryd's uint16 "Power" (250 W), as a watch writes when another Connect IQ app takes the slot
    (pyroparse's with-developer-fields.fit, probe fit14); and a Concept2 field writing 0 W beside it."""
    builder = _activity_with_an_app()
    _describe(builder, 0, "core_temperature", BaseType.FLOAT32, None)
    for second in range(SECONDS):
        if second == 20:
            _describe(builder, 0, "Power", BaseType.UINT16, 7)
            _describe(builder, 1, "C2 Power", BaseType.UINT16, 7)
        if second < 20:
            field = DeveloperField(developer_data_index=0, field_id=0, size=4, base_type=BaseType.FLOAT32)
            field.set_value(0, 37.3)
            fields = [field]
        else:
            power = DeveloperField(developer_data_index=0, field_id=0, size=2, base_type=BaseType.UINT16)
            power.set_value(0, 250)
            rower = DeveloperField(developer_data_index=0, field_id=1, size=2, base_type=BaseType.UINT16)
            rower.set_value(0, 0)
            fields = [rower, power]
        record = RecordMessage(developer_fields=fields)
        record.timestamp = START_MS + second * 1000
        record.heart_rate = 150
        builder.add(record)
    data: bytes = builder.build().to_bytes()
    return data


def test_an_app_slot_described_again_is_read_with_each_description_and_0_w_yields_to_watts() -> None:
    # fitfast read the Stryd's watts with the CORE sensor's float description: 0 W avg, 37.3 W max (probe fit14)
    activity = decode_activity(_slot_handed_over())
    assert activity.decoder == "fitdecode" and not activity.salvaged
    assert any("described twice ('core_temperature', then 'Power')" in warning for warning in activity.warnings)
    power = activity.records.power
    assert np.all(np.isnan(power[:20])) and np.all(power[20:] == 250.0)
