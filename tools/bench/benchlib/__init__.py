"""Tandem's benchmark harness: parse kernel output, run QEMU, summarise and report (docs/benchmarks.md)."""
