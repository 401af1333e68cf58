"""The name-matching engine (plain Python, no Django): ``Screener(entities).screen(names) -> list[Hit]``."""

from fairthread.screening.engine.screener import ENGINE_VERSION, Entity, Hit, Query, Screener, Stats, Thresholds
from fairthread.screening.engine.text import analyse, fold

__all__ = ["ENGINE_VERSION", "Entity", "Hit", "Query", "Screener", "Stats", "Thresholds", "analyse", "fold"]
