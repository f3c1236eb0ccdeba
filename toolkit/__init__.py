"""Annotation and evaluation toolkit for stance, actors and claims in news about diplomacy."""

__version__ = "0.1.0"
