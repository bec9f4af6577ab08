"""Entry point of the kernels ``oqtk batch`` starts: ipykernel, without its debugger.

ipykernel imports debugpy at start-up whenever it is installed, so that a front end can attach a
debugger; that costs about 0.07 s per kernel (debugpy's import, a ``uname`` subprocess, and
``-Xfrozen_modules=off``, which debugpy asks for). A batch run is headless and nobody attaches to
it, so :class:`toolkit.batch.kernels.BatchKernel` launches this module in place of
``ipykernel_launcher``: the one difference is that ``debugpy`` cannot be imported here, and
ipykernel then runs exactly as it does where debugpy is not installed (its documented fallback:
no ``debugger`` in ``kernel_info``'s supported features).
"""

import sys

if __name__ == "__main__":
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # `import debugpy` → ImportError
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()
