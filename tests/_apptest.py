"""Helpers for tests that read what an AppTest page drew."""

from __future__ import annotations


def chart_protos(at) -> list:
    """The protos of every Vega-Lite chart on the page's main area, in page order."""
    protos = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "vega_lite_chart":
                protos.append(child.proto)
            walk(child)

    walk(at.main)
    return protos
