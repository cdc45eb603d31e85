"""The header and footer menus' admin (issue 18)."""
