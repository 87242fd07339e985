"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`."""
