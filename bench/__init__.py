"""Benchmarks: scripts that print tables, run by hand (python -m bench.inprocess, python -m bench.http)."""
