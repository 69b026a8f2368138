"""Hand-written native twins."""
