"""What a module's RETURN block promises: the keys documented as `returned: always`, at every level."""

from __future__ import annotations

import yaml


def always_returned(module) -> dict:
    """{key: {nested always keys}} for the keys RETURN documents as returned always."""
    return _always(yaml.safe_load(module.RETURN))


def _always(block: dict) -> dict:
    return {key: _always(doc.get("contains") or {}) for key, doc in block.items() if doc.get("returned") == "always"}


def missing_keys(result, promised: dict, where: str = "result") -> list[str]:
    """Where the result lacks a promised key; descends into lists of dicts element by element."""
    missing = []
    for key, nested in promised.items():
        if not isinstance(result, dict) or key not in result:
            missing.append(f"{where}.{key}")
            continue
        value = result[key]
        if not nested:
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            missing.extend(missing_keys(item, nested, f"{where}.{key}[{index}]"))
    return missing
