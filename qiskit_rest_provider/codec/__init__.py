"""Pure conversions between Qiskit objects and the runtime REST wire format (no I/O).

Both halves of the package use this: the client to build request bodies and decode results,
the emulator to read request bodies and build results. One wire format, written once.
"""
