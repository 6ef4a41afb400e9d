"""Where a channel's API and token service live, and the proxy settings ``requests`` needs."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..exceptions import AccountError, InvalidInputError
from ..http import ClassicAuth, IamAuth, RetryPolicy, Transport

if TYPE_CHECKING:
    from .accounts import Account

__all__ = ["resolve_urls", "requests_proxies", "classic_hgp", "build_transport"]

IBM_CLOUD_URL = "https://cloud.ibm.com"
IBM_IAM_URL = "https://iam.cloud.ibm.com/identity/token"
CLASSIC_AUTH_URL = "https://auth.quantum.ibm.com/api"
CLASSIC_CHANNEL = "ibm_quantum"


def _crn_field(instance: str | None, index: int) -> str | None:
    parts = (instance or "").split(":")
    return parts[index] if instance and instance.startswith("crn:") and len(parts) > index else None


def resolve_urls(
    channel: str,
    url: str | None,
    instance: str | None,
    *,
    region: str | None = None,
    private_endpoint: bool = False,
) -> tuple[str, str]:
    """Return ``(api_base, auth_url)`` for a channel and an optional URL.

    IBM's own hosts follow the official client's resolver (region from the CRN, then
    ``region``; ``private.`` prefix for private endpoints); ``IAM_URL`` overrides the token
    service. Any other URL (an emulator, a proxy) is the root of the same paths.
    """
    if channel == CLASSIC_CHANNEL:
        root = (url or CLASSIC_AUTH_URL).rstrip("/")
        split = urlsplit(root)
        origin = f"{split.scheme}://{split.netloc}"
        if split.netloc.startswith("auth.quantum"):
            return f"{split.scheme}://api.{split.netloc[5:]}/runtime", root
        return origin + "/runtime", origin + "/api"
    root = (url or IBM_CLOUD_URL).rstrip("/")
    split = urlsplit(root)
    host = split.netloc
    iam_env = os.environ.get("IAM_URL", "").rstrip("/")
    iam_env = f"{iam_env}/identity/token" if iam_env else ""
    ibm = host == "cloud.ibm.com" or host.endswith(".cloud.ibm.com")
    if ibm and "experimental" not in root and not host.startswith(("quantum.", "private.")):
        if ".quantum." not in f".{host}":
            region = _crn_field(instance, 5) or region or "us-east"
            if private_endpoint:
                prefix = f"private.{region}."
            else:
                prefix = "" if region == "us-east" else f"{region}."
            staging = _crn_field(instance, 2) == "staging" or host.startswith("test.")
            iam = "https://iam.test.cloud.ibm.com/identity/token" if staging else IBM_IAM_URL
            if private_endpoint and not staging:
                iam = "https://private.iam.cloud.ibm.com/identity/token"
            return f"{split.scheme}://{prefix}quantum.{host}/api/v1", iam_env or iam
    api = root if "/api/" in root + "/" else root + "/api/v1"
    default_iam = IBM_IAM_URL if ibm else f"{split.scheme}://{host}/identity/token"
    return api, iam_env or default_iam


def requests_proxies(proxies: dict[str, Any] | None) -> dict[str, str] | None:
    """qiskit-ibm-runtime's ``{"urls": {...}}`` form, or a plain ``requests`` mapping."""
    if not proxies:
        return None
    if "username_ntlm" in proxies or "password_ntlm" in proxies:
        raise AccountError(
            "NTLM proxy authentication is not supported; put the credentials in the proxy URL "
            "(http://user:password@proxy:port) instead."
        )
    urls = proxies.get("urls", proxies)
    return {str(k): str(v) for k, v in urls.items()}


def classic_hgp(instance: str | None) -> dict[str, str]:
    """``{"hub", "group", "project"}`` from a Classic ``"h/g/p"`` instance (``{}`` if none)."""
    if not instance:
        return {}
    parts = instance.split("/")
    if len(parts) != 3 or not all(parts):
        raise InvalidInputError(f"Classic instances are 'hub/group/project', got {instance!r}.")
    return dict(zip(("hub", "group", "project"), parts, strict=True))


def build_transport(
    account: Account,
    *,
    timeout: tuple[float, float] | None = None,
    retry: RetryPolicy | None = None,
    url_resolver: Callable[..., str] | None = None,
) -> Transport:
    """The HTTP transport (auth, URLs, TLS, proxies) for an account; sends nothing yet.

    ``url_resolver(url, instance, private_endpoint, channel)``, qiskit-ibm-runtime's hook,
    returns the API root instead of the built-in rules.
    """
    api_base, auth_url = resolve_urls(
        account.channel,
        account.url,
        account.instance,
        region=account.region,
        private_endpoint=bool(account.private_endpoint),
    )
    if url_resolver is not None:
        root = account.url or IBM_CLOUD_URL
        api_base = url_resolver(root, account.instance, account.private_endpoint, account.channel)
    tls = True if account.verify is None else account.verify
    proxy_map = requests_proxies(account.proxies)
    kwargs: dict[str, Any] = {"verify": tls, "proxies": proxy_map, "retry": retry}
    if timeout is not None:
        kwargs["timeout"] = timeout
    if account.channel == CLASSIC_CHANNEL:
        classic = ClassicAuth(account.token, auth_url, verify=tls, proxies=proxy_map)
        return Transport(api_base, classic, api_version=None, **kwargs)
    auth = IamAuth(account.token, auth_url, verify=tls, proxies=proxy_map)
    if not account.instance:
        from .hints import MissingInstanceTransport  # says why the service refuses

        return MissingInstanceTransport(api_base, auth, **kwargs)
    return Transport(api_base, auth, instance=account.instance, **kwargs)
