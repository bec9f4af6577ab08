# Each user's Jupyter server under the hub (jupyterhub-singleuser --config=this file).
# The landing page is the dashboards' home (Voila as a server extension); supervisors and admins
# also get JupyterLab, where the runs root (`runs/`) is read-only.
import os

c = get_config()  # type: ignore[name-defined]  # noqa: F821

role = os.environ.get("OQTK_ROLE", "officer")  # set by the hub's pre_spawn_hook from the groups
lab = role in ("supervisor", "admin")
c.ServerApp.jpserver_extensions = {"voila": True, "jupyterlab": lab, "jupyter_lsp": False}
c.ServerApp.terminals_enabled = False
c.ServerApp.allow_root = os.geteuid() == 0  # the hub run as root (see the README's production notes)
c.ServerApp.contents_manager_class = "toolkit.hub.contents.ReadOnlyRunsContentsManager"
c.ContentsManager.allow_hidden = False

# Voila: our template (no CDN), sources stripped, no tracebacks, no files served
c.VoilaConfiguration.template = "oqtk"
c.VoilaConfiguration.theme = "light"
c.VoilaConfiguration.allow_template_override = "NO"
c.VoilaConfiguration.allow_theme_override = "NO"
c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.show_tracebacks = False
c.VoilaConfiguration.file_allowlist = []
c.VoilaConfiguration.file_denylist = [".*"]
c.VoilaConfiguration.extension_allowlist = [
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",
]
# No MathJax from a CDN: Voila's page config falls back to cdnjs unless the server's settings
# name a URL; None (as `oqtk serve` has) means the page loads none (the browser tests check).
c.ServerApp.tornado_settings = {"mathjax_url": None, "mathjax_config": None}
c.VoilaExecutor.timeout = 120
c.VoilaExecutor.iopub_timeout = 120

# Kernels whose page has closed are shut down after 10 idle minutes; an open page is never culled.
c.MappingKernelManager.cull_idle_timeout = int(os.environ.get("OQTK_KERNEL_CULL_TIMEOUT", "600"))
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
