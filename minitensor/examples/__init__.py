"""Runnable examples: ``python -m minitensor.examples.<name>``."""
