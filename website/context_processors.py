"""The header's and the footer's links, on every page (website/menus.py)."""

from .menus import Menus


def menus(request):
    """`menus.header` and `menus.footer`: the links readers see, read on first use (one query
    for both)."""
    return {"menus": Menus(request)}
