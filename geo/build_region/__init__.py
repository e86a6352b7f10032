"""Builders of embedded regions: from shipped source files in ``data/regions/<name>/source``
to the layers that :func:`geo.regions.load_region` reads.

Builds are deterministic: the same sources give byte-identical outputs.
"""
