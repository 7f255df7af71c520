"""Location's defaults, in one import-free module (the CLI reads them without loading NumPy)."""

#: default margin of the search domain around the flown track [m]
DEFAULT_MARGIN_M = 250.0

#: default prior sd [deg] of a bias of the whole flight's logged wind direction
#: (:func:`olfato.locate.pipeline.with_nuisances`). A vane or sonic anemometer is
#: specified to +-2-3 deg (e.g. R.M. Young 05103: +-3 deg; Gill WindSonic: +-3 deg), the
#: WMO's required uncertainty of a wind direction is 5 deg (WMO-No. 8, CIMO Guide, 2018,
#: Vol. I, Annex 1.A), and a drone-borne sensor adds the error of the drone's compass
#: heading (a few deg)
DIRECTION_BIAS_SD_DEG = 4.0
#: whether locate averages each source over the survey's stability class and its
#: neighbours by default (:func:`olfato.locate.pipeline.with_nuisances`; prior 0.7 on the
#: survey's class, :data:`olfato.locate.posterior.P_SURVEY_CLASS`). Off, for now: on 24
#: flights x 3 conditions (``benchmarks/nuisance.py --seeds 4``, paired, with the wind
#: bias) it brings the 95% coverage of a class wrong by one from 85% to 100% and its median
#: error from 33.8 to 27.5 m, and changes the as-simulated median error by +0.3 m (95%
#: interval -0.9 to 1.6 m), but on tests/locate's one-lab flight it moves the estimate
#: from 23 to 32 m off the truth
AVERAGE_STABILITY = False
