"""`coverplan solve`: choose sites with LSCP / MCLP / p-median / p-center.

Reads demand points and candidate sites from CSV (UTF-8 or GBK, as Excel on
Chinese Windows writes them), takes travel costs from an ``.npz`` file or
straight-line distances from the projected ``x, y``, and runs the exact
models of :mod:`planner.models`.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from cli.lang import h
from cli.options import add_json, given_float
from cli.output import print_json
from geo.archives import check_file
from geo.errors import InfeasibleError, InputDataError, listed

MODELS = ("lscp", "mclp", "pmedian", "pcenter")


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("solve", help=h("选址优化（LSCP、MCLP、p-中位、p-中心）",
                                       "choose facility sites (LSCP, MCLP, p-median, p-center)"))
    s.add_argument("--model", choices=MODELS, required=True,
                   help=h("lscp：覆盖全部需求点所需站点最少；mclp：p 个站点覆盖的需求权重最大；"
                          "pmedian：p 个站点，加权出行成本总和最小；pcenter：p 个站点，最远（最差）出行成本最小",
                          "lscp: fewest sites covering all; mclp: p sites covering most weight; "
                          "pmedian: p sites, least total weighted cost; pcenter: p sites, least worst cost"))
    s.add_argument("--demand", type=Path, required=True,
                   help=h("需求点 CSV，列为 id,x,y,weight[,load]（投影坐标，单位米；load：该点占用的容量，"
                          "默认等于 weight；用于带 capacity 列的 pmedian）",
                          "CSV id,x,y,weight[,load] (projected metres; load: capacity the point "
                          "uses, default = weight; pmedian with a capacity column)"))
    s.add_argument("--candidates", type=Path, required=True,
                   help=h("候选点 CSV，列为 id,x,y[,existing（0/1，是否现有设施）][,capacity（容量）]",
                          "CSV id,x,y[,existing (0/1)][,capacity]"))
    s.add_argument("--costs", type=Path,
                   help=h("含数组 “costs” 的 .npz 文件（行为需求点、列为候选点；inf 表示不可达），"
                          "或 scipy.sparse 保存的 .npz；默认用 x,y 间的直线距离",
                          ".npz with array 'costs' (demand rows x candidate columns; inf = unreachable), "
                          "or a scipy.sparse .npz; default: euclidean distance from x,y"))
    s.add_argument("--encoding", help=h("两个 CSV 的文本编码，自动识别失败时指定：gbk、gb18030 或 utf-8"
                                        "（Excel 的“Unicode 文本”为 utf-16）",
                                        "text encoding of the two CSVs when detection fails: gbk, gb18030 or utf-8 "
                                        "(utf-16 for Excel's Unicode text)"))
    s.add_argument("--radius", type=given_float,
                   help=h("覆盖半径，与成本同单位（lscp、mclp）", "coverage radius, in the unit of the costs (lscp, mclp)"))
    s.add_argument("--p", type=int,
                   help=h("新建站点数（mclp、pmedian、pcenter）", "number of NEW sites (mclp, pmedian, pcenter)"))
    s.add_argument("--time-limit", type=given_float, default=60.0, help=h("求解时限（秒，默认 60）", "seconds (default 60)"))
    s.add_argument("--gap", type=given_float, default=0.0,
                   help=h("达到此相对 MIP 差距即停止（默认 0）", "relative MIP gap to stop at (default 0)"))
    s.add_argument("--single-source", action="store_true",
                   help=h("有 capacity 列时（mclp、pmedian）：每个需求点整体分配给一个站点"
                          "（默认：需求可分给多个站点）",
                          "with a capacity column (mclp, pmedian): each demand point goes to one "
                          "site whole (default: demand may be split between sites)"))
    add_json(s)
    s.set_defaults(func=_solve)


# --------------------------------------------------------------------------- #
# Input
# --------------------------------------------------------------------------- #

def read_table(path: Path, *, required: list[str], numeric: list[str], what_en: str,
               what_zh: str, encoding: str | None = None):
    """Read a CSV as UTF-8 (with or without BOM), else GBK (or as ``encoding``, --encoding); check its columns.

    Returns the DataFrame with ``id`` as str and ``numeric`` columns as float.
    """
    import pandas as pd

    if path.is_dir():
        check_file(path)  # said to be a folder, as every reader says it
    if not path.is_file():
        raise InputDataError(
            f"The {what_en} file {path} does not exist.",
            f"{what_zh}文件 {path} 不存在。",
            hint_en="Check the path.", hint_zh="请检查路径。", details={"file": str(path)})
    import io

    from geo.points import read_text

    text, used = read_text(path, encoding)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    except Exception as exc:  # malformed CSV (ragged rows, empty file)
        # pandas' own words are English: the Chinese message says what it means
        empty = isinstance(exc, pd.errors.EmptyDataError)
        raise InputDataError(
            f"The {what_en} file {path} is not a readable CSV: {'it is empty' if empty else exc}.",
            f"{what_zh}文件 {path} 不是可读取的 CSV：{'文件为空' if empty else '行的列数不一致或格式有误'}。",
            hint_en="Save it as comma-separated text with a header row.",
            hint_zh="请另存为带表头的逗号分隔文本。", details={"file": str(path)}) from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputDataError(
            f"The {what_en} file {path} lacks column(s) {', '.join(missing)} "
            f"(it has: {', '.join(df.columns)}).",
            f"{what_zh}文件 {path} 缺少列：{'、'.join(missing)}（现有列：{'、'.join(df.columns)}）。",
            hint_en=f"The header must contain: {', '.join(required)}.",
            hint_zh=f"表头必须包含：{'、'.join(required)}。",
            details={"file": str(path), "missing": missing, "columns": list(df.columns)})
    if len(df) == 0:
        raise InputDataError(f"The {what_en} file {path} has no rows.",
                             f"{what_zh}文件 {path} 没有数据行。", details={"file": str(path)})
    df["id"] = df["id"].astype(str).str.strip()
    # Every problem of the file in one message (QA 27: a NaN weight was said first, and a negative one
    # only on the next run): a list of (en, zh, details) said together, the first one's details on top.
    problems: list[tuple[str, str, dict]] = []
    dup = df["id"][df["id"].duplicated()].unique().tolist()
    if dup:
        problems.append((f"repeated ids: {listed(dup[:10], 'en', total=len(dup))}",
                         f"重复的 id：{listed(dup[:10], total=len(dup))}",
                         {"ids": dup, "fix_en": "Give every row its own id.", "fix_zh": "请保证每行 id 唯一。",
                          "alone_en": f"The {what_en} file {path} repeats ids: {listed(dup[:10], 'en', total=len(dup))}.",
                          "alone_zh": f"{what_zh}文件 {path} 中有重复的 id：{listed(dup[:10], total=len(dup))}。"}))
    def bad_cells(col: str, rows: np.ndarray, en: str, zh: str, fix_en: str, fix_zh: str) -> None:
        """One problem of a column: ``rows`` (0-based) said as lines (the header is line 1), ten at most."""
        at_en = listed((rows[:10] + 2).tolist(), "en", total=len(rows))
        at_zh = listed((rows[:10] + 2).tolist(), total=len(rows))
        en, zh = en.format(at=at_en), zh.format(col=col, at=at_zh)
        problems.append((f"column '{col}' {en}", zh, {"column": col, "lines": (rows + 2).tolist(),
                                                      "fix_en": fix_en, "fix_zh": fix_zh,
                                                      "alone_en": f"Column '{col}' of {path} {en}.",
                                                      "alone_zh": f"{path} 的{zh}。"}))

    for col in numeric:
        if col not in df.columns:
            continue
        vals = pd.to_numeric(df[col].str.strip(), errors="coerce")
        v = vals.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            bad_cells(col, bad, "must be a number; bad at line(s) {at}", "“{col}”列必须是数字；第 {at} 行有误",
                      "Fill in or fix those cells.", "请补全或改正这些单元格。")
        # -inf is said once, as not a number, not again as negative
        negative = np.flatnonzero(np.isfinite(v) & (v < 0)) if col in ("weight", "load", "capacity") else []
        if len(negative):  # said by line here (the model's own check counts rows from 0)
            bad_cells(col, negative, "must be >= 0; negative at line(s) {at}", "“{col}”列不能为负数；第 {at} 行为负数",
                      "Fix those cells.", "请改正这些单元格。")
        df[col] = vals.astype(float)
    if problems:
        raise _table_problems(path, what_en, what_zh, problems)
    df.attrs["encoding"] = used
    return df


def _table_problems(path: Path, what_en: str, what_zh: str, problems: list[tuple[str, str, dict]]):
    """One :class:`InputDataError` for all of a table's problems: "The demand file … : (1) …; (2) …"."""
    def facts(d: dict) -> dict:
        return {k: v for k, v in d.items() if not k.startswith(("fix_", "alone_"))}

    first = facts(problems[0][2])
    if len(problems) == 1:
        en, zh, d = problems[0]
        text_en, text_zh = d["alone_en"], d["alone_zh"]
        hint_en, hint_zh = d["fix_en"], d["fix_zh"]
    else:
        text_en = (f"The {what_en} file {path} has {len(problems)} problems: "
                   + "; ".join(f"({i}) {en}" for i, (en, _, _) in enumerate(problems, 1)) + ".")
        text_zh = (f"{what_zh}文件 {path} 有 {len(problems)} 处问题："
                   + "；".join(f"（{i}）{zh}" for i, (_, zh, _) in enumerate(problems, 1)) + "。")
        hint_en, hint_zh = "Fix each of them and run again.", "请逐一改正后重新运行。"
    return InputDataError(text_en, text_zh, hint_en=hint_en, hint_zh=hint_zh,
                          details={"file": str(path), **first,
                                   "problems": [facts(d) | {"en": en, "zh": zh} for en, zh, d in problems]})


def load_costs(path: Path | None, demand, cand) -> object:
    """Cost matrix from ``--costs`` or euclidean distance between x, y."""
    n, m = len(demand), len(cand)
    if path is None:
        dx = demand["x"].to_numpy()[:, None] - cand["x"].to_numpy()[None, :]
        dy = demand["y"].to_numpy()[:, None] - cand["y"].to_numpy()[None, :]
        return np.hypot(dx, dy)
    hint_en = "Make it with `coverplan od` or numpy.savez(path, costs=matrix)."
    hint_zh = "请用 `coverplan od` 或 numpy.savez(path, costs=矩阵) 生成。"
    if path.is_dir():  # an .npz is wanted, not "its .csv or .zip" (geo.archives.check_file's words)
        raise InputDataError(f"The costs file {path} is a folder, not a file: give the .npz file of travel costs.",
                             f"成本文件 {path} 是文件夹而不是文件：请给出出行成本的 .npz 文件。",
                             hint_en=hint_en, hint_zh=hint_zh, details={"file": str(path)})
    if not path.is_file():
        raise InputDataError(f"The costs file {path} does not exist.",
                             f"成本文件 {path} 不存在。", details={"file": str(path)})
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        # an .npz is a zip archive; numpy takes any other file for a pickle, and said that a text file or a
        # database "holds Python objects"
        npy = head == b"\x93NUM"
        raise InputDataError(f"The costs file {path} is not an .npz file"
                             + (" (it is a single NumPy .npy array)" if npy else "")
                             + ": give an .npz archive with an array named 'costs'.",
                             f"成本文件 {path} 不是 .npz 文件" + ("（是单个 NumPy .npy 数组）" if npy else "")
                             + "：请给出含有名为 “costs” 的数组的 .npz 文件。",
                             hint_en=hint_en, hint_zh=hint_zh, details={"file": str(path)})
    ids = None
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = set(z.files)
            if {"origin_ids", "destination_ids"} <= keys:   # written by `coverplan od`
                ids = (z["origin_ids"].astype(str), z["destination_ids"].astype(str))
            if "costs" in keys:
                costs = np.asarray(z["costs"], dtype=float)
            elif {"format", "shape", "data"} <= keys:      # scipy.sparse.save_npz
                import scipy.sparse as sp
                costs = sp.load_npz(path)
            else:
                raise InputDataError(
                    f"The costs file {path} has no array named 'costs' (it has: {sorted(keys)}).",
                    f"成本文件 {path} 中没有名为 “costs” 的数组（现有：{sorted(keys)}）。",
                    hint_en="Save it with numpy.savez(path, costs=matrix).",
                    hint_zh="请用 numpy.savez(path, costs=矩阵) 保存。",
                    details={"file": str(path), "arrays": sorted(keys)})
    except InputDataError:
        raise
    except Exception as exc:
        # numpy's own words would invite loading a pickled file "unsafely": never
        pickled = "pickle" in str(exc)
        raise InputDataError(f"The costs file {path} cannot be read as .npz: "
                             + ("it holds Python objects, which are never loaded (they could run code)."
                                if pickled else "it is not a NumPy .npz archive."),
                             f"无法把成本文件 {path} 读作 .npz："
                             + ("其中含有 Python 对象，为安全起见不予读取。" if pickled else "它不是 NumPy 的 .npz 文件。"),
                             hint_en=hint_en, hint_zh=hint_zh, details={"file": str(path)}) from exc
    if costs.ndim != 2 or costs.shape != (n, m):
        raise InputDataError(
            f"The costs matrix in {path} has shape {tuple(costs.shape)}, but there are {n} demand "
            f"points and {m} candidates (expected ({n}, {m})).",
            f"{path} 中的成本矩阵形状为 {tuple(costs.shape)}，但需求点 {n} 个、候选点 {m} 个"
            f"（应为 ({n}, {m})）。",
            hint_en="Rows must follow the demand CSV order and columns the candidates CSV order.",
            hint_zh="行须与需求点 CSV 顺序一致，列须与候选点 CSV 顺序一致。",
            details={"file": str(path), "shape": list(costs.shape), "expected": [n, m]})
    if ids is not None:
        # the matrix of `coverplan od` names its rows and columns: one made for other points (or the
        # CSVs reordered since) would give a confident answer for the wrong places
        for which, points, got, want, zh_which in (
                ("demand", "demand points", ids[0], demand["id"].astype(str).to_numpy(), "需求点"),
                ("candidates", "candidate sites", ids[1], cand["id"].astype(str).to_numpy(), "候选点")):
            bad = np.flatnonzero(got != want)
            if bad.size:
                i = int(bad[0])
                raise InputDataError(
                    f"The costs in {path} were computed for other {points}: {'row' if which == 'demand' else 'column'} {i + 1} of the matrix is "
                    f"'{got[i]}', line {i + 2} of the {which} CSV is '{want[i]}' ({bad.size} of {len(want)} differ).",
                    f"{path} 中的成本是为其他{zh_which}计算的：矩阵第 {i + 1} {'行' if which == 'demand' else '列'}为“{got[i]}”，{zh_which} CSV 第 "
                    f"{i + 2} 行为“{want[i]}”（{len(want)} 个中有 {bad.size} 个不同）。",
                    hint_en="Run `coverplan od` again on these CSVs, or give the CSVs the matrix was made from.",
                    hint_zh="请用这些 CSV 重新运行 `coverplan od`，或改用生成该矩阵时的 CSV。",
                    details={"file": str(path), "points": which, "index": i})
    _check_cost_values(costs, path, demand, cand)  # once the rows and columns are known to be these points
    return costs


def _check_cost_values(costs, path: Path, demand, cand) -> None:
    """NaN and negative costs refused, the first by its row and column (from 1, as the CSVs' order) and the ids
    of both points: NaN was solved without a word (taken as unreachable), and the model's own check of a
    negative cost said "demand row 0" (QA 26). ``inf`` stays what the help says: an unreachable pair."""
    import scipy.sparse as sp

    if sp.issparse(costs):
        coo = sp.coo_matrix(costs)
        vals, rows, cols = coo.data.astype(float), coo.row, coo.col
    else:  # a dense matrix is read in row order: its cells' positions are worked out for the bad ones only
        vals, rows, cols = np.asarray(costs, dtype=float).ravel(), None, None
    for what in ("nan", "negative"):
        with np.errstate(invalid="ignore"):
            where = np.flatnonzero(np.isnan(vals) if what == "nan" else vals < 0)
        if not where.size:
            continue
        if rows is None:
            first = int(where[0])
            i, j = divmod(first, costs.shape[1])
        else:
            first = int(where[np.lexsort((cols[where], rows[where]))[0]])   # the first in reading order
            i, j = int(rows[first]), int(cols[first])
        v = float(vals[first])
        d_id, c_id = str(demand["id"].iloc[i]), str(cand["id"].iloc[j])
        at_en = f"row {i + 1}, column {j + 1} (demand point '{d_id}', candidate site '{c_id}')"
        at_zh = f"第 {i + 1} 行第 {j + 1} 列（需求点“{d_id}”、候选点“{c_id}”）"
        n = int(where.size)
        more_en = f"; {n} cells in all" if n > 1 else ""
        more_zh = f"，共 {n} 处" if n > 1 else ""
        if what == "nan":
            en, zh = (f"The costs in {path} hold NaN (not a number) at {at_en}{more_en}.",
                      f"{path} 中的成本含 NaN（非数值）：{at_zh}{more_zh}。")
        else:
            en, zh = (f"The costs in {path} are negative at {at_en}: {v:g}{more_en}.",
                      f"{path} 中的成本含负值：{at_zh}为 {v:g}{more_zh}。")
        raise InputDataError(
            en, zh,
            hint_en=f"Fix {'that cell' if n == 1 else 'those cells'}: costs are distances or times of at least 0 "
                    "(inf for a pair that cannot be reached), rows in the order of the demand CSV, columns in that "
                    "of the candidates CSV.",
            hint_zh=f"请改正{'该' if n == 1 else '这些'}单元格：成本应为不小于 0 的距离或时间（无法到达的点对填 inf），"
                    "行按需求点 CSV 的顺序，列按候选点 CSV 的顺序。",
            # standard JSON: "nan" and "-inf" as text
            details={"file": str(path), "value": v if math.isfinite(v) else f"{v:g}", "row": i + 1,
                     "column": j + 1, "demand_id": d_id, "candidate_id": c_id, "cells": n})


def _need(args, name: str) -> None:
    if getattr(args, name) is None:
        flag = f"--{name}"
        raise InputDataError(
            f"The {args.model} model needs {flag}.",
            f"{args.model} 模型需要参数 {flag}。",
            hint_en=f"Add {flag} {'R (in the unit of the costs)' if name == 'radius' else 'N (number of new sites)'}.",
            hint_zh=f"请加上 {flag} {'R（与成本同单位）' if name == 'radius' else 'N（新建站点数）'}。",
            details={"missing": flag, "model": args.model})


#: The models that take each option that only some take.
TAKEN_BY = {"radius": ("lscp", "mclp"), "p": ("mclp", "pmedian", "pcenter")}


def _not_taken(args) -> None:
    """--radius for pmedian or pcenter, --p for lscp: refused by the option as typed, naming the models that
    take it. The radius was read by no model but looked applied: "covered weight: 1830 (100.0%)" with 4 points
    farther than --radius 3000 from every site (QA 26)."""
    from cli.options import option_error, shown

    for name, models in TAKEN_BY.items():
        value = getattr(args, name)
        if value is None or args.model in models:
            continue
        en_models = ", ".join(models[:-1]) + " and " + models[-1]
        zh_models = "、".join(models[:-1]) + " 和 " + models[-1]
        if name == "radius":
            en = (f"the {args.model} model takes no coverage radius (only {en_models} do: they count the demand "
                  f"within it); drop --radius, or use --model lscp or --model mclp to plan coverage within "
                  f"{shown(value)}")
            zh = (f"{args.model} 模型不使用覆盖半径（只有 {zh_models} 使用，按半径内覆盖的需求计算）；请去掉 --radius，"
                  f"或改用 --model lscp 或 --model mclp 规划 {shown(value)} 以内的覆盖")
        else:
            en = (f"the {args.model} model takes no number of sites (it finds the fewest that cover every point "
                  f"within --radius; --p is for {en_models}); drop --p, or use --model mclp to cover the most "
                  "demand with that many sites")
            zh = (f"{args.model} 模型不使用站点数（它求覆盖 --radius 内全部需求点所需的最少站点；--p 用于 {zh_models}）；"
                  "请去掉 --p，或改用 --model mclp 以该站点数覆盖尽可能多的需求")
        raise option_error(f"--{name}", value, en, zh, model=args.model, models=list(models))


# --------------------------------------------------------------------------- #
# Command
# --------------------------------------------------------------------------- #

def _solve(args) -> int:
    from cli.options import check_encoding, check_files, check_gap, check_p, check_radius, check_time_limit
    from planner.models import LSCP, MCLP, PCenter, PMedian

    check_time_limit(args.time_limit)  # in the options' words (the models' name their fields), before reading
    check_gap(args.gap)
    if args.model in ("lscp", "mclp"):
        _need(args, "radius")
        check_radius(args.radius)  # before any file is read: the model's check came after both CSVs (QA 21)
    if args.model != "lscp":
        _need(args, "p")
        check_p(args.p)  # as `propose` says it: no new site is no plan (p-center crashed on 0)
    _not_taken(args)  # pmedian --radius 3000 was solved as if no radius had been given (QA 26)
    check_files(args, "demand", "candidates", "costs")  # a missing --costs was said after the CSVs were read
    # the decoder's hint says "or state its encoding": solve had no --encoding to state it with (QA 33)
    encoding = check_encoding(getattr(args, "encoding", None))

    demand = read_table(args.demand, required=["id", "x", "y", "weight"],
                        numeric=["x", "y", "weight", "load"], what_en="demand", what_zh="需求点", encoding=encoding)
    cand = read_table(args.candidates, required=["id", "x", "y"],
                      numeric=["x", "y", "existing", "capacity"], what_en="candidates",
                      what_zh="候选点", encoding=encoding)
    existing = None
    if "existing" in cand.columns:
        ex = cand["existing"].to_numpy()
        bad = np.flatnonzero(~np.isin(ex, (0.0, 1.0)))
        if bad.size:
            raise InputDataError(
                f"Column 'existing' of {args.candidates} must be 0 or 1; bad at line(s) "
                f"{listed(bad[:10] + 2, 'en', total=bad.size)}.",
                f"{args.candidates} 的“existing”列只能是 0 或 1；第 {listed(bad[:10] + 2, total=bad.size)} 行有误。",
                details={"file": str(args.candidates), "column": "existing",
                         "lines": (bad + 2).tolist()})
        existing = ex == 1.0
    capacities = cand["capacity"].to_numpy() if "capacity" in cand.columns else None
    if args.single_source and (capacities is None or args.model not in ("mclp", "pmedian")):
        raise InputDataError(
            "--single-source applies to mclp and pmedian with a 'capacity' column in "
            f"{args.candidates}.",
            f"--single-source 只适用于 mclp 和 pmedian，且 {args.candidates} 需要有“capacity”列。",
            hint_en="Add a capacity column or drop --single-source.",
            hint_zh="请添加 capacity 列，或去掉 --single-source。",
            details={"file": str(args.candidates), "model": args.model})
    split = {"single_source": True} if args.single_source else {}
    # `load`: the capacity a point uses, apart from its weight in the objective
    # (Lorena-Senne: plain distance sum, capacity filled by each point's demand).
    loads = demand["load"].to_numpy() if "load" in demand.columns else None
    if loads is not None and (capacities is None or args.model != "pmedian"):
        raise InputDataError(
            f"Column 'load' of {args.demand} is used only by --model pmedian with a 'capacity' "
            f"column in {args.candidates}.",
            f"{args.demand} 的“load”列只用于 --model pmedian，且 {args.candidates} 需要有“capacity”列。",
            hint_en="Drop the load column, or add capacities and use pmedian.",
            hint_zh="请删去 load 列，或添加 capacity 列并使用 pmedian 模型。",
            details={"file": str(args.demand), "column": "load", "model": args.model})
    costs = load_costs(args.costs, demand, cand)
    ids = dict(demand_ids=demand["id"].to_numpy(), candidate_ids=cand["id"].to_numpy())
    w = demand["weight"].to_numpy()
    try:
        if args.model == "lscp":
            model = LSCP.from_cost_matrix(costs, radius=args.radius, existing=existing, **ids)
        elif args.model == "mclp":
            model = MCLP.from_cost_matrix(costs, radius=args.radius, p=args.p, weights=w,
                                          existing=existing, capacities=capacities, **split, **ids)
        elif args.model == "pmedian":
            model = PMedian.from_cost_matrix(costs, p=args.p, weights=w, existing=existing,
                                             capacities=capacities, loads=loads, **split, **ids)
        else:
            model = PCenter.from_cost_matrix(costs, p=args.p, weights=w, existing=existing, **ids)
        res = model.solve(time_limit=args.time_limit, gap=args.gap)
    except InfeasibleError as exc:
        # more new sites than the candidates allow: said by --p as typed, with the numbers it may take
        from cli.options import p_error

        raise _bare_hint(p_error(exc, args.p, more_en=", or add candidate sites to --candidates",
                                 more_zh="，或在 --candidates 中增加候选点")) from None
    if args.model == "lscp":
        # set covering counts points (every one must be covered); the covered weight is still the
        # demand file's weights, as for the other models -- not the number of points
        res.covered_weight = float(w[res.covered].sum())
        res.covered_share = res.covered_weight / float(w.sum()) if w.sum() > 0 else 1.0
    cand_ids = cand["id"].to_numpy()
    payload = {
        "model": res.model,
        "status": res.status,
        "objective": res.objective,
        "selected": [str(cand_ids[j]) for j in res.selected],
        "covered_weight": res.covered_weight,
        "covered_share": res.covered_share,
        "mip_gap": res.mip_gap,
        "seconds": {k: round(float(v), 4) for k, v in res.seconds.items()},
        # the best proven bound: below the objective for the minimising models,
        # above it for MCLP (maximising); null when none is known
        "bound": _bound(res),
    }
    payload.update(res.engine_fields())   # which MIP engine proved it (covering models)
    if args.json:
        print_json(payload)
        return 0
    from planner.i18n import gap_percent

    # the relative gap as a percentage in both languages (English printed it raw, "gap: 2.26802e-16": QA 26)
    gap = gap_percent(res.mip_gap, args.lang)
    # the covering models count the weight within --radius; p-median and p-center take none, and their
    # "covered" is the weight that can reach a site at all (a finite cost): said as such
    covering = args.model in TAKEN_BY["radius"]
    if args.lang == "zh":
        # the Chinese run as the other Chinese commands print: the status in words, full-width
        # punctuation, the relative gap as a percentage (unknown when no bound was proven), seconds named
        from planner.i18n import t

        bound = "" if payload["bound"] is None else f"　界：{_num(payload['bound'])}"
        print(f"模型：{res.model}　状态：{t(f'solver_{res.status}', 'zh')}{_engine_text(payload, 'zh')}")
        print(f"目标值：{_num(res.objective)}　与最优值的差距：{gap}{bound}")
        print(f"新建站点（{len(payload['selected'])} 个）：" + "、".join(payload["selected"]))
        print(f"{'覆盖需求' if covering else '可到达站点的需求'}：{_num(res.covered_weight)}（{100 * res.covered_share:.1f}%）")
        print(f"用时：{res.seconds['total']:.2f} 秒")
        return 0
    print(f"model: {res.model}  status: {res.status}{_engine_text(payload, 'en')}")
    bound = "" if payload["bound"] is None else f"  bound: {_num(payload['bound'])}"
    print(f"objective: {_num(res.objective)}  gap: {gap}{bound}")
    print(f"new sites ({len(payload['selected'])}): " + ", ".join(payload["selected"]))
    print(f"{'covered weight' if covering else 'weight with a reachable site'}: {_num(res.covered_weight)} "
          f"({100 * res.covered_share:.1f}%)")
    print(f"seconds: {res.seconds['total']:.2f}")
    return 0


def _num(x) -> str:
    """A number as a reader writes it: thousands separated, at most two decimals ("9,017,470.35", not
    "9.01747e+06": QA 27); inf and NaN as they are."""
    x = float(x)
    if not math.isfinite(x):
        return f"{x:g}"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _engine_text(payload: dict, lang: str) -> str:
    """Which engine proved the answer, after its status (the JSON's ``engine``): "" when none is named."""
    engine = payload.get("engine")
    if not engine:
        return ""
    if engine == "bound":
        return "（由拉格朗日界证明，未用 MIP 求解器）" if lang == "zh" else "  engine: bound (the Lagrangean bound proved it; no MIP)"
    name = {"scip": "SCIP", "highs": "HiGHS"}.get(str(engine), str(engine))
    return f"（求解器：{name}）" if lang == "zh" else f"  engine: {name}"


def _bare_hint(exc):
    """The models' "…or un-forbid sites" (取消禁选) advice, said for the planner's marks, is no advice for bare
    `solve`, which takes no marks (QA 27): its own ways out instead."""
    hint_zh = getattr(exc, "hint_zh", "") or ""
    if "取消禁选" not in hint_zh:
        return exc
    if "radius" in (getattr(exc, "details", None) or {}):
        exc.hint_en = "Increase --radius, or add candidate sites near them to --candidates."
        exc.hint_zh = "请增大 --radius，或在 --candidates 中增加这些点附近的候选点。"
    else:
        exc.hint_en = "Check the unreachable pairs (inf) of --costs, or add candidate sites they can reach to --candidates."
        exc.hint_zh = "请检查 --costs 中不可达（inf）的点对，或在 --candidates 中增加这些点可到达的候选点。"
    return exc


def _bound(res) -> float | None:
    """The best proven bound, from the objective and the relative gap."""
    gap = float(res.mip_gap)
    if not math.isfinite(gap) or not math.isfinite(float(res.objective)):
        return None
    sign = 1.0 if res.model == "mclp" else -1.0
    return float(res.objective) * (1.0 + sign * gap)
