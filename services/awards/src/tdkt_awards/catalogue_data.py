"""Loads the award catalogue shipped with the service (`data/catalogue.json`)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from tdkt_awards.domain.catalogue import Catalogue


@cache
def default_catalogue() -> Catalogue:
    text = resources.files("tdkt_awards").joinpath("data/catalogue.json").read_text(encoding="utf-8")
    return Catalogue.model_validate_json(text)
