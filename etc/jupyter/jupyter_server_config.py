"""Jupyter server settings for this checkout: notebooks saved without outputs or widget state.

JupyterLab autosaves. A notebook of this repository's ``notebooks/`` folder saved with outputs
would be a modified file for git: the nbstripout git filter (set up by ``make lab``) hides the
outputs from ``git diff``, but ``git status`` still lists the file, since git sees its size change
before it runs any filter. So the server strips the notebook as it saves it, with nbstripout's own
``strip_output`` and the same keys as the git filter: the file on disk is then byte for byte what
is committed, and nothing a cell showed (or a widget held) reaches the disk. The notebook open in
the browser keeps its outputs. Notebooks elsewhere are saved as they are.

``make lab`` and ``binder/start`` put this folder on ``JUPYTER_CONFIG_PATH``.
"""

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: As the Makefile's git filter: nbstripout's defaults, and what a kernel writes into language_info.
EXTRA_KEYS = [
    "metadata.signature", "metadata.widgets", "cell.metadata.collapsed", "cell.metadata.ExecuteTime",
    "cell.metadata.execution", "cell.metadata.heading_collapsed", "cell.metadata.hidden",
    "cell.metadata.scrolled",
] + [f"metadata.language_info.{key}" for key in (
    "codemirror_mode", "file_extension", "mimetype", "nbconvert_exporter", "pygments_lexer", "version")]


def strip_repository_notebooks(model, path, contents_manager, **kwargs):
    """``ContentsManager.pre_save_hook``: strip a notebook of ``notebooks/`` before it is written."""
    if model.get("type") != "notebook" or not model.get("content"):
        return
    target = Path(contents_manager.root_dir, path).resolve()
    if target.parent != NOTEBOOKS:
        return
    import nbformat
    from nbstripout._utils import strip_output

    notebook = nbformat.from_dict(model["content"])
    model["content"] = strip_output(notebook, keep_output=False, keep_count=False, keep_id=False,
                                    extra_keys=EXTRA_KEYS)


c = get_config()  # noqa: F821 - defined by the config loader
c.ContentsManager.pre_save_hook = strip_repository_notebooks
