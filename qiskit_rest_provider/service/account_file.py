"""Reading and writing the accounts file (``~/.qiskit/qiskit-ibm.json``).

Written as qiskit-ibm-runtime writes it (``json.dump(..., sort_keys=True, indent=4)``) so either
package reads the other's accounts; everything we do not know is written back unchanged. The
file is replaced atomically and created owner-only (it holds API keys).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from typing import Any

from ..exceptions import AccountAlreadyExistsError, AccountError

__all__ = [
    "AccountAlreadyExistsError",
    "read_accounts",
    "write_account",
    "saved_accounts",
    "delete_account",
    "default_name",
]

logger = logging.getLogger(__name__)

DEFAULT_ACCOUNT_FILE = os.path.join("~", ".qiskit", "qiskit-ibm.json")
DEFAULT_CHANNEL = "ibm_quantum_platform"
DEFAULT_NAMES = {
    "ibm_quantum_platform": "default-ibm-quantum-platform",
    "ibm_cloud": "default-ibm-cloud",
    "ibm_quantum": "default-ibm-quantum",
}
_GENERIC_DEFAULT = "default"
DEFAULT_URLS = {
    "ibm_quantum_platform": "https://cloud.ibm.com",
    "ibm_cloud": "https://cloud.ibm.com",
    "ibm_quantum": "https://auth.quantum.ibm.com/api",
}


def _path(filename: str | None) -> str:
    return os.path.abspath(os.path.expanduser(filename or DEFAULT_ACCOUNT_FILE))


def read_accounts(filename: str | None) -> dict[str, Any]:
    """Every record of the accounts file (``{}`` when it does not exist)."""
    path = _path(filename)
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise AccountError(f"Could not read the accounts file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise AccountError(f"The accounts file {path} does not hold a JSON object.")
    return data


def _write(filename: str | None, data: dict[str, Any]) -> None:
    path = _path(filename)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o600
    # Write a sibling file then rename, so a crash never leaves a half-written accounts file.
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".qiskit-ibm-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, sort_keys=True, indent=4)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def default_name(channel: str | None) -> str:
    """The name ``save_account`` uses when none is given."""
    return DEFAULT_NAMES.get(channel or DEFAULT_CHANNEL, DEFAULT_NAMES[DEFAULT_CHANNEL])


def write_account(
    name: str,
    record: dict[str, Any],
    *,
    filename: str | None = None,
    overwrite: bool | None = False,
    set_as_default: bool | None = None,
) -> None:
    """Write one account record (already validated, in the saved format) to the file.

    Raises:
        AccountAlreadyExistsError: ``name`` exists, or ``set_as_default`` would replace another
            default account, and ``overwrite`` is false.
    """
    data = read_accounts(filename)
    if data.get(name) and not overwrite:
        raise AccountAlreadyExistsError(
            f"An account named {name!r} already exists; pass overwrite=True to replace it."
        )
    if set_as_default:
        record["is_default_account"] = True
        for other_name, other in data.items():
            if other_name != name and isinstance(other, dict) and other.get("is_default_account"):
                if not overwrite:
                    raise AccountAlreadyExistsError(
                        f"{other_name!r} is already the default account; pass overwrite=True "
                        "to make this one the default instead."
                    )
                del other["is_default_account"]
    data[name] = record
    _write(filename, data)
    logger.info("saved account %r to %s", name, _path(filename))


def saved_accounts(
    default: bool | None = None,
    channel: str | None = None,
    filename: str | None = None,
    name: str | None = None,
) -> dict[str, dict[str, Any]]:
    """The saved accounts, filtered; ``{name: record}`` as stored in the file."""
    defaults = (_GENERIC_DEFAULT, *DEFAULT_NAMES.values())
    out = {}
    for account_name, record in read_accounts(filename).items():
        if not isinstance(record, dict):
            continue
        if name is not None and account_name != name:
            continue
        if channel is not None and record.get("channel", DEFAULT_CHANNEL) != channel:
            continue
        is_default = account_name in defaults or bool(record.get("is_default_account"))
        if default is not None and is_default != default:
            continue
        out[account_name] = dict(record)
    return out


def delete_account(
    filename: str | None = None, name: str | None = None, channel: str | None = None
) -> bool:
    """Delete a saved account (by name, else the channel's default); ``True`` if one was."""
    name = name or default_name(channel)
    data = read_accounts(filename)
    if name not in data:
        return False
    del data[name]
    _write(filename, data)
    return True
