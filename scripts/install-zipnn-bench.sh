#!/bin/sh
# Installs ZipNN (PyPI `zipnn`, with its torch dependency) into .venv-bench for `pavepkg-bench run` to compare against.
# Benchmarking only: the tests never use it. Run from the repository root; then: PAVE_BENCH_PYTHON=.venv-bench/bin/python3
set -e; python3 -m venv .venv-bench && .venv-bench/bin/pip install zipnn
