"""The site's settings (base.py for now; dev, test and production modules follow)."""
