"""``python -m qiskit_rest_provider.cli``: the ``qiskit-rest`` command."""

import sys

from . import main

sys.exit(main())
