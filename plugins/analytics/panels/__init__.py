"""The analytics plugin's own dashboard panels (the others come from their plugins)."""
