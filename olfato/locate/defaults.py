"""Location's defaults, in one import-free module (the CLI reads them without loading NumPy)."""

#: default margin of the search domain around the flown track [m]
DEFAULT_MARGIN_M = 250.0
