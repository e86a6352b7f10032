"""Standard JSON only: no NaN, Infinity or -Infinity ever leaves the server or enters the store.

Python's ``json`` writes non-finite floats as the bare words ``NaN`` and
``Infinity``, which browsers' ``JSON.parse`` and SQLite's JSON functions
reject; one such value saved in a proposal once took the whole proposals list
down. Everything we serialise goes through :func:`dumps`, which first tries the
strict encoder (fast, no copy) and only on failure walks the object once to
turn each non-finite number into ``null``.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

#: Deepest nesting accepted in a request body (a real form or parameter set is 2-3 levels).
MAX_DEPTH = 32
#: Longest integer accepted in a request body, in digits (a float's range ends at 309).
MAX_DIGITS = 310
_SURROGATE = re.compile("[\ud800-\udfff]")


def finite(obj: Any) -> Any:
    """A copy of ``obj`` with every non-finite float (also numpy floats) replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    try:  # numpy scalars and arrays, without importing numpy for plain data
        import numpy as np
    except ImportError:  # pragma: no cover
        return obj
    if isinstance(obj, np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.ndarray):
        return finite(obj.tolist())
    return obj


def dumps(obj: Any, *, default: Callable | None = None, **kwargs) -> str:
    """``json.dumps`` that never writes NaN/Infinity (they become null)."""
    try:
        return json.dumps(obj, allow_nan=False, default=default, **kwargs)
    except ValueError:
        return json.dumps(finite(obj), allow_nan=False, default=_finite_default(default), **kwargs)


def _finite_default(default: Callable | None) -> Callable | None:
    if default is None:
        return None

    def wrapped(o):
        return finite(default(o))
    return wrapped


def depth(obj: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of parsed JSON, counted without recursion (stops past ``limit``)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, (dict, list)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((v, d + 1) for v in (o.values() if isinstance(o, dict) else o))
    return deepest


def loads_request(text: str | bytes):
    """Parse a request body; raise ValueError for invalid, non-finite or too deeply nested JSON.

    ``NaN``/``Infinity`` literals and numbers that overflow to infinity
    (``1e999``) are refused here, so no handler ever sees them.
    """
    def no_constants(name):
        raise ValueError(f"{name} is not a JSON number")

    def parse_float(s: str) -> float:
        v = float(s)
        if not math.isfinite(v):
            raise ValueError(f"{s} is out of range")
        return v

    def parse_int(s: str) -> int:
        # no quantity here has more than a few digits; Python's own refusal past 4,300 digits
        # ("Exceeds the limit ... sys.set_int_max_str_digits") is not a sentence for a planner
        if len(s.lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"integer of {len(s.lstrip('-')):,} digits")
        return int(s)

    def one_value_per_name(pairs):
        # {"name": "a", "name": "b"} kept the last without a word: which one did the client mean?
        obj = dict(pairs)
        if len(obj) < len(pairs):
            seen = set()
            dup = next(k for k, _ in pairs if k in seen or seen.add(k))
            raise ValueError(f"duplicate name {json.dumps(dup, ensure_ascii=False)[:80]}")
        return obj

    try:
        obj = json.loads(text, parse_constant=no_constants, parse_float=parse_float, parse_int=parse_int,
                         object_pairs_hook=one_value_per_name)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    if depth(obj) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    found = lone_surrogate(obj)
    if found is not None:
        raise ValueError(f"lone surrogate U+{ord(found[1]):04X} {found[0]}")
    return obj


def lone_surrogate(obj: Any) -> tuple[str, str] | None:
    """Where a string of parsed JSON holds half of a UTF-16 pair ("\\ud800" alone), and that half: such
    a string cannot be written as UTF-8 (to SQLite, a file, or back in a JSON answer), so the body is
    refused at the door. The place as a path of keys and indexes ("body", "fields.name", "sizes[2]")."""
    stack = [(obj, "")]
    while stack:
        o, path = stack.pop()
        if isinstance(o, str):
            m = _SURROGATE.search(o)
            if m:
                return path or "body", m.group()
        elif isinstance(o, dict):
            for k, v in o.items():
                here = f"{path}.{k}" if path else str(k)
                m = _SURROGATE.search(k)
                if m:
                    return (path + "." if path else "") + "(a name)", m.group()
                stack.append((v, here))
        elif isinstance(o, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(o))
    return None


#: json's own error wording (Python's) -> Chinese, for :func:`problem`.
_ZH_DECODE = {"Expecting value": "此处应为一个值", "Expecting property name enclosed in double quotes": "此处应为用双引号括起的属性名",
              "Expecting ',' delimiter": "此处应为逗号", "Expecting ':' delimiter": "此处应为冒号",
              "Extra data": "JSON 已结束，其后还有多余内容", "Unterminated string starting at": "字符串没有结束的引号（从此处开始）",
              "Invalid \\escape": "无效的转义序列", "Invalid \\uXXXX escape": "无效的 \\u 转义"}


def problem(data: str | bytes) -> tuple[str, str, str, str] | None:
    """What is wrong with a request body :func:`loads_request` refuses, in words: (en, zh, hint_en,
    hint_zh), naming the place (character, line, column); None when it parses."""
    try:
        loads_request(data)
        return None
    except UnicodeDecodeError:
        return ("it is not UTF-8 text", "内容不是 UTF-8 编码的文本",
                "Send the body encoded as UTF-8.", "请以 UTF-8 编码发送。")
    except json.JSONDecodeError as exc:
        where_en = f"at character {exc.pos + 1} (line {exc.lineno}, column {exc.colno})"
        where_zh = f"第 {exc.lineno} 行第 {exc.colno} 列（第 {exc.pos + 1} 个字符）"
        if exc.msg.startswith("Invalid control character"):
            code = f"U+{ord(exc.doc[exc.pos]):04X}" if exc.pos < len(exc.doc) else "?"
            return (f"a control character ({code}) inside a string {where_en}",
                    f"{where_zh}的字符串中含控制字符 {code}",
                    "Control characters inside a string must be escaped (\\u0001; \\t, \\n for tab and newline): "
                    "JSON libraries do this when they encode the body.",
                    "字符串中的控制字符须转义（如 \\u0001；制表符、换行写作 \\t、\\n），用 JSON 库编码请求内容时会自动处理。")
        zh = next((v for k, v in _ZH_DECODE.items() if exc.msg.startswith(k)), f"格式错误（{exc.msg}）")
        return (f"{exc.msg} {where_en}", f"{where_zh}：{zh}",
                "Check the JSON at that place (strings and names in double quotes, commas between items).",
                "请检查该处的 JSON（字符串和属性名用双引号，各项之间用逗号）。")
    except ValueError as exc:
        text = str(exc)
        if text.startswith("nested deeper"):
            return (text, f"嵌套超过 {MAX_DEPTH} 层", f"Nest at most {MAX_DEPTH} levels.", f"嵌套请不超过 {MAX_DEPTH} 层。")
        if text.startswith("integer of"):
            digits = text.split(" ")[2]
            return (f"an {text}", f"整数长达 {digits} 位", f"Send numbers of at most {MAX_DIGITS} digits.",
                    f"数值请不超过 {MAX_DIGITS} 位。")
        if text.startswith("duplicate name"):
            name = text.split(" ", 2)[2]
            return (f"the name {name} is given twice in one object", f"同一对象中名称 {name} 出现了两次",
                    "Give each name once (which of the two values was meant cannot be told).",
                    "每个名称只写一次（无法判断两个值中哪个是您想要的）。")
        if text.startswith("lone surrogate"):
            _, _, code, where = text.split(" ", 3)
            where_zh = where.replace("(a name)", "（属性名）")
            return (f"the text at {where} holds an invalid character {code} (half of a UTF-16 surrogate pair)",
                    f"{where_zh} 处的文字含无效字符 {code}（不成对的 UTF-16 代理项）",
                    "Send the text as it is (a JSON library escapes it correctly), not cut in the middle of a character.",
                    "请发送完整的文本（用 JSON 库编码即可），不要从字符中间截断。")
        word = text.split(" ", 1)[0]
        return (f"{text}: numbers must be finite", f"{word} 不是有限数（JSON 数值须为有限数）",
                "Send a finite number, or null where there is no value.", "请填写有限数，无值时用 null。")
