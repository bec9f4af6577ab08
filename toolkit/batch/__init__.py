"""Batch review: one parameterised notebook run per intake sheet.

- :mod:`.runner` runs the review notebook over each sheet (papermill) into a run folder;
- :mod:`.kernels` starts the notebooks' kernels ahead of their notebooks;
- :mod:`.report` is what the review notebook calls: parameters, the review, the summary.
"""
