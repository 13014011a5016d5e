"""One Garmin account per athlete: two athletes logged into the same account would overwrite each
other's same-named workouts, so that is refused unless the second login opts in explicitly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watchsync.garmin.errors import GarminError
from watchsync.store import Store

ACCOUNT_KEY = "garmin_account"


class SharedAccount(GarminError):
    """The Garmin account is already the account of another athlete."""


def record_account(store: Store, athlete: str, who: dict[str, Any], *, shared: bool = False) -> None:
    """Remember which Garmin account ``athlete`` is logged into (``shared``: the athlete opted in)."""
    store.kv_set(athlete, ACCOUNT_KEY, {"profile_id": who.get("profile_id"),
                                        "display_name": who.get("display_name"), "shared": shared})


def check_account(store: Store, athlete: str, who: dict[str, Any], athletes: Iterable[str], *,
                  shared: bool = False) -> None:
    """Raise :class:`SharedAccount` when another athlete is logged into the same Garmin account."""
    if shared or who.get("profile_id") is None:
        return
    mine = store.kv_get(athlete, ACCOUNT_KEY)
    if isinstance(mine, dict) and mine.get("shared") and mine.get("profile_id") == who.get("profile_id"):
        return  # this athlete opted in at login
    for other in athletes:
        if other == athlete:
            continue
        theirs = store.kv_get(other, ACCOUNT_KEY)
        if isinstance(theirs, dict) and theirs.get("profile_id") == who.get("profile_id"):
            raise SharedAccount(
                f"Garmin account {who.get('display_name')!r} (profile {who.get('profile_id')}) is already the account "
                f"of athlete {other!r}: two athletes on one account would overwrite each other's workouts. Log in "
                f"with {athlete!r}'s own Garmin account, or run `watchsync login --athlete {athlete} "
                "--shared-account` to share it on purpose")
