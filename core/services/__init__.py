"""Domain services: the operations, each in one transaction, with clear errors."""
