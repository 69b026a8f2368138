"""Native graph generators."""
