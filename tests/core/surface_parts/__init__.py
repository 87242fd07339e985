"""Parts of the surface matrix (tests/core/test_surface_matrix.py): the world of marked objects
(`world.py`), the oracle saying who may see each marker (`oracle.py`) and the surfaces that
list, show, export or feed them (`surfaces.py`)."""
