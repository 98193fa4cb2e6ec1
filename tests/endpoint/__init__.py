"""Local Amazon WorkSpaces endpoint for tests: moto server plus WorkSpaces behaviour, counters and faults.

``Endpoint.start()`` runs ``python -m endpoint`` in a subprocess; importing this package does not import moto.
"""

from .client import MUTATING_ACTIONS, SETUP_HEADER, Endpoint

__all__ = ["MUTATING_ACTIONS", "SETUP_HEADER", "Endpoint"]
