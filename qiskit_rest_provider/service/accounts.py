"""Saved accounts in ``~/.qiskit/qiskit-ibm.json``, the file qiskit-ibm-runtime uses.

The file is one JSON object keyed by account name. We read and write it exactly as
qiskit-ibm-runtime does (``json.dump(..., sort_keys=True, indent=4)``, ``None`` values left out),
so an account saved by either package works with the other. We never drop what we do not know:
other accounts, and keys of an account this version does not use, are written back unchanged.
Unlike the official client we also save the Classic channel (``ibm_quantum``) and write the file
atomically with owner-only permissions, since it holds API keys.

Which account a service uses (:func:`resolve_account`), in qiskit-ibm-runtime's order:

1. ``name=`` given: that saved account.
2. ``QISKIT_IBM_TOKEN`` set: the environment (``QISKIT_IBM_URL``, ``QISKIT_IBM_INSTANCE``;
   channel from the argument, else ``QISKIT_IBM_CHANNEL``, else ``ibm_quantum_platform``).
3. The account marked ``is_default_account`` (of the channel asked for, if any).
4. For the channel (argument, ``QISKIT_IBM_CHANNEL`` or the default): its default account, then
   the account with the channel's default name, then any account of that channel.
5. Any account with a default name.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import AccountError, AccountNotFoundError, InvalidInputError
from .account_file import (
    DEFAULT_ACCOUNT_FILE,
    DEFAULT_CHANNEL,
    DEFAULT_URLS,
    AccountAlreadyExistsError,
    default_name,
    delete_account,
    read_accounts,
    saved_accounts,
    write_account,
)

__all__ = [
    "Account",
    "AccountNotFoundError",
    "AccountAlreadyExistsError",
    "DEFAULT_ACCOUNT_FILE",
    "save_account",
    "saved_accounts",
    "delete_account",
    "resolve_account",
    "CHANNELS",
]

logger = logging.getLogger(__name__)

CHANNELS = ("ibm_quantum_platform", "ibm_cloud", "ibm_quantum")
_KNOWN_KEYS = (
    "channel",
    "url",
    "token",
    "instance",
    "proxies",
    "verify",
    "private_endpoint",
    "region",
    "plans_preference",
    "tags",
)


@dataclass
class Account:
    """Credentials and connection settings of one account. The token never shows in ``repr``."""

    channel: str = DEFAULT_CHANNEL
    token: str = field(default="", repr=False)
    url: str | None = None
    instance: str | None = None
    proxies: dict[str, Any] | None = field(default=None, repr=False)  # may embed passwords
    verify: bool | None = None
    private_endpoint: bool | None = None
    region: str | None = None
    plans_preference: list[str] | None = None
    tags: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def validate(self) -> Account:
        """Check the values; returns ``self``.

        Raises:
            AccountError: Unknown channel, empty token or malformed values.
        """
        if self.channel not in CHANNELS:
            raise AccountError(
                f"Unknown channel {self.channel!r}: use 'ibm_quantum_platform' (or its alias "
                "'ibm_cloud') or 'ibm_quantum' for the Classic dialect."
            )
        if not isinstance(self.token, str) or not self.token:
            raise AccountError("The account has no token: pass token=... (an API key).")
        if self.region is not None and self.region not in ("us-east", "eu-de"):
            raise AccountError(f"Unknown region {self.region!r}: use 'us-east' or 'eu-de'.")
        if self.proxies is not None and not isinstance(self.proxies, Mapping):
            raise AccountError("proxies must be a dict such as {'urls': {'https': '...'}}.")
        for name in ("plans_preference", "tags"):
            value = getattr(self, name)
            if value is not None and not all(isinstance(v, str) for v in value):
                raise AccountError(f"{name} must be a list of strings.")
        return self

    def to_saved_format(self) -> dict[str, Any]:
        """The record written to the accounts file (``None`` values left out)."""
        out = dict(self.extra)
        for key in _KNOWN_KEYS:
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_saved_format(cls, data: Mapping[str, Any]) -> Account:
        """An account from a file record; keys we do not know are kept in ``extra``."""
        known = {key: data[key] for key in _KNOWN_KEYS if key in data}
        extra = {key: value for key, value in data.items() if key not in _KNOWN_KEYS}
        known.setdefault("channel", DEFAULT_CHANNEL)
        return cls(**known, extra=extra)


def _from_env(channel: str) -> Account | None:
    token = os.getenv("QISKIT_IBM_TOKEN")
    if not token:
        return None
    logger.info("using the account from the QISKIT_IBM_* environment variables")
    return Account(
        channel=channel,
        token=token,
        url=os.getenv("QISKIT_IBM_URL") or None,
        instance=os.getenv("QISKIT_IBM_INSTANCE") or None,
    )


def _default_of(data: dict[str, Any], channel: str | None) -> dict[str, Any] | None:
    named = anyone = None
    for account_name, record in data.items():
        if not isinstance(record, dict):
            continue
        if channel is None:
            if record.get("is_default_account"):
                return record
            continue
        if record.get("channel", DEFAULT_CHANNEL) != channel:
            continue
        if record.get("is_default_account"):
            return record
        if account_name == default_name(channel):
            named = record
        anyone = anyone or record
    return named or anyone


def resolve_account(
    *, channel: str | None = None, name: str | None = None, filename: str | None = None
) -> Account:
    """The account to use when no token is passed explicitly (precedence in the module doc).

    Raises:
        AccountNotFoundError: Nothing matches.
    """
    if name:
        record = read_accounts(filename).get(name)
        if not isinstance(record, dict):
            raise AccountNotFoundError(
                f"No saved account named {name!r} in {filename or DEFAULT_ACCOUNT_FILE}."
            )
        logger.info("loading saved account %r", name)
        return Account.from_saved_format(record)
    channel_ = channel or os.getenv("QISKIT_IBM_CHANNEL") or DEFAULT_CHANNEL
    env = _from_env(channel_)
    if env is not None:
        return env
    data = read_accounts(filename)
    for record in (_default_of(data, channel), _default_of(data, channel_)):
        if record is not None:
            return Account.from_saved_format(record)
    for any_channel in ("ibm_quantum_platform", "ibm_cloud"):
        record = data.get(default_name(any_channel))
        if isinstance(record, dict):
            return Account.from_saved_format(record)
    raise AccountNotFoundError(
        f"No account found for channel {channel_!r}: pass token=... and instance=..., set "
        "QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE, or save one with "
        "RuntimeService.save_account(token=..., instance=...)."
    )


def discover_account(
    channel: str | None,
    token: str | None,
    url: str | None,
    filename: str | None,
    name: str | None,
) -> Account:
    """The account ``RuntimeService(...)`` uses.

    A saved ``name``, else an explicit ``token``, else :func:`resolve_account`; an explicit
    ``url`` overrides the account's.

    Raises:
        AccountNotFoundError: Nothing matches.
        InvalidInputError: Unknown channel.
    """
    if name:
        if channel or token:
            logger.warning("Loading saved account %r; 'channel' and 'token' are ignored.", name)
        account = resolve_account(name=name, filename=filename)
    elif token:
        account = Account(channel=channel or DEFAULT_CHANNEL, token=token)
    else:
        account = resolve_account(channel=channel, filename=filename)
    if url:
        account.url = url
    if account.channel not in CHANNELS:
        raise InvalidInputError(
            f"Unknown channel {account.channel!r}: use 'ibm_quantum_platform' or 'ibm_quantum'."
        )
    return account


def save_account(
    token: str | None = None,
    url: str | None = None,
    instance: str | None = None,
    channel: str | None = None,
    filename: str | None = None,
    name: str | None = None,
    proxies: dict[str, Any] | None = None,
    verify: bool | None = None,
    overwrite: bool | None = False,
    set_as_default: bool | None = None,
    private_endpoint: bool | None = False,
    region: str | None = None,
    plans_preference: list[str] | None = None,
    tags: list[str] | None = None,
) -> None:
    """Save an account to disk (same arguments as qiskit-ibm-runtime's ``save_account``).

    Raises:
        AccountAlreadyExistsError: ``name`` exists, or ``set_as_default`` would replace another
            default account, and ``overwrite`` is false.
        AccountError: The account is invalid.
    """
    channel = channel or os.getenv("QISKIT_IBM_CHANNEL") or DEFAULT_CHANNEL
    name = name or default_name(channel)
    account = Account(
        channel=channel,
        token=token or "",
        url=url or DEFAULT_URLS.get(channel),
        instance=instance,
        proxies=dict(proxies) if proxies else None,
        verify=verify,
        private_endpoint=private_endpoint if channel != "ibm_quantum" else None,
        region=region,
        plans_preference=plans_preference,
        tags=tags,
    ).validate()
    write_account(
        name,
        account.to_saved_format(),
        filename=filename,
        overwrite=overwrite,
        set_as_default=set_as_default,
    )
