"""Benchmarks of the QMI portal (see README.md)."""
