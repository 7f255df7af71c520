"""Detection: background, plume hits, chemical fingerprints, the signature library."""
