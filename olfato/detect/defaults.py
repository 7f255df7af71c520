"""Detection's defaults, in one import-free module (the CLI reads them without loading NumPy)."""

#: default expected false hits per flight hour on clean air [1/h]; sets the threshold
DEFAULT_FALSE_ALARMS_PER_HOUR = 0.2
