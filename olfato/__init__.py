"""olfato: find clandestine chemical labs from drone gas surveys.

olfato detects and reports. It has no targeting function, and every candidate it
reports needs ground confirmation.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("olfato")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

CAVEAT = (
    "olfato detects and reports; it has no targeting function. "
    "Every candidate source needs ground confirmation."
)

__all__ = ["CAVEAT", "__version__"]
