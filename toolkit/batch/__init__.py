"""Batch review: one parameterised notebook run per intake sheet.

- :mod:`.runner` runs the review notebook over each sheet (papermill + nbclient) into a run folder;
- :mod:`.runfolder` names run folders, sets who may read them and writes their manifest;
- :mod:`.parameters` is the notebook's parameters, described once (:class:`ReviewParameters`);
- :mod:`.kernels` starts the notebooks' kernels ahead of their notebooks;
- :mod:`.report` is what the review notebook calls: the review, the report, the summary
  (with :mod:`.views`, the two tables, and :mod:`.versions`, what a run ran with);
- :mod:`.export` makes ``review.html``;
- :mod:`.speedups` holds the measured shortcuts through other packages' insides.
"""
