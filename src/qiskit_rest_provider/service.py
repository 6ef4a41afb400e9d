"""``RuntimeService``: the entry point that holds credentials and hands out backends and jobs."""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import urlsplit

from .api import BackendsApi, JobsApi, SessionsApi
from .backend import RestBackend
from .exceptions import InvalidInputError
from .http import ClassicAuth, IamAuth, RetryPolicy, Transport
from .job import PollPolicy, RuntimeJob

__all__ = ["RuntimeService", "resolve_urls"]

logger = logging.getLogger(__name__)

IBM_CLOUD_URL = "https://cloud.ibm.com"
IBM_IAM_URL = "https://iam.cloud.ibm.com/identity/token"
CLASSIC_AUTH_URL = "https://auth.quantum.ibm.com/api"
CLOUD_CHANNELS = ("ibm_quantum_platform", "ibm_cloud")
CLASSIC_CHANNEL = "ibm_quantum"


def _region(instance: str | None) -> str:
    parts = (instance or "").split(":")
    return parts[5] if len(parts) > 5 and parts[5] else "us-east"


def resolve_urls(channel: str, url: str | None, instance: str | None) -> tuple[str, str]:
    """Return ``(api_base, auth_url)`` for a channel and an optional URL.

    IBM's own hosts follow the official client's resolver (region from the CRN); any other URL
    (an emulator, a proxy, a staging server) is used as the root of the same paths.
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
    if split.netloc == "cloud.ibm.com" or split.netloc.endswith(".cloud.ibm.com"):
        region = _region(instance)
        prefix = "" if region == "us-east" else f"{region}."
        iam = os.environ.get("IAM_URL", "").rstrip("/")
        return (
            f"https://{prefix}quantum.cloud.ibm.com/api/v1",
            f"{iam}/identity/token" if iam else IBM_IAM_URL,
        )
    origin = f"{split.scheme}://{split.netloc}"
    api = root if "/api/" in root + "/" else root + "/api/v1"
    return api, origin + "/identity/token"


class RuntimeService:
    """Credentials and connection to the runtime REST API.

    Args:
        channel: ``"ibm_quantum_platform"`` (default, same as ``"ibm_cloud"``) or
            ``"ibm_quantum"`` for the Classic dialect.
        token: IBM Cloud API key (Classic: the IBM Quantum API token).
        url: Service root; ``None`` for IBM Cloud. Any other URL (e.g. the emulator's) is used
            as is.
        instance: Instance CRN (Classic: ``"hub/group/project"``).
        verify: TLS verification, as in ``requests``.
        proxies: ``requests`` proxies mapping.
        timeout: ``(connect, read)`` seconds for every request.
        retry: Retry policy for transient failures.
        poll: How jobs poll for their status.
    """

    def __init__(
        self,
        channel: str = "ibm_quantum_platform",
        token: str | None = None,
        url: str | None = None,
        instance: str | None = None,
        *,
        verify: bool | str = True,
        proxies: dict[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
    ) -> None:
        if channel not in (*CLOUD_CHANNELS, CLASSIC_CHANNEL):
            raise InvalidInputError(
                f"Unknown channel {channel!r}: use 'ibm_quantum_platform' or 'ibm_quantum'."
            )
        self.channel = channel
        self.instance = instance
        self.poll_policy = poll or PollPolicy()
        api_base, auth_url = resolve_urls(channel, url, instance)
        transport_kwargs: dict[str, Any] = {"verify": verify, "proxies": proxies, "retry": retry}
        if timeout is not None:
            transport_kwargs["timeout"] = timeout
        if channel == CLASSIC_CHANNEL:
            auth = ClassicAuth(token or "", auth_url, verify=verify, proxies=proxies)
            self.transport = Transport(api_base, auth, api_version=None, **transport_kwargs)
        else:
            auth = IamAuth(token or "", auth_url, verify=verify, proxies=proxies)
            self.transport = Transport(api_base, auth, instance=instance, **transport_kwargs)
        self.jobs_api = JobsApi(self.transport)
        self.backends_api = BackendsApi(self.transport)
        self.sessions_api = SessionsApi(self.transport)

    def __repr__(self) -> str:
        return f"<RuntimeService(channel='{self.channel}', url='{self.transport.base_url}')>"

    def backends(self) -> list[RestBackend]:
        """Every backend the instance can use."""
        return [self.backend(device["name"]) for device in self.backends_api.list()]

    def backend(self, name: str) -> RestBackend:
        """The backend called ``name``.

        Raises:
            BackendNotFoundError: The instance has no such backend.
        """
        return RestBackend(self, self.backends_api.configuration(name))

    def job(self, job_id: str) -> RuntimeJob:
        """Rebuild a job handle from its id (any process, no local state needed).

        Raises:
            JobNotFoundError: No such job in this instance.
        """
        data = self.jobs_api.get(job_id, exclude_params=False)
        program = (data.get("program") or {}).get("id") or data.get("program_id") or "sampler"
        return RuntimeJob(
            job_id,
            jobs_api=self.jobs_api,
            program=program,
            backend_name=data.get("backend"),
            poll=self.poll_policy,
            job_data=data,
        )
