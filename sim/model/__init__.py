"""The model layer: the SimPy model of an organisation, which only records what happens."""
