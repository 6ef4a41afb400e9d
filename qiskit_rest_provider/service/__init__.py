"""The service layer: accounts, the runtime service, backends, jobs, sessions and batches.

Everything here does I/O through ``api/`` and converts through ``codec/``; user code imports
these classes from ``qiskit_rest_provider`` directly.
"""
