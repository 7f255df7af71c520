"""Chemistry: the signature library of emitter fingerprints (labs, farms, fuel stations,
landfills, fires, traffic), shared by the simulator and by detection."""
