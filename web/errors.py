"""Web-only errors (the shared ones live in geo.errors) and the JSON error shape."""
from __future__ import annotations

from geo.errors import CoverplanError, InputDataError, NotFoundError


class PlannerUnavailable(CoverplanError):
    """The planner package (coverage, checklist, proposals) is not installed or not importable."""

    status = 503

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"The planning module is not available ({missing}).",
            f"规划计算模块不可用（{missing}）。",
            hint_en="Install or update coverplan's planner package.",
            hint_zh="请安装或更新 coverplan 的 planner 模块。",
            details={"missing": missing})


class ServerBusy(CoverplanError):
    """Too many solves waiting already: come back later (the queue is bounded on purpose)."""

    status = 503

    def __init__(self, active: int) -> None:
        super().__init__(
            f"The server is busy: {active} calculations are queued or running. Try again in a minute.",
            f"服务器繁忙：已有 {active} 个计算在排队或运行，请稍后再试。",
            hint_en="Cancel a calculation you no longer need, or wait for one to finish.",
            hint_zh="可取消不再需要的计算，或等待其完成后再提交。",
            details={"active": active})


def bad_param(name: str, value, expected_en: str, expected_zh: str) -> InputDataError:
    """A 400 for one query/form parameter, naming it and what would be accepted."""
    return InputDataError(
        f"Bad parameter {name}={value!r}: expected {expected_en}.",
        f"参数 {name}={value!r} 无效：应为{expected_zh}。",
        details={"parameter": name, "value": value})


def not_found(what_en: str, what_zh: str, key) -> NotFoundError:
    return NotFoundError(f"{what_en} {key!r} not found.", f"未找到{what_zh}“{key}”。",
                         details={"id": key})


def http_error(status: int, name: str, en: str, zh: str, lang: str, details: dict | None = None) -> dict:
    """JSON body for errors Flask raises itself (404 route, 405 method...)."""
    return {"error": name, "message": en if lang == "en" else zh, "message_en": en, "message_zh": zh,
            "details": details or {}}
