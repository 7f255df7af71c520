"""Many flights on Dask: every survey of a campaign through read, detect and locate on
Dask workers, recorded in the case by the one process that owns the database; and the
campaign across flights: sources merged into sites, seen again or not.

    from olfato.batch import run_batch, campaign_summary
    result = run_batch(store, "sonora", ["flights/"])          # LocalCluster by default
    result = run_batch(store, "sonora", ["flights/*.csv"], scheduler="tcp://10.0.0.5:8786")
    summary = campaign_summary(store, "sonora")
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.batch.inputs import find_surveys
    from olfato.batch.runner import BatchResult, run_batch
    from olfato.batch.sites import Sighting, Site, merge_sightings
    from olfato.batch.summary import CampaignSummary, campaign_map, campaign_summary

__all__ = [
    "BatchResult",
    "CampaignSummary",
    "Sighting",
    "Site",
    "campaign_map",
    "campaign_summary",
    "find_surveys",
    "merge_sightings",
    "run_batch",
]
_MODULE = {
    "find_surveys": "inputs",
    "BatchResult": "runner",
    "run_batch": "runner",
    "Site": "sites",
    "Sighting": "sites",
    "merge_sightings": "sites",
    "CampaignSummary": "summary",
    "campaign_map": "summary",
    "campaign_summary": "summary",
}

__getattr__ = exports(__name__, _MODULE)
