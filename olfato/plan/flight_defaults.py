"""Default flight settings of a small survey multirotor, shared by the planners and CLI.

One place, so that the library functions and the commands cannot drift apart. No
imports: the CLI reads these while ``olfato --help`` stays fast.
"""

#: cruise speed [m/s]: slow enough for a gas sensor with a ~1 s response to resolve a
#: plume tens of metres wide
SPEED_MS = 6.0
#: battery endurance, take-off to landing [s]: 20 min, a typical small multirotor's
ENDURANCE_S = 1200.0
#: fraction of the endurance left unused at landing [-]
RESERVE = 0.2
#: lowest flight height above home [m]: clear of trees and buildings
MIN_ALT_M = 10.0
#: highest flight height above home [m]: 120 m (400 ft), the ceiling of the EASA open
#: category and FAA Part 107 without a waiver
MAX_ALT_M = 120.0
#: 95% ellipse semi-major axis at which a candidate source counts as settled [m]
GOAL_M = 25.0
