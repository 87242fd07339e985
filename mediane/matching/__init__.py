"""Explainable matching of challenges and organisations: a plain-Python ranking module.

No Django import here: the ranker is fed by thin adapters (`mediane.market.matching_adapter`)
and can be tested and benchmarked alone. Entry points:

- `ranker.rank(challenge, candidates, ...)` ranks `Candidate`s for a `ChallengeProfile` and
  explains each result with a list of `Reason`s;
- `ranker.bm25_baseline(...)` is the plain BM25 ranking used as a reference in the benchmark;
- `metrics` computes nDCG@10, recall@20 and MRR; `dataset` reads the benchmark files.

See docs/matching.md for the features, the weights and how they were validated.
"""
