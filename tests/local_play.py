"""The head of every play the tests and benchmarks run against the local endpoint."""

from __future__ import annotations


def play_head(name: str, hosts: str = "localhost") -> str:
    """A play's first lines, up to (not including) its tasks or roles: no facts, every AWS module pointed at the
    endpoint in the ``endpoint_url`` variable with the endpoint's dummy credentials."""
    return f"""\
- name: {name}
  hosts: {hosts}
  gather_facts: false
  module_defaults:
    group/aws:
      endpoint_url: "{{{{ endpoint_url }}}}"
      region: us-east-1
      access_key: testing
      secret_key: testing
"""
