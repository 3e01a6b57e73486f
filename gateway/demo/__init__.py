"""``coloan-gw demo``: the whole co-lending flow on loopback, with nothing to prepare.

Creates a fresh workspace (PKI, masking and signing keys, configs), starts the
gateway and both mock partners as ``coloan-gw`` processes, drives Faker applications
end to end as the platform, sends deliberately bad calls, waits for the bank's
events to reach the platform, stops every process and prints what happened.
"""

from __future__ import annotations

from gateway.demo._run import DemoOptions, run_demo

__all__ = ["DemoOptions", "run_demo"]
