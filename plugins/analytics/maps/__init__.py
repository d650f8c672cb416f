"""Modules on the map: heat maps (BeiDou cells, squares, hexagons) under disclosure
control, point maps, the monthly event cells behind district maps, the heat tile layer."""
