"""Maintenance scripts of the repository (not installed with the modelpick package)."""
