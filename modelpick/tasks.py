"""The task registry: each task (classification, detection, ...) and the accuracy metric its answers rank by.

One place describes a task, so nothing else tests ``task == ...``: the schema checks a checkpoint's metric
against its architecture's task here, the catalog fills the per-candidate score from the field named here, and
answers, plots and why-lines take the metric's label from here. Segmentation or pose is one more entry in
``_BUILTIN`` (or a :func:`register_task` call), with no change elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidQuery

DEFAULT_TASK = "classification"


@dataclass(frozen=True)
class Task:
    """A task and its accuracy metric. Scores are percent (0..100); higher is better."""

    #: Registry id, e.g. "classification" (what ``Architecture.task`` and ``task=`` name).
    id: str
    #: Metric id, e.g. "imagenet-top1" (what ``Checkpoint.metric`` and answers' ``metric`` name).
    metric: str
    #: Short metric label for tables, axes and why-lines, e.g. "top-1", "mAP50-95".
    label: str
    #: The evaluation set the metric is measured on, e.g. "ImageNet-1k val".
    dataset: str
    #: The checkpoint field that holds the score: "top1" for classification (its files write ``top1``), "score"
    #: for metrics a file writes as ``metric`` + ``score``.
    score_field: str = "score"
    #: What one model of the task is called in prose ("classifier", "detector").
    noun: str = "model"
    #: Table column header of the score (CLI tables print it with a "%"); defaults to ``label``.
    column: str = ""
    #: Words before "candidates" in a device's coverage text ("" keeps classification's wording as it was).
    coverage_scope: str = ""
    #: A plot's accuracy axis, e.g. "ImageNet-1k top-1 accuracy (%)"; defaults to :attr:`description`.
    axis: str = ""
    #: The metric as a plot title names it, e.g. "Top-1 accuracy"; defaults to ``label``.
    quantity: str = ""
    #: Where a cell's memory has no estimate for want of an activation count, its method names the weights-only
    #: lower bound instead (modelpick.catalog._memory_floor). On for tasks whose sources publish no activation
    #: counts (detection); off for classification, whose memory answers stay as they are.
    memory_floor: bool = False

    @property
    def header(self) -> str:
        return self.column or self.label

    @property
    def axis_label(self) -> str:
        return self.axis or self.description

    @property
    def title(self) -> str:
        return self.quantity or self.label

    @property
    def description(self) -> str:
        """The metric in words, e.g. "ImageNet-1k val top-1 (%)"."""
        return f"{self.dataset} {self.label} (%)"


_BUILTIN = (
    Task(id="classification", metric="imagenet-top1", label="top-1", dataset="ImageNet-1k val", score_field="top1",
         noun="classifier", column="top1", axis="ImageNet-1k top-1 accuracy (%)", quantity="Top-1 accuracy"),
    Task(id="detection", metric="coco-map50-95", label="mAP50-95", dataset="COCO val2017 (box)", noun="detector",
         coverage_scope="detection ", memory_floor=True, axis="COCO val2017 box mAP50-95 (%)", quantity="COCO mAP50-95"),
)

_TASKS: dict[str, Task] = {t.id: t for t in _BUILTIN}


def register_task(task: Task) -> Task:
    """Add a task (its id and metric id must be new). Returns it, so it can decorate a module-level constant."""
    if task.id in _TASKS:
        raise ValueError(f"task {task.id!r} is already registered")
    if any(t.metric == task.metric for t in _TASKS.values()):
        raise ValueError(f"metric {task.metric!r} already belongs to task {metric_task(task.metric).id!r}")
    if task.score_field not in ("top1", "score"):
        raise ValueError(f"score_field must be 'top1' or 'score', got {task.score_field!r}")
    _TASKS[task.id] = task
    return task


def tasks() -> list[Task]:
    """Every registered task, in registration order (classification first)."""
    return list(_TASKS.values())


def task_ids() -> list[str]:
    return list(_TASKS)


def metric_ids() -> list[str]:
    return [t.metric for t in _TASKS.values()]


def get_task(name: str | Task | None = None, *, param: str = "task") -> Task:
    """The task named ``name`` (default: classification). An unknown name raises :class:`InvalidQuery` with the
    valid ids and close matches ("detect" -> detection)."""
    if name is None:
        return _TASKS[DEFAULT_TASK]
    if isinstance(name, Task):
        return name
    if not isinstance(name, str):
        raise InvalidQuery(param, name, f"must be a task id (a string), got {type(name).__name__}", task_ids())
    found = _TASKS.get(name.strip().lower())
    if found is None:
        raise InvalidQuery(param, name, "unknown task", task_ids())
    return found


def metric_task(metric: str, *, param: str = "metric") -> Task:
    """The task whose metric is ``metric``; an unknown metric raises :class:`InvalidQuery` naming the valid ones."""
    if isinstance(metric, str):
        for t in _TASKS.values():
            if t.metric == metric.strip().lower():
                return t
    raise InvalidQuery(param, metric, "unknown metric", metric_ids())


__all__ = ["DEFAULT_TASK", "Task", "get_task", "metric_ids", "metric_task", "register_task", "task_ids", "tasks"]
