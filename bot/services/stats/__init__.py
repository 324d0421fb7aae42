"""Leaders' figures: the overview, its chart and the digests built on it."""
