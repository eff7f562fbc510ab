"""Report templates: a level, metrics, custom columns and a window, saved and loaded as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .aggregate import DIMENSION_LEVELS
from .definitions import ADS, REGISTRY
from .formula import CustomColumn, FormulaError, parse_custom_column
from .windows import WINDOW_DAYS

MAX_TEMPLATE_BYTES = 64 * 1024


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    name: str
    level: str
    metrics: tuple[str, ...]
    custom: tuple[CustomColumn, ...] = field(default_factory=tuple)
    days: int = 28
    description: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "level": self.level,
            "metrics": list(self.metrics),
            "custom_columns": [c.to_dict() for c in self.custom],
            "days": self.days,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


BUILTIN: dict[str, Template] = {
    "creative_performance": Template(
        name="Creative performance",
        level="ad",
        metrics=("ctr", "hook_rate", "completion_rate", "cpc"),
        description="Which creatives stop the scroll, hold attention and earn the click (per ad).",
    ),
    "funnel_analysis": Template(
        name="Funnel analysis",
        level="campaign",
        metrics=("cost_per_landing_page_view", "cost_per_add_to_cart", "roas"),
        description="What each step of the funnel costs, from landing page to purchase.",
    ),
}


def get_template(key: str) -> Template:
    lookup = {k: v for k, v in BUILTIN.items()}
    lookup.update({v.name.casefold(): v for v in BUILTIN.values()})
    found = lookup.get(key) or lookup.get(key.casefold()) or lookup.get(key.replace("-", "_"))
    if not found:
        raise TemplateError(f"Unknown template '{key}'. Built-in templates: {', '.join(BUILTIN)}.")
    return found


def template_from_dict(data: object) -> Template:
    """Validate a template read from JSON; every problem is one clear sentence."""
    if not isinstance(data, dict):
        raise TemplateError("A template file holds one JSON object with name, level and metrics.")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise TemplateError("The template needs a name (text, at most 80 characters).")
    level = data.get("level", "ad")
    if level not in DIMENSION_LEVELS:
        raise TemplateError(f"Level '{level}' is not one of: {', '.join(DIMENSION_LEVELS)}.")
    metrics = data.get("metrics", [])
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise TemplateError("'metrics' must be a list of metric names.")
    valid = REGISTRY[ADS]
    metrics = list(dict.fromkeys(metrics))  # a metric listed twice is shown once
    unknown = [m for m in metrics if m not in valid]
    if unknown:
        raise TemplateError(
            f"Unknown metric(s) {', '.join(unknown)}. Valid names: {', '.join(valid)}."
        )
    days = data.get("days", 28)
    if days not in WINDOW_DAYS:
        raise TemplateError(f"'days' must be one of {', '.join(map(str, WINDOW_DAYS))}.")
    custom_raw = data.get("custom_columns", [])
    if not isinstance(custom_raw, list):
        raise TemplateError("'custom_columns' must be a list of {name, expression, unit}.")
    custom = []
    names = set(valid)
    for i, item in enumerate(custom_raw, 1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("expression"), str)
        ):
            raise TemplateError(f"Custom column {i} needs a name and an expression (text).")
        try:
            column = parse_custom_column(
                f"{item['name']} = {item['expression']}", names, item.get("unit", "ratio")
            )
        except FormulaError as err:
            raise TemplateError(f"Custom column '{item['name'][:40]}': {err.message}") from None
        custom.append(column)
        names.add(column.name)  # a later column may use it; a second one may not take its name
    description = data.get("description", "")
    return Template(
        name=name.strip(),
        level=level,
        metrics=tuple(metrics),
        custom=tuple(custom),
        days=days,
        description=description if isinstance(description, str) else "",
    )


def load_template(text: str | bytes) -> Template:
    if len(text) > MAX_TEMPLATE_BYTES:
        raise TemplateError("That template file is too large to be a template (over 64 kB).")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise TemplateError(
            "That file is not valid JSON; a template is saved as a .json file."
        ) from None
    except RecursionError:
        raise TemplateError(
            "That file nests lists or objects far too deeply to be a template; a template is "
            "one object with name, level and metrics."
        ) from None
    return template_from_dict(data)
