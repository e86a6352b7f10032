"""Spatial data for coverplan: regions, CRS, distances and road networks.

Data flows geo -> planner -> web; nothing here imports planner, web or cli.
"""
