"""One Garmin account per athlete: two athletes logged into the same account would overwrite each
other's same-named workouts, so that is refused unless the athlete opted in at login.

Which athlete uses which Garmin account is recorded at ``watchsync login`` (global kv map); every
drain checks its client's account against it before sending anything.
"""

from __future__ import annotations

from typing import Any

from watchsync.garmin.errors import GarminError
from watchsync.store import Store

ACCOUNTS_KEY = "garmin_accounts"  # global kv: athlete -> {profile_id, display_name, shared}


class SharedAccount(GarminError):
    """The Garmin account is already the account of another athlete."""


def record_account(store: Store, athlete: str, who: dict[str, Any], *, shared: bool = False) -> None:
    """Remember which Garmin account ``athlete`` is logged into (``shared``: the athlete opted in)."""
    with store.transaction():
        accounts = _accounts(store)
        accounts[athlete] = {"profile_id": who.get("profile_id"), "display_name": who.get("display_name"),
                             "shared": shared}
        store.kv_set("", ACCOUNTS_KEY, accounts)


def check_account(store: Store, athlete: str, who: dict[str, Any], *, shared: bool = False) -> None:
    """Raise :class:`SharedAccount` when another athlete is recorded on the same Garmin account
    (unless ``shared``, or this athlete opted in for this account at login)."""
    profile = who.get("profile_id")
    accounts = _accounts(store)
    mine = accounts.get(athlete)
    if shared or profile is None or (mine and mine.get("shared") and mine.get("profile_id") == profile):
        return
    for other, theirs in sorted(accounts.items()):
        if other != athlete and theirs.get("profile_id") == profile:
            raise SharedAccount(
                f"Garmin account {who.get('display_name')!r} (profile {profile}) is already the account of athlete "
                f"{other!r}: two athletes on one account would overwrite each other's workouts. Log in with "
                f"{athlete}'s own Garmin account, or run `watchsync login --athlete {athlete} --shared-account` "
                "to share it on purpose")


def _accounts(store: Store) -> dict[str, dict[str, Any]]:
    value = store.kv_get("", ACCOUNTS_KEY)
    return {str(name): dict(entry) for name, entry in value.items()} if isinstance(value, dict) else {}
