"""``RuntimeService``: the entry point that holds credentials and hands out backends and jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..api import BackendsApi, IdentityApi, JobsApi, SessionsApi
from ..api.instances import InstancesApi
from ..exceptions import InvalidInputError
from ..http import ClassicAuth, RetryPolicy
from . import accounts
from .backend import RestBackend
from .backend_filters import BackendQueries
from .endpoints import build_transport, classic_hgp, resolve_urls
from .hints import configuration
from .instances import InstanceDirectory
from .job import PollPolicy
from .job_listing import JobQueries
from .polling import poll_policy_for

__all__ = ["RuntimeService", "QiskitRuntimeService", "resolve_urls"]

logger = logging.getLogger(__name__)

CLOUD_CHANNELS = ("ibm_quantum_platform", "ibm_cloud")
CLASSIC_CHANNEL = "ibm_quantum"


class RuntimeService(BackendQueries, JobQueries, InstanceDirectory):
    """Credentials and connection to the runtime REST API.

    No network I/O until used, except that an IBM Cloud account without an instance discovers
    one through Global Search (see :mod:`.instances`).

    Which account is used follows qiskit-ibm-runtime (see
    :mod:`qiskit_rest_provider.service.accounts`):
    ``name=`` > explicit ``token=`` > ``QISKIT_IBM_TOKEN``… > saved default account.

    Args:
        channel: ``"ibm_quantum_platform"`` (default; ``"ibm_cloud"`` is an alias) or
            ``"ibm_quantum"`` for the Classic dialect.
        token: IBM Cloud API key (Classic: the IBM Quantum API token).
        url: Service root; ``None`` for IBM Cloud. Any other URL (e.g. the emulator's) is used
            as is.
        filename: Accounts file; default ``~/.qiskit/qiskit-ibm.json``.
        name: Name of a saved account.
        instance: Instance CRN (Classic: ``"hub/group/project"``).
        proxies: ``{"urls": {"https": "http://proxy:8080"}}`` or a ``requests`` mapping.
        verify: TLS verification, as in ``requests``.
        private_endpoint: Use IBM Cloud's private endpoints.
        url_resolver: ``f(url, instance, private_endpoint, channel) -> API root``, as in
            qiskit-ibm-runtime (e.g. ``lambda url, *_: url + "/api/v1"``).
        region: ``"us-east"`` or ``"eu-de"`` when the instance CRN does not say (with no
            instance: only instances of that region are considered).
        plans_preference: With no instance, prefer instances of these plans, in this order
            (default: free, trial, paygo, paid, subscription, as qiskit-ibm-runtime).
        tags: With no instance, consider only instances carrying all these tags.
        timeout: ``(connect, read)`` seconds for every request.
        retry: Retry policy for transient failures.
        poll: How jobs poll for their status.
    """

    def __init__(
        self,
        channel: str | None = None,
        token: str | None = None,
        url: str | None = None,
        filename: str | None = None,
        name: str | None = None,
        instance: str | None = None,
        *,
        proxies: dict[str, Any] | None = None,
        verify: bool | str | None = None,
        private_endpoint: bool | None = None,
        url_resolver: Callable[..., str] | None = None,
        region: str | None = None,
        plans_preference: list[str] | None = None,
        tags: list[str] | None = None,
        timeout: tuple[float, float] | None = None,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
    ) -> None:
        account = accounts.discover_account(channel, token, url, filename, name)
        for key, value in (
            ("instance", instance),
            ("proxies", proxies),
            ("verify", verify),
            ("private_endpoint", private_endpoint),
            ("region", region),
            ("plans_preference", plans_preference),
            ("tags", tags),
        ):
            if value is not None:
                setattr(account, key, value)
        account.validate()
        self._url_resolver = url_resolver
        self._setup(account, timeout, retry, poll)

    def _setup(
        self,
        account: accounts.Account,
        timeout: tuple[float, float] | None,
        retry: RetryPolicy | None,
        poll: PollPolicy | None,
    ) -> None:
        self._init_args = (account, timeout, retry, poll)
        self._account = account
        self.channel = account.channel
        self._instances: list[dict[str, Any]] | None = None
        self._instance_transports: dict[str, Any] = {}
        self.transport = build_transport(
            account, timeout=timeout, retry=retry, url_resolver=self._url_resolver
        )
        if account.channel in CLOUD_CHANNELS and not account.instance:
            self._adopt_discovered_instance(timeout, retry)
        self.instance = self._account.instance
        self.poll_policy = poll_policy_for(self.transport.base_url, poll)
        self.jobs_api = JobsApi(self.transport)
        self.backends_api = BackendsApi(self.transport)
        self.sessions_api = SessionsApi(self.transport)
        self.instances_api = InstancesApi(self.transport)
        self.identity_api = IdentityApi(self.transport)
        self._backends: dict[tuple[str, bool, str | None], RestBackend] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickled service (e.g. inside a pickled backend) reconnects with the same account.
        return (_restore_service, self._init_args)

    def __deepcopy__(self, memo: dict[int, Any]) -> RuntimeService:
        return self  # one connection and token per service; copies of backends share it

    def __repr__(self) -> str:
        return f"<RuntimeService(channel='{self.channel}', url='{self.transport.base_url}')>"

    # ------------------------------------------------------------------ accounts

    is_local = False  # qiskit-ibm-runtime's flag: this is not QiskitRuntimeLocalService

    save_account = staticmethod(accounts.save_account)
    saved_accounts = staticmethod(accounts.saved_accounts)
    delete_account = staticmethod(accounts.delete_account)

    def active_account(self) -> dict[str, Any]:
        """The account in use, in the accounts-file format (it includes the token)."""
        return self._account.to_saved_format()

    def logout(self) -> None:
        """Invalidate the token on the server; Classic: later calls raise ``LoggedOutError``."""
        auth = self.transport.auth
        if isinstance(auth, ClassicAuth):
            auth.logout()
            return
        if not self.identity_api.logout():
            logger.debug("the service has no logout endpoint; forgetting the token locally")
        auth.invalidate(auth.headers())

    # ------------------------------------------------------------------ backends

    def backend(
        self,
        name: str,
        instance: str | None = None,
        use_fractional_gates: bool = False,
        calibration_id: str | None = None,
    ) -> RestBackend:
        """The backend called ``name`` (one configuration request, then cached).

        Args:
            name: Backend name.
            instance: Must be the service's instance if given (one instance per service).
            use_fractional_gates: Keep ``rx``/``rzz`` in a device's target.
            calibration_id: Read configuration and properties of that calibration.

        Raises:
            BackendNotFoundError: The instance has no such backend, or no such calibration.
            InvalidInputError: ``instance`` is another instance.
        """
        self._check_instance(instance)
        key = (name, bool(use_fractional_gates), calibration_id)
        backend = self._backends.get(key)
        if backend is None:
            other = self._backends.get((name, not key[1], calibration_id))
            config = (
                other.configuration().to_dict()
                if other
                else configuration(self.backends_api, name, calibration_id=calibration_id)
            )
            backend = RestBackend(
                self, config, use_fractional_gates=key[1], calibration_id=calibration_id
            )
            self._backends[key] = backend
        return backend

    def _check_instance(self, instance: str | None) -> None:
        if instance is not None and instance != self.instance:
            raise InvalidInputError(
                "A RuntimeService acts on one instance; create another RuntimeService("
                "instance=...) to use a different one."
            )

    def active_instance(self) -> str | None:
        """The instance (CRN, or Classic ``hub/group/project``) requests act on."""
        return self.instance

    # ------------------------------------------------------------------ jobs

    def usage(self) -> dict[str, Any]:
        """The instance's usage this period, plus ``usage_remaining_seconds`` when limited."""
        usage = self.instances_api.usage(classic=self.channel == CLASSIC_CHANNEL)
        limit = usage.get("usage_limit_seconds") or usage.get("usage_allocation_seconds")
        if limit:
            consumed = float(usage.get("usage_consumed_seconds") or 0)
            usage["usage_remaining_seconds"] = max(float(limit) - consumed, 0.0)
        return usage

    # ------------------------------------------------------------------ hooks

    def job_fields(self) -> dict[str, Any]:
        """Extra top-level ``POST /jobs`` fields: ``hub``/``group``/``project`` on Classic."""
        return classic_hgp(self.instance) if self.channel == CLASSIC_CHANNEL else {}

    def session_fields(self) -> dict[str, Any]:
        """Extra ``POST /sessions`` fields: ``instance: "h/g/p"`` on Classic."""
        if self.channel == CLASSIC_CHANNEL and self.instance:
            return {"instance": self.instance}
        return {}


#: qiskit-ibm-runtime's name, so the import swap changes only the package name.
QiskitRuntimeService = RuntimeService


def _restore_service(
    account: accounts.Account,
    timeout: tuple[float, float] | None,
    retry: RetryPolicy | None,
    poll: PollPolicy | None,
) -> RuntimeService:
    service = RuntimeService.__new__(RuntimeService)
    service._url_resolver = None
    service._setup(account, timeout, retry, poll)
    return service
