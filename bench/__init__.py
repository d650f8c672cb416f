"""Benchmarks: figures, never assertions. Run with `make bench`."""
