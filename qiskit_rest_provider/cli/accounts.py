"""``qiskit-rest account save|list|delete``: the accounts file qiskit-ibm-runtime also reads."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import NOT_FOUND, OK, emit, json_parent, table

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    """Adds ``account`` and its subcommands."""
    account = commands.add_parser(
        "account",
        help="save, list or delete saved accounts",
        description="Saved accounts, in ~/.qiskit/qiskit-ibm.json (qiskit-ibm-runtime's file).",
    )
    actions = account.add_subparsers(dest="action", required=True, metavar="ACTION")
    file_opt = argparse.ArgumentParser(add_help=False)
    file_opt.add_argument(
        "--accounts-file", metavar="PATH", help="default ~/.qiskit/qiskit-ibm.json"
    )

    save = actions.add_parser("save", parents=[file_opt], help="save an account")
    save.add_argument("--token", required=True, help="IBM Cloud API key (Classic: API token)")
    save.add_argument("--instance", metavar="CRN", help="instance CRN (Classic: hub/group/project)")
    save.add_argument("--name", help="account name (default: the channel's default name)")
    save.add_argument("--channel", help="ibm_quantum_platform (default) or ibm_quantum")
    save.add_argument("--url", help="service root (e.g. an emulator's URL)")
    save.add_argument("--overwrite", action="store_true", help="replace an existing account")
    save.add_argument("--set-as-default", action="store_true", help="make it the default account")
    save.set_defaults(handler=_save)

    listing = actions.add_parser(
        "list", parents=[file_opt, json_parent()], help="list saved accounts (tokens hidden)"
    )
    listing.add_argument("--channel", help="only accounts of this channel")
    listing.set_defaults(handler=_list)

    delete = actions.add_parser("delete", parents=[file_opt], help="delete a saved account")
    delete.add_argument("--name", help="account name (default: the channel's default name)")
    delete.add_argument("--channel", help="channel whose default account to delete")
    delete.set_defaults(handler=_delete)


def _save(args: argparse.Namespace) -> int:
    from ..service.account_file import default_name
    from ..service.accounts import save_account

    save_account(
        token=args.token,
        url=args.url,
        instance=args.instance,
        channel=args.channel,
        filename=args.accounts_file,
        name=args.name,
        overwrite=args.overwrite,
        set_as_default=args.set_as_default or None,
    )
    name = args.name or default_name(args.channel)
    print(f"saved account {name!r}")
    return OK


def _list(args: argparse.Namespace) -> int:
    from ..service.account_file import saved_accounts

    accounts = saved_accounts(channel=args.channel, filename=args.accounts_file)
    # Never print a token: only its presence.
    shown = {
        name: {
            "channel": record.get("channel", "ibm_quantum_platform"),
            "url": record.get("url"),
            "instance": record.get("instance"),
            "default": bool(record.get("is_default_account")),
            "token": "set" if record.get("token") else "missing",
        }
        for name, record in accounts.items()
    }
    rows = [
        [name, r["channel"], r["instance"] or "-", r["url"] or "-", "yes" if r["default"] else ""]
        for name, r in shown.items()
    ]
    return emit(args, shown, lambda: table(rows, ["name", "channel", "instance", "url", "default"]))


def _delete(args: argparse.Namespace) -> int:
    from ..service.account_file import default_name, delete_account

    name = args.name or default_name(args.channel)
    if not delete_account(filename=args.accounts_file, name=args.name, channel=args.channel):
        print(f"qiskit-rest: no saved account named {name!r}", file=sys.stderr)
        return NOT_FOUND
    print(f"deleted account {name!r}")
    return OK
