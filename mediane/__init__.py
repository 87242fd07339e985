"""Médiane: the platform of the international network of medium-sized cities (France–Québec)."""

__version__ = "0.1.0"
