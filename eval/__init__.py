"""Evaluation: metrics, benchmarks, figures and comparisons with peer systems."""
