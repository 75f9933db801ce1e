"""Peer systems, each run as a standalone script inside its own venv (their pins conflict with
ours; they are never dependencies of the package). Each ``*_runner.py`` imports only the
standard library, numpy, OpenCV and the peer itself."""
