"""Benchmark drivers: scripts each engine's interpreter runs by path (see bench_io)."""
