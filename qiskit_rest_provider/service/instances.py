"""Instances of an IBM Cloud account: discovery through Global Search, as qiskit-ibm-runtime.

Without an instance, every ``/api/v1`` request would carry no ``Service-CRN`` and the service
would refuse it with a misleading 401. qiskit-ibm-runtime 0.51 lists the account's Quantum
instances through IBM Cloud Global Search (``POST /v3/resources/search``), reads each plan from
Global Catalog, orders them (``plans_preference``, else free, trial, paygo, paid,
subscription) and uses the first; so does :class:`~qiskit_rest_provider.RuntimeService`. The
emulator serves stand-ins for both on its own address.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..exceptions import ApiError, InstanceResolutionError, InvalidInputError, QiskitRestError
from ..http import Transport
from ..http.retry import NO_RETRY

if TYPE_CHECKING:
    from .accounts import Account

__all__ = ["InstanceDirectory", "search_urls", "list_instances", "order_instances"]

logger = logging.getLogger(__name__)

PRICING_ORDER = ("free", "trial", "paygo", "paid", "subscription", "unknown")
_FIELDS = ["crn", "service_plan_unique_id", "name", "doc", "tags"]


def search_urls(url: str | None) -> tuple[str, str]:
    """``(Global Search root, Global Catalog root)`` for an account URL.

    IBM Cloud's public hosts for ``cloud.ibm.com`` (the default); any other URL (the
    emulator) serves both itself. ``GLOBAL_SEARCH_URL`` / ``GLOBAL_CATALOG_URL`` override, as
    for qiskit-ibm-runtime.
    """
    root = (url or "https://cloud.ibm.com").rstrip("/")
    parts = urlsplit(root)
    host = parts.hostname or ""
    if host == "cloud.ibm.com" or host.endswith(".cloud.ibm.com") or host == "test.cloud.ibm.com":
        base = host.split("cloud.ibm.com")[0]  # "" or "test." for staging
        search = f"{parts.scheme}://api.global-search-tagging.{base}cloud.ibm.com"
        catalog = f"{parts.scheme}://globalcatalog.{base}cloud.ibm.com/api/v1"
    else:
        search, catalog = root, f"{root}/globalcatalog/api/v1"
    return (
        os.environ.get("GLOBAL_SEARCH_URL", search).rstrip("/"),
        os.environ.get("GLOBAL_CATALOG_URL", catalog).rstrip("/"),
    )


def _plan(catalog: Transport, plan_id: str | None) -> tuple[str, str]:
    if not plan_id:
        return "unknown", "unknown"
    try:
        entry = catalog.request("GET", plan_id).json()
    except ApiError:  # archived plans answer 403; the plan is then "unknown", as theirs
        logger.warning("The plan of an instance could not be read from Global Catalog.")
        return "unknown", "unknown"
    name = ((entry.get("overview_ui") or {}).get("en") or {}).get("display_name") or "unknown"
    pricing = ((entry.get("metadata") or {}).get("pricing") or {}).get("type") or "unknown"
    return str(name).lower(), str(pricing).lower()


def list_instances(search: Transport, catalog: Transport) -> list[dict[str, Any]]:
    """Every Quantum instance of the key with a backend allocation.

    Returns:
        ``[{"crn", "plan", "name", "tags", "pricing_type"}]`` as qiskit-ibm-runtime's
        ``instances()``.

    Raises:
        InstanceResolutionError: Global Search refused or could not be reached.
    """
    found: list[dict[str, Any]] = []
    cursor = None
    plans: dict[str, tuple[str, str]] = {}
    for _ in range(100):  # 100 pages of 100: a bound, never a loop on a broken cursor
        body: dict[str, Any] = {"query": "service_name:quantum-computing", "fields": _FIELDS}
        if cursor:
            body["search_cursor"] = cursor
        try:
            page = search.request(
                "POST", "v3/resources/search", params={"limit": 100}, json_body=body
            ).json()
        except QiskitRestError as exc:
            raise InstanceResolutionError(
                f"Unable to list the instances of this API key through Global Search "
                f"({type(exc).__name__}: {exc}). Pass instance=<CRN> to RuntimeService."
            ) from None
        for item in page.get("items") or []:
            if not (item.get("doc") or {}).get("extensions"):
                continue  # no backend allocation
            plan_id = item.get("service_plan_unique_id")
            if plan_id not in plans:
                plans[plan_id] = _plan(catalog, plan_id)
            name, pricing = plans[plan_id]
            found.append(
                {
                    "crn": item.get("crn"),
                    "plan": name,
                    "name": item.get("name"),
                    "tags": list(item.get("tags") or []),
                    "pricing_type": pricing if pricing in PRICING_ORDER else "unknown",
                }
            )
        cursor = page.get("search_cursor")
        if not cursor:
            break
    return found


def order_instances(
    instances: list[dict[str, Any]],
    plans_preference: list[str] | None = None,
    region: str | None = None,
    tags: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The instances to use, best first, filtered and sorted as qiskit-ibm-runtime does."""
    kept = [
        item
        for item in instances
        if (not tags or all(t.lower() in [x.lower() for x in item["tags"]] for t in tags))
        and (not region or region in str(item["crn"]))
    ]
    if plans_preference:
        wanted = [plan.lower() for plan in plans_preference]
        kept = [item for item in kept if item["plan"] in wanted]
        return sorted(kept, key=lambda item: wanted.index(item["plan"]))
    return sorted(kept, key=lambda item: PRICING_ORDER.index(item["pricing_type"]))


class InstanceDirectory:
    """``RuntimeService``'s instance methods: ``instances()`` and per-instance transports."""

    _account: Account
    _url_resolver: Any
    transport: Transport
    _instances: list[dict[str, Any]] | None
    _instance_transports: dict[str, Transport]

    def _search_transports(self) -> tuple[Transport, Transport]:
        search, catalog = search_urls(self._account.url)
        auth = self.transport.auth
        # One attempt each: discovery is a convenience, and a failure falls back to no instance.
        return (
            Transport(search, auth, api_version=None, retry=NO_RETRY),
            Transport(catalog, auth, api_version=None, retry=NO_RETRY),
        )

    def instances(self) -> list[dict[str, Any]]:
        """The account's instances: ``[{"crn", "plan", "name", "tags", "pricing_type"}]``.

        Raises:
            InstanceResolutionError: Global Search could not be asked.
        """
        if self._instances is None:
            if self._account.channel == "ibm_quantum":
                raise InvalidInputError("instances() lists IBM Cloud instances only.")
            self._instances = list_instances(*self._search_transports())
        return [dict(item) for item in self._instances]

    def _adopt_discovered_instance(self, timeout: Any, retry: Any) -> None:
        """As qiskit-ibm-runtime: ask Global Search for the key's instances, use the best."""
        picked = self._pick_instance()
        if picked is None:
            return
        from .endpoints import build_transport

        auth = self.transport.auth
        self._account = dataclasses.replace(self._account, instance=picked)
        self.transport = build_transport(
            self._account, timeout=timeout, retry=retry, url_resolver=self._url_resolver
        )
        self.transport.auth = auth  # keep the token already obtained

    def _pick_instance(self) -> str | None:
        """The instance to use when none was given (``None``, with a warning, if none fits)."""
        account = self._account
        try:
            ranked = order_instances(
                self.instances(), account.plans_preference, account.region, account.tags
            )
        except InstanceResolutionError as exc:
            logger.warning("No instance given and none could be discovered: %s", exc)
            return None
        if not ranked:
            logger.warning("No instance of this API key matches the preferences given.")
            return None
        chosen = ranked[0]
        logger.warning(
            "No instance given: using %r (plan %s) of the account's instances %s. Pass "
            "instance=<CRN> to choose one explicitly.",
            chosen["name"],
            chosen["plan"],
            [item["name"] for item in ranked],
        )
        return str(chosen["crn"])

    def _crn_of(self, instance: str) -> str:
        """A CRN given as is, or the CRN of an instance given by name.

        Raises:
            InvalidInputError: No instance of that name.
        """
        if instance.startswith("crn:") or self._account.channel == "ibm_quantum":
            return instance
        for item in self.instances():
            if item["name"] == instance:
                return str(item["crn"])
        raise InvalidInputError(
            f"The instance specified ({instance}) is not a valid instance name."
        )

    def _transport_for(self, instance: str | None) -> Transport:
        """The transport whose requests act on ``instance`` (the service's own by default)."""
        if instance is None:
            return self.transport
        crn = self._crn_of(instance)
        if crn == self._account.instance:
            return self.transport
        if crn not in self._instance_transports:
            from .endpoints import build_transport

            other = dataclasses.replace(self._account, instance=crn)
            self._instance_transports[crn] = build_transport(
                other, retry=self.transport.retry, url_resolver=self._url_resolver
            )
        return self._instance_transports[crn]
