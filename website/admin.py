"""The admin of what staff shape of the public site: the menus (admin_menus.py) and the home
page's blocks (admin_home.py)."""

from . import admin_home, admin_menus  # noqa: F401  (each registers its model admin)
