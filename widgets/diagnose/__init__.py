"""Diagnostics over the core: provider metadata, the safe probe, token inspection, paste-ready
values and the loopback catcher.

May import ``widgets.core``; PyJWT and pandas are used here and no lower. Never ipywidgets.
"""
