"""Case-officer dashboards: ipywidgets form classes that Voila notebooks only build and show.

Each form is a :class:`~toolkit.dashboards.base.Form` (a ``VBox``) testable in pytest by setting
widget values and calling ``Button.click()``.
"""
