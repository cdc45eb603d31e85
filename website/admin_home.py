"""The home page's admin: its blocks (issue 18)."""
