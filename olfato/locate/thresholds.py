"""When a finding is located and when it may be called suspect: locate's user settings.

Import-free (no NumPy), so the command line can show the defaults without loading
the stage. See :mod:`olfato.locate.levels` for what they decide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    """When a source may be called suspect, and when it is located (module docstring).

    ``min_probability_exists`` [-] and ``min_probability_suspect`` [-]: both must be
    reached for ``suspect``; ``min_passes``: passes a source needs to be located.
    Defaults calibrated on benchmarks/locate.py (docs in the closing note).
    """

    min_probability_exists: float = 0.9
    min_probability_suspect: float = 0.7
    min_passes: int = 2

    def __post_init__(self) -> None:
        from olfato.errors import OlfatoError

        for name in ("min_probability_exists", "min_probability_suspect"):
            v = float(getattr(self, name))
            if not 0.0 <= v <= 1.0:
                raise OlfatoError(
                    f"{name} must be a probability in [0, 1], got {v}", parameter=name
                )
        if int(self.min_passes) < 1:
            raise OlfatoError(
                f"min_passes must be at least 1, got {self.min_passes}", parameter="min_passes"
            )
