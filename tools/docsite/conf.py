"""Sphinx configuration for the collection's docs site, built offline by the docs layer (tools/devtasks/docs.py).

antsibull-docs writes the RST (plugin pages, the guides of docs/docsite/, indexes); Sphinx builds HTML from it with
the Ansible theme, warnings as errors. The pages link to the Ansible docsite (ansible.builtin plugins, the
configuration reference, common return values). Where that site is reachable, intersphinx would resolve those
links; the build machines have no route to it, so resolve_ansible_docsite() below makes them plain links to the
pages' well-known addresses instead. A link to anything else that does not resolve (a guide label, an option of
this collection) still fails the build.
"""

from __future__ import annotations

import re

from docutils import nodes

project = "euc.workspaces"
project_copyright = "euc.workspaces contributors"
title = "euc.workspaces: Amazon WorkSpaces for Ansible"
html_short_title = "euc.workspaces"

extensions = ["sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = "any"
nitpicky = True

ANSIBLE_DOCSITE = "https://docs.ansible.com/projects/ansible/latest/"
# Sphinx labels of the Ansible docsite that antsibull-docs' pages use -> the page each one is on.
ANSIBLE_LABELS = {
    "ansible_configuration_settings": "reference_appendices/config.html",
    "common_return_values": "reference_appendices/common_return_values.html",
}
# ansible_collections.<namespace>.<collection>.<plugin>_<type>[__...] of another collection -> its plugin page.
OTHER_COLLECTION = re.compile(r"^ansible_collections\.(?!euc\.workspaces\.)(\w+)\.(\w+)\.(\w+?)(?:__.*)?$")


def ansible_docsite_url(node) -> str | None:
    """Where the Ansible docsite has the target of a reference Sphinx could not resolve; None if it is not one."""
    target = node.get("reftarget", "")
    if node.get("reftype") == "envvar" and target.startswith("ANSIBLE_"):
        return f"{ANSIBLE_DOCSITE}reference_appendices/config.html#envvar-{target}"
    if node.get("reftype") != "ref":
        return None
    if target in ANSIBLE_LABELS:
        return ANSIBLE_DOCSITE + ANSIBLE_LABELS[target]
    match = OTHER_COLLECTION.match(target)
    if match:
        namespace, collection, page = match.groups()
        return f"{ANSIBLE_DOCSITE}collections/{namespace}/{collection}/{page}.html"
    return None


def resolve_ansible_docsite(_app, _env, node, contnode):
    url = ansible_docsite_url(node)
    if url is None:
        return None  # Sphinx warns, and -W makes that an error
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect("missing-reference", resolve_ansible_docsite)
