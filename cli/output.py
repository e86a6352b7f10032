"""Small helpers shared by the CLI command modules."""
from __future__ import annotations

import errno
import json
import os
import sys
from typing import Any

import numpy as np


def _default(obj: Any):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_json(payload: Any) -> None:
    """Print ``payload`` as UTF-8 JSON (Chinese kept readable)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=_default))
    sys.stdout.write("\n")


def progress(iterable=None, *, quiet: bool, **kwargs):
    """A tqdm progress bar on a terminal, silent with --json or when piped."""
    from tqdm.auto import tqdm
    # no monitor thread: a second thread would keep the router from forking
    # its workers (geo.router._processes_for)
    tqdm.monitor_interval = 0
    disable = quiet or not sys.stderr.isatty()
    return tqdm(iterable, disable=disable, **kwargs)


def solver_line(solver: dict, lang: str) -> str:
    """The solve's status in words, with the proven gap when it stopped short of a proof."""
    from planner.i18n import solver_gap_text, t

    return t(f"solver_{solver.get('status')}", lang) + solver_gap_text(solver, lang)


def new_sites_text(n: int, lang: str) -> str:
    """How many new sites, in ``lang``: "1 new site", "8 new sites", "8 处新址" ("1 new sites" was printed: QA 25)."""
    n = int(n)
    return f"{n:,} 处新址" if lang == "zh" else f"{n:,} new site{'' if n == 1 else 's'}"


def columns(text: str) -> int:
    """Terminal columns ``text`` takes: a Chinese character takes two, so padding by len() would leave
    a Chinese table ragged (茅箭区 and 房县 ending at different columns)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def cell(text, width: int, align: str = "<") -> str:
    """``text`` padded to ``width`` terminal columns (``align`` "<" left, ">" right)."""
    text = str(text)
    fill = " " * max(width - columns(text), 0)
    return text + fill if align == "<" else fill + text


def pad(text, width: int, align: str = "<") -> str:
    """``text`` padded to ``width`` terminal columns by display width (a Chinese character takes two),
    ``align`` "<" left, ">" right: the helper for any CLI text table with Chinese names (QA 27)."""
    return cell(text, width, align)


def scope_of(region, code: str | None, lang: str) -> dict:
    """A proposal's scope as the API gives it: ``{"county": code, "name": ...}``, the whole city when None."""
    from planner.i18n import t
    return {"county": code, "name": county_namer(region, lang)(code).strip() if code else t("scope_city", lang)}


def county_namer(region, lang: str, *, pad: int = 0):
    """A function naming a county (by its Chinese name or its code) in ``lang``: the region's
    English county names on an English run (printed lists carry the Chinese name only).
    ``pad``: a table column's width in terminal columns, widened to the longest name so columns
    stay aligned; ``.width`` is the width used."""
    from planner.coverage import county_names_en

    c = region.counties
    codes = (c["code"] if "code" in c else c.index).astype(str)
    names = (county_names_en(c) if lang == "en" else c["name"]).astype(str)
    by_key = {**dict(zip(c["name"].astype(str), names)), **dict(zip(codes, names))}
    width = max([pad, *(columns(n) + 1 for n in names)]) if pad else 0

    def name(key) -> str:
        return cell(by_key.get(str(key), key), width)
    name.width = width
    return name


def out_error(path, err: int | None = None, ext: str = ".csv"):
    """What is wrong with ``--out PATH`` as a file to write, as an InputDataError (zh/en), or None if it looks
    writable. ``err``: the errno of a write that failed anyway (a read-only disk, a full one), to say why;
    ``ext``: the kind of file the command writes, for the example name. No command creates a missing folder
    (a typo made one: backup made /nonexistent at the root in QA 21; od and network build did the same).
    Checked before a command computes anything, so a typo in the folder costs no waiting and no traceback."""
    from geo.errors import InputDataError

    p = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(p)) if p else ""
    shown = os.path.dirname(p) or "."
    detail = {"parameter": "out", "value": p}
    if not p.strip():
        return InputDataError("--out is empty: give the file to write, e.g. --out result.csv.",
                              "--out 为空：请给出要写入的文件，如 --out result.csv。", details=detail)
    if p.endswith(("/", os.sep)) and not os.path.isdir(p):
        example = p.rstrip("/" + os.sep) or "result"
        return InputDataError(f"--out {p} ends in a slash, which names a folder: give a file name, e.g. {example}.",
                              f"--out {p} 以斜杠结尾，表示文件夹：请给出文件名，如 {example}。", details=detail)
    if os.path.isdir(p) or err == errno.EISDIR:
        example = os.path.join(p, "result" + ext)
        return InputDataError(f"--out {p} is a folder, not a file: give a file name inside it, e.g. {example}.",
                              f"--out {p} 是文件夹而不是文件：请在其中给出文件名，如 {example}。", details=detail)
    if not os.path.exists(folder):
        above = folder
        while not os.path.exists(above) and os.path.dirname(above) != above:
            above = os.path.dirname(above)
        if os.path.exists(above) and not os.path.isdir(above):  # a file where a folder of the path should be
            return InputDataError(f"--out {p}: {above} is a file, not a folder. Give a path inside a folder.",
                                  f"--out {p}：{above} 是文件而不是文件夹，请给出某个文件夹中的路径。", details=detail)
        return InputDataError(f"--out {p}: the folder {shown} does not exist. Create it first, or write into a "
                              "folder that exists.",
                              f"--out {p}：文件夹 {shown} 不存在。请先创建该文件夹，或写到已有的文件夹中。", details=detail)
    if not os.path.isdir(folder):
        return InputDataError(f"--out {p}: {shown} is a file, not a folder. Give a path inside a folder.",
                              f"--out {p}：{shown} 是文件而不是文件夹，请给出某个文件夹中的路径。", details=detail)
    target_ok = os.access(p, os.W_OK) if os.path.exists(p) else os.access(folder, os.W_OK | os.X_OK)
    if err == errno.EROFS:
        return InputDataError(f"--out {p}: {shown} is on a read-only disk. Write into another folder.",
                              f"--out {p}：{shown} 位于只读磁盘上，请写到其他文件夹。", details=detail)
    if not target_ok or err in (errno.EACCES, errno.EPERM):
        where = p if os.path.exists(p) else shown
        return InputDataError(f"--out {p}: no permission to write to {where}. Choose a folder you can write to "
                              "(e.g. your home folder), or ask for write access.",
                              f"--out {p}：没有写入 {where} 的权限。请换一个你有写权限的文件夹（如个人目录），或申请写权限。",
                              details=detail)
    if err is not None:
        code = errno.errorcode.get(err, str(err))
        return InputDataError(f"--out {p}: the file could not be written ({os.strerror(err)}, {code}). Check the "
                              "disk and the folder, then try again.",
                              f"--out {p}：文件无法写入（系统错误 {code}）。请检查磁盘和文件夹后重试。", details=detail)
    return None


#: The options of the commands that name a file the command reads (the positional ``file`` too): an --out naming one
#: of them would replace that input with the result (`coverage --facilities reg.csv --out reg.csv` did, silently).
INPUT_OPTIONS = ("file", "facilities", "demand", "candidates", "costs", "proposal", "townships", "villages",
                 "network", "osm", "origins", "destinations", "db")


def out_input_error(args, ext: str = ".csv"):
    """An InputDataError (zh/en) when ``args.out`` is the same file as one of the command's input files
    (:data:`INPUT_OPTIONS`, a link or a second name of it included: ``os.path.samefile``), else None. Every command
    with --out is checked so (cli.main), before any work: writing the result there would replace the input."""
    from geo.errors import InputDataError

    out = getattr(args, "out", None)
    if out is None or not os.path.exists(os.fspath(out)):  # nothing there yet: no input of that name either
        return None
    for name in INPUT_OPTIONS:
        value = getattr(args, name, None)
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(v, (str, os.PathLike)) or not os.fspath(v).strip():
                continue
            try:
                same = os.path.exists(v) and os.path.samefile(v, out)
            except OSError:  # a file that cannot be looked at: its own reader says so
                same = False
            if not same:
                continue
            o, i = os.fspath(out), os.fspath(v)
            stem, suffix = os.path.splitext(os.path.basename(o))
            example = os.path.join(os.path.dirname(o), f"{stem}-result{suffix or ext}")
            flag_en, flag_zh = (f"the input file {i}", f"输入文件 {i}") if name == "file" else \
                (f"--{name.replace('_', '-')} {i}",) * 2
            shown = "" if os.path.abspath(i) == os.path.abspath(o) else \
                (" (the same file under another name)", "（同一文件的另一个名称）")
            return InputDataError(
                f"--out {o} is the same file as {flag_en}{shown[0] if shown else ''}: writing the result there would "
                f"replace that input file. Give another file to write with --out, e.g. --out {example}.",
                f"--out {o} 与 {flag_zh} 是同一个文件{shown[1] if shown else ''}：写出结果会覆盖该输入文件。"
                f"请用 --out 另给一个要写出的文件，如 --out {example}。",
                details={"parameter": "out", "value": o, "input": f"--{name}" if name != "file" else "file"})
    return None


def load_proposal_file(path: str) -> dict:
    """``planner.proposals.load_proposal_sites`` for a file named on the command line, whose errors say in
    words what the file is and what is expected instead (no codec or parser text, no traceback for JSON that
    is not an object): a proposal file is the GeoJSON that ``propose``/``upgrade --out x.geojson`` write."""
    from geo.errors import InputDataError
    from planner.proposals import load_proposal_sites

    hint_en = (" A proposal file is the GeoJSON written by `coverplan propose --type TYPE --p N --out plan.geojson` "
               "(or `coverplan upgrade … --out plan.geojson`), or a saved proposal's GeoJSON download on the web.")
    hint_zh = ("方案文件是 `coverplan propose --type 类型 --p 数量 --out 方案.geojson`（或 `coverplan upgrade … "
               "--out 方案.geojson`）生成的 GeoJSON 文件，或网页上已保存方案的 GeoJSON 下载。")

    def bad(en: str, zh: str) -> InputDataError:
        return InputDataError(f"--proposal {path}: {en}{hint_en}", f"--proposal {path}：{zh}{hint_zh}",
                              details={"parameter": "proposal", "value": str(path)})

    if os.path.isdir(path):
        raise bad("is a folder, not a file.", "是文件夹而不是文件。")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            data = head + fh.read()
    except FileNotFoundError:
        raise bad("no such file.", "文件不存在。") from None
    except OSError as exc:
        raise bad(f"the file cannot be read ({os.strerror(exc.errno) if exc.errno else 'error'}).",
                  "文件无法读取（请检查文件权限）。") from None
    if head.startswith(b"PK"):
        raise bad("is a zip archive or an Excel workbook (.xlsx), not GeoJSON.",
                  "是压缩包或 Excel 工作簿（.xlsx），不是 GeoJSON 文件。")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad("is not a text file in UTF-8 (a binary file, e.g. Excel or a shapefile, or a text in another "
                  "encoding), so not GeoJSON.",
                  "不是 UTF-8 文本文件（可能是 Excel、Shapefile 等二进制文件或其他编码的文本），因此不是 GeoJSON 文件。") from None
    try:
        raw = json.loads(text)
    except ValueError:
        raise bad("is not GeoJSON (the text is not JSON).", "不是 GeoJSON 文件（内容不是 JSON 格式）。") from None
    except RecursionError:  # brackets nested thousands deep: no GeoJSON is
        raise bad("is not GeoJSON (its brackets are nested thousands of levels deep).",
                  "不是 GeoJSON 文件（括号嵌套达数千层）。") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("features"), list):
        raise bad("is JSON but not a GeoJSON FeatureCollection of sites.", "是 JSON，但不是包含站点的 GeoJSON 要素集合。")
    if not raw["features"]:
        raise bad("holds no sites.", "不含任何站点。")
    from geo.regions import available_regions

    try:
        # read before the data is loaded: its sites in the box of a region shipped here (QA 33: one in Beijing
        # counted; the region's own shape is checked once loaded, planner.proposals.place_proposal_sites)
        return load_proposal_sites(path, region=available_regions())
    except InputDataError as exc:
        if exc.details.get("check"):  # a feature, or the type, named with what to fix (QA 33): said as it is
            raise InputDataError(f"--proposal {exc.en}", f"--proposal {exc.zh}", hint_en=exc.hint_en,
                                 hint_zh=exc.hint_zh, details=exc.details) from None
        raise bad("is GeoJSON but not a coverplan proposal (no facility type or unreadable sites).",
                  "是 GeoJSON，但不是 coverplan 方案（缺少设施类型或站点无法读取）。") from None
    except (TypeError, AttributeError):
        raise bad("is GeoJSON but its sites cannot be read as a coverplan proposal.",
                  "是 GeoJSON，但其中的站点无法作为 coverplan 方案读取。") from None


# -- the --out tables: headed in the run's language with their units (QA 26) -------------------------------
# each command's table is a spec [(key, header, kind)] read by out_frame (cli.capacity, cli.analysis)

def missing(v) -> bool:
    """None, NaN, pandas' NA or an infinite number (a cost to no facility reached): an empty cell."""
    import math
    import numbers

    if v is None:
        return True
    try:
        if v != v:
            return True
    except (TypeError, ValueError):  # pd.NA compares to nothing
        return True
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isinf(v)


def number(v, digits: int):
    """``v`` rounded to ``digits`` decimals, a whole number as an int (30.0 -> 30); None when missing."""
    if missing(v):
        return None
    x = round(float(v), digits)
    return int(x) if x == int(x) else x


def in_lang(lang: str):
    """``hd(zh, en)``: the one of two texts in ``lang`` (an --out table's headers are worded in both, side by side)."""
    return lambda zh_text, en_text: en_text if lang == "en" else zh_text


class ShareCell(str):
    """A share as an --out table shows it ("46.1%", :func:`planner.i18n.share_text`) that keeps its number:
    an .xlsx gets the number with a percent format (Excel sums and sorts it), a .csv the text."""

    share: float

    def __new__(cls, share: float):
        from planner.i18n import share_text

        obj = super().__new__(cls, share_text(share))
        obj.share = float(share)
        return obj

    def number_format(self) -> str | None:
        """The XLSX format that shows the number as the text reads, or None where no format can ("<100%")."""
        from planner.i18n import share_number_format

        return share_number_format(str(self))


def table_cell(v, kind: str, lang: str):
    """One cell of an --out table: ``kind`` "text", "int" (whole), "number" / "coord" (a figure / a longitude or
    latitude the web's downloads also write: as they write it, planner.numbers.number_cell), "1" / "2" / "6"
    (decimals, a whole number as one), "1f" (one decimal, always shown), "pct" (a 0..1 share as "46.1%",
    planner.i18n.share_text), "yesno" (是/否, yes/no) or "status" (达标/met ...). A missing value is an empty cell,
    never "nan" or "None"."""
    from planner.i18n import share_text, t
    from planner.numbers import number_cell

    if missing(v):
        return ""
    if kind == "text":
        return str(v)
    if kind in ("number", "coord"):  # the web's rule, not a copy of it (QA 34)
        return number_cell(float(v), "lon" if kind == "coord" else None)
    if kind == "int":
        return int(round(float(v)))
    if kind == "pct":
        return ShareCell(float(v)) if np.isfinite(float(v)) else share_text(float(v))
    if kind == "yesno":
        return t("yes" if bool(v) else "no", lang)
    if kind == "status":
        return t(f"status_{v}", lang) if v in ("met", "not_met", "na") else str(v)
    if kind.endswith("f"):  # a ratio: its decimals always shown (3.0 beside 5.1, not 3)
        return round(float(v), int(kind[:-1]))
    return number(v, int(kind))


def out_frame(rows: list[dict], spec: list[tuple[str, str, str]], lang: str):
    """``rows`` as an --out table: ``spec`` is [(key, header, kind)] in the order of the columns (kinds:
    :func:`table_cell`). Object columns, so whole numbers stay whole beside empty cells."""
    import pandas as pd

    # each column built as objects: a frame built from lists infers float64 first, and 25 came out "25.0"
    data = {head: pd.Series([table_cell(r.get(key), kind, lang) for r in rows], dtype=object)
            for key, head, kind in spec}
    return pd.DataFrame(data, columns=[head for _, head, _ in spec])



def table_title(what: str, parts: list[str], lang: str, *, illustrative: bool) -> str:
    """The first row of a table the CLI writes (``--out``): what it is, its parameters, the date and, when
    the result rests on synthetic or approximate inputs, 示意. The web's exports put the same line above
    their header (web.exports.export_title; both write planner.cells.title_line), so a forwarded or printed
    file still says what it is and that the numbers are illustrative."""
    from planner.cells import title_line
    from planner.i18n import t

    return title_line(what, parts, lang, t("cli_synthetic_inputs", lang) if illustrative else None)


def cells_of(column, fn):
    """``fn`` of each cell of an object ``column``, kept as objects: pandas' ``map`` infers the column's type again, and
    a ratio column of 7 and 7.6 came out as floats, written "7.0" where the web's download writes 7 (QA 34)."""
    import pandas as pd

    return pd.Series([fn(v) for v in column], index=column.index, dtype=object)


def write_table(sheets, path: str, title: str | None) -> None:
    """``sheets`` (a DataFrame, or [(sheet name, DataFrame), ...] for an .xlsx of several sheets) as .csv
    (UTF-8 with BOM, so Excel on Windows reads the Chinese; the first table only) or .xlsx, each with
    ``title`` (:func:`table_title`) as its first row and the header after it, as the web's exports
    (every command's --out gives one; without it the header is the first row)."""
    import csv

    import pandas as pd

    from geo.errors import InputDataError
    from planner.cells import protect_cells, safe_text, xlsx_text

    frames = [("coverplan", sheets)] if not isinstance(sheets, list) else sheets
    head = 1 if title else 0
    low = path.lower()
    if low.endswith(".xlsx"):
        from openpyxl.styles import Font

        # names come from registers: no cell (nor the title, which may quote one) may run as a formula; in an
        # XLSX a text cell with the quote prefix (planner.cells), not an apostrophe that shows in the value.
        # Built in memory and written under the name typed: pandas refuses a path whose extension is not
        # lower-case (".XLSX": "Invalid extension for engine", after the work was done: QA 24) even with the
        # engine named; a buffer has no extension to check, and a failed build leaves no half-written file.
        import io

        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xw:
            for name, df in frames:
                sheet = name[:31]
                df = df.copy()
                # shares written as numbers shown as percentages (they were text, "90.9%", that Excel cannot sum)
                # (a frame built from dicts of text makes a column pandas' str dtype, not object: the sized table's
                # utilisation was written as text again, QA 30)
                shares = [(i, j, v) for j, c in enumerate(df.columns)
                          if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])
                          for i, v in enumerate(df[c]) if isinstance(v, ShareCell) and v.number_format()]
                for c in df.columns:
                    if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                        df[c] = cells_of(df[c], xlsx_text)
                df.columns = [xlsx_text(c) if isinstance(c, str) else c for c in df.columns]
                df.to_excel(xw, sheet_name=sheet, index=False, startrow=head)
                ws = xw.sheets[sheet]
                if title:
                    ws.cell(row=1, column=1, value=xlsx_text(title)).font = Font(bold=True, color="A15C00")
                for i, j, v in shares:
                    cell = ws.cell(row=head + 2 + i, column=j + 1)
                    cell.value, cell.number_format = v.share, v.number_format()
                for row in ws.iter_rows():
                    protect_cells(row)
                ws.freeze_panes = f"A{head + 2}"  # title and header stay in view
        with open(path, "wb") as fh:
            fh.write(buf.getvalue())
    elif low.endswith(".csv"):
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            if title:  # pandas' line ends below
                csv.writer(fh, lineterminator=os.linesep).writerow([safe_text(title)])
            df = frames[0][1].copy()
            for c in df.columns:  # as planner.cells.safe_frame, each cell kept as it is (QA 34: 7 was written 7.0)
                if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                    df[c] = cells_of(df[c], safe_text)
            df.columns = [safe_text(c) if isinstance(c, str) else c for c in df.columns]
            df.to_csv(fh, index=False)
    else:
        raise InputDataError(f"--out must end in .csv or .xlsx (got {path}).",
                             f"--out 须为 .csv 或 .xlsx 文件（当前 {path}）。", details={"parameter": "out"})


def data_version(region) -> int:
    """The data version a region was loaded at (0: the embedded data)."""
    return int(getattr(region, "dataset_version", None) or 0)


def proposal_name(kind: str, ft, lang: str, path: str, *, model: str | None = None, n: int | None = None,
                  sizes=None, k: int | None = None, convert: bool = False) -> str:
    """The name a proposal file the CLI writes records (no option names it), made by the web's rule for a proposal
    saved without a name (planner.proposals.default_name: the type, the model, the sites) with the file's own name,
    which the planner chose, where the web puts the time (the time is ``created``):
    "乡镇(街道)养老服务综合体·最大覆盖·8处·plan8". ``kind``: "location", "sized" or "upgrade";
    ``path``: the file written."""
    from planner.proposals import default_name

    stem = os.path.splitext(os.path.basename(os.fspath(path)))[0] or os.path.basename(os.fspath(path))
    # made in both languages, as the web keeps a saved proposal's (its auto_name): the file records both
    # (proposal_record), and `map`/`targets --proposal` show the one of their run (QA 33: an English map of a file
    # `propose` wrote in Chinese was titled in Chinese)
    both = {lg: default_name(kind, ft, lg, tail=stem, model=model, n=n, sizes=sizes, k=k, convert=convert)
            for lg in ("zh", "en")}
    return ProposalName(both[lang], both)


class ProposalName(str):
    """A proposal's name in the run's language (a str), with the name coverplan made in each language
    (``by_lang``: {"zh", "en"}), which :func:`proposal_record` writes as ``auto_name``."""

    def __new__(cls, text: str, by_lang: dict):
        obj = super().__new__(cls, text)
        obj.by_lang = dict(by_lang)
        return obj


def proposal_record(name: str, region, scope: dict, when) -> dict:
    """What a proposal GeoJSON the CLI writes (`propose`/`upgrade --out x.geojson`) records of itself beside the
    solve, under the keys the web's download of a saved proposal uses (web.api: ``name``, ``created``,
    ``dataset_version``, ``scope``) and `map --proposal` / `targets --proposal` read: its name, when it was written,
    the data version it was solved on and its scope (a county, or the whole city)."""
    auto = getattr(name, "by_lang", None)  # a name coverplan made (proposal_name): both languages', as the web's
    return {"name": str(name), **({"auto_name": dict(auto)} if auto else {}),
            "created": when.isoformat(timespec="seconds"), "dataset_version": data_version(region), "scope": scope}


def recorded_name(meta: dict, lang: str) -> str | None:
    """The name a proposal file records (its ``coverplan`` block, or :func:`load_proposal_file`'s answer) in
    ``lang``: the name coverplan made in that language (``auto_name``) while ``name`` is still one of them, a name
    given or edited by hand as written, None when it records none (planner.proposals.recorded_name)."""
    from planner.proposals import recorded_name as named

    return named(meta if isinstance(meta, dict) else {}, lang)


def proposal_title(name: str, parts: list[str], lang: str, *, illustrative: bool) -> str:
    """The title row of a proposal's --out table, as the web's CSV/XLSX of a saved proposal begins: "方案: NAME",
    then ``parts`` (its type, model, sites, scope, data version...), the time it was written and 示意."""
    from planner.i18n import t

    return table_title(f"{t('proposal', lang)}: {name}", parts, lang, illustrative=illustrative)


def scope_part(scope: dict, lang: str) -> str:
    """A proposal's scope as a part of its title: "范围: 房县" / "Scope: Whole city" (the web's words)."""
    from planner.i18n import t

    return f"{t('scope', lang)}: {scope.get('name') or t('scope_city', lang)}"


def data_parts(region, lang: str, facilities_file: str | None = None) -> list[str]:
    """The data a result rests on, as parts of a table title: the data version (the web's exports name it
    so too) and the --facilities register when one replaced the version's."""
    from planner.i18n import t

    parts = [f"{t('data_version_label', lang)} v{data_version(region)}"]
    if facilities_file:
        parts.append(f"{'现有设施取自' if lang == 'zh' else 'existing facilities from'} {os.path.basename(facilities_file)}")
    return parts



def issue_text(issue: dict, lang: str, *, strict: bool = False) -> str:
    """One issue of an import's report (a register's, a township or village file's: planner.register,
    geo.imports) as a line: severity, row, column, problem and fix, in ``lang``. ``strict``: the import refuses
    it, so an automatic correction (a swapped lon/lat) is said as not made (it was listed as a warning "read
    the other way round" just before "nothing was imported": QA 22). `data import` and `region import` print
    their issues so (QA 23: region import said only how many boundaries it imported)."""
    from planner.i18n import t

    sev = issue.get("severity") or issue.get("level") or ""
    kept = strict and issue.get("fixed")
    if kept:
        sev = "error"
    parts = [f"[{t('ds_sev_' + sev, lang)}]" if sev in ("error", "warning") else ""]
    if issue.get("row") is not None:
        parts.append(t("ds_row", lang, n=issue["row"]))
    if issue.get("column"):
        parts.append(f"{t('ds_column', lang)} {issue['column']}")
    other = "zh" if lang == "en" else "en"
    msg = issue.get(f"message_{lang}") or issue.get("message") or issue.get(f"message_{other}") or ""
    if kept:
        msg = issue.get(f"unfixed_{lang}") or msg
    fix = issue.get(f"fix_{lang}") or ""
    sep = "：" if lang == "zh" else ": "
    head = " ".join(p for p in parts if p)
    return f"  {head}{sep}{msg}" + (f" ({fix})" if fix and lang == "en" else f"（{fix}）" if fix else "")
