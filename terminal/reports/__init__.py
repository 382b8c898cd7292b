"""Reports: queries that gather the figures, renderers that lay them out."""
