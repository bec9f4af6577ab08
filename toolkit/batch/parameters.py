"""The review notebook's parameters, described once: :class:`ReviewParameters`.

``notebooks/batch_review.ipynb`` declares the same names, types and defaults in its
``parameters`` cell (tested against papermill's own reading of that cell). ``oqtk batch``
checks every sheet's parameters with this model *before* any notebook runs — papermill itself
only logs an unknown name and runs the defaults — and the notebook resolves them with it
(:meth:`ReviewParameters.resolved`: an absolute path, a concrete date and List version), so the
two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, ValidationError

from ..clock import today
from ..exceptions import ParameterError
from ..models import StrictModel
from ..paths import REPO_ROOT

__all__ = ["LANGS", "ReviewParameters"]

LANGS = ("zh", "en")


class ReviewParameters(StrictModel):
    """One review's parameters. Strict: ``True`` is no text and ``20251231`` no date; unknown
    names are refused. Raises :class:`ParameterError` (from :meth:`check`) naming each problem."""

    model_config = ConfigDict(strict=True)

    intake_path: str = "data/examples/intake_clean.xlsx"  # 申报汇总表 .xlsx / intake sheet
    as_of: str = ""  # 审核基准日 YYYY-MM-DD；空：今天（上海）/ review date; empty: today in Shanghai
    list_version: str = ""  # 清单版本；空：基准日应使用的版本 / List version; empty: the one to use on as_of
    lang: Literal["zh", "en"] = "zh"  # 结果文件语言 / language of the results files
    output_dir: str = ""  # 结果文件夹；空：不写文件 / folder for the results files; empty: none

    @classmethod
    def check(cls, values: dict[str, Any]) -> ReviewParameters:
        """The parameters as given, or :class:`ParameterError` listing every problem at once."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise ParameterError(_problems(exc)) from None

    def resolved(self) -> ReviewParameters:
        """The parameters as the run uses them: an absolute sheet path, a concrete date (empty:
        today in Shanghai) and List version (empty: :func:`toolkit.rules.list_version_to_use` on that
        date — the one in force, or the newest with entries while it has none).

        Raises :class:`ParameterError` for a bad date or an unknown List version."""
        from ..rules import list_version_to_use, list_versions

        if not self.intake_path.strip():
            raise ParameterError("intake_path: 必须填写申报汇总表路径 / the intake sheet path is required")
        try:
            day = dt.date.fromisoformat(self.as_of.strip()) if self.as_of.strip() else today()
        except ValueError:
            raise ParameterError(
                f"as_of: 不是有效日期 / not a valid date: {self.as_of!r} (use YYYY-MM-DD)"
            ) from None
        version = self.list_version or list_version_to_use(day).version.version
        if version not in list_versions():
            raise ParameterError(
                f"list_version: 未知的清单版本 / unknown List version {version!r} "
                f"(known: {', '.join(list_versions())})"
            )
        out = str(Path(self.output_dir).expanduser().absolute()) if self.output_dir else ""
        return self.model_copy(
            update={
                "intake_path": str(_find_input(self.intake_path)),
                "as_of": day.isoformat(),
                "list_version": version,
                "output_dir": out,
            }
        )

    @property
    def day(self) -> dt.date:
        """``as_of`` as a date (after :meth:`resolved`)."""
        return dt.date.fromisoformat(self.as_of)


def _find_input(path: str) -> Path:
    """An absolute path as given; a relative one from the working folder, else from the repository."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p.absolute()
    return REPO_ROOT / p if (REPO_ROOT / p).exists() else p.absolute()


def _problems(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors(include_url=False):
        name = ".".join(str(x) for x in err["loc"])
        if err["type"] == "extra_forbidden":
            problems.append(f"未知参数 / unknown parameter {name!r}")
        elif err["type"] == "literal_error" and isinstance(err["input"], str):
            problems.append(f"{name}: 应为 / must be one of {list(LANGS)}, not {err['input']!r}")
        else:
            field = ReviewParameters.model_fields.get(name)
            expected = getattr(field.annotation, "__name__", "str") if field else "?"
            value = err["input"]
            problems.append(
                f"参数类型错误 / wrong type for {name!r}: 应为 / expected {expected}, "
                f"得到 / got {type(value).__name__} ({value!r})"
            )
    declared = ", ".join(f"{n}: {_type_name(f.annotation)}" for n, f in ReviewParameters.model_fields.items())
    return "; ".join(problems) + f". 可用参数 / Declared parameters: {declared}"


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
