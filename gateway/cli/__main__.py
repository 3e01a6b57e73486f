"""``python -m gateway.cli``: the same as the ``coloan-gw`` console script."""

from gateway.cli import main

main()
