"""The SQLite state store (see :mod:`watchsync.store.db` for the tables and guarantees)."""

from watchsync.store.db import Store, retry_delay
from watchsync.store.faults import StoreError, StoreFault, fault_kind
from watchsync.store.rows import (
    ActivityRow,
    ComplianceRow,
    Op,
    OutboxItem,
    OutboxState,
    ScheduleRow,
    ScheduleState,
    WorkoutRow,
)
from watchsync.store.schema import MIGRATIONS, MigrationError, migrate

__all__ = [
    "MIGRATIONS",
    "ActivityRow",
    "ComplianceRow",
    "MigrationError",
    "Op",
    "OutboxItem",
    "OutboxState",
    "ScheduleRow",
    "ScheduleState",
    "Store",
    "StoreError",
    "StoreFault",
    "WorkoutRow",
    "fault_kind",
    "migrate",
    "retry_delay",
]
