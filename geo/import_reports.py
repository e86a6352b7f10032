"""The validation report kept with each data version an import made, whichever face made it.

A version's note may say "1 row refused, see the report": the report of the check that made it is kept
under ``<data dir>/reports/v<version>/`` as two files, and read back by the web app (the version list's
``report``, ``GET /api/data/versions/<v>/report.xlsx``) and by ``coverplan backup`` / ``restore``
(geo.backup), which take a report only in this shape:

- ``issues.json``: a list of objects, one per problem found, each with ``row, column, severity, code,
  message, fix`` (in the language of the check), ``message_zh, message_en, fix_zh, fix_en`` (both, so the
  report downloads in the language asked later), ``value`` and ``candidates``;
- ``meta.json``: an object with at least ``sha256`` (of the file that made the version: a report is shown
  only for the version whose source has that hash), ``original`` (the file's name) and ``counts``
  (``rows, accepted, refused``, ...).

The web's upload (web.data) and ``coverplan data import`` (cli.data) both write it with :func:`keep_report`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from geo.dbfile import private_dir, private_opener

#: The folder of the kept reports in a data dir (geo.backup archives it under the same name).
REPORTS = "reports"
#: The two files of a kept report, all a report folder holds.
REPORT_FILES = ("issues.json", "meta.json")
#: The keys of an issue of a kept report, as the web's check writes them.
ISSUE_KEYS = ("row", "column", "severity", "code", "message", "fix", "message_zh", "message_en", "fix_zh", "fix_en",
              "value", "candidates")
#: What a register's check adds to an issue for the CLI's strict reading (an automatic correction the import
#: refuses without --partial): not part of a kept report, whose version took the row as corrected.
CHECK_ONLY_KEYS = ("fixed", "unfixed_zh", "unfixed_en")


def report_dir(data_dir: str | Path, version: int) -> Path:
    """Where the report of the check that made ``version`` is kept."""
    return Path(data_dir) / REPORTS / f"v{int(version)}"


def _pick(zh, en, lang: str):
    """The text in ``lang``, the other language when that one is empty (planner.i18n.pick's rule)."""
    return (en or zh) if lang == "en" else (zh or en)


def report_issue(issue: dict, lang: str) -> dict:
    """One issue of a check (planner.register's, geo.imports', the faces' own) in a kept report's shape:
    ``message`` and ``fix`` in ``lang`` beside both languages, without the check's own keys."""
    out = {k: v for k, v in issue.items() if k not in CHECK_ONLY_KEYS}
    out["message"] = _pick(issue.get("message_zh"), issue.get("message_en"), lang) or issue.get("message") or ""
    out["fix"] = _pick(issue.get("fix_zh"), issue.get("fix_en"), lang) or issue.get("fix") or ""
    out.setdefault("value", "")
    out.setdefault("candidates", [])
    return out


def report_facts(read: dict | None, *, located_by_name: int = 0, replace: str | None = None,
                 replaces: dict | None = None, blocked: dict | None = None, identical: int | None = None,
                 remembered: bool = False) -> dict:
    """A kept report's ``meta["facts"]``: what the Data page shows above a check's table, which the report's
    download (``/api/data/versions/<v>/report.*``) lists in its summary. ``read``: how the file was read,
    {``columns`` (field -> file column), ``encoding``, ``crs``, ``coords`` (the lon/lat datum)};
    ``located_by_name``: rows placed by their place names; ``replace``: a facility register's replace mode
    (None for another layer); ``replaces`` / ``blocked``: {"zh", "en"} sentences saying what the import replaces
    and why it would be refused; ``identical``: the version the file is identical to; ``remembered``: the column
    mapping came from a file of the same headers. The same keys whichever face checked the file (QA 31: a version
    made by ``coverplan data import`` kept none, and its report left out what it replaced and how it was read)."""
    read = read if isinstance(read, dict) else {}
    return {"encoding": read.get("encoding"), "crs": read.get("crs"), "coords": read.get("coords"),
            "columns": dict(read.get("columns") or {}), "located_by_name": int(located_by_name or 0),
            "remembered": bool(remembered), "replace": replace, "replaces": replaces or None,
            "blocked": blocked or None, "identical": identical}


def refused_note(note: str, refused: int) -> str:
    """A version's note with the rows its file had refused said after it, pointing to the kept report."""
    if not refused:
        return note
    rows = f"{refused:,} {'row' if refused == 1 else 'rows'}"
    return (note + " " if note else "") + f"（{refused} 行未导入，见校验报告 / {rows} refused）"


def _write_json(path: Path, value) -> None:
    """``value`` as UTF-8 JSON at ``path``, written to a temporary name and renamed: never half a file."""
    tmp = path.with_name(path.name + ".tmp")
    # 0600 whatever the umask: a report quotes the register's rows (names, addresses, phone numbers; QA 35)
    with open(tmp, "w", encoding="utf-8", opener=private_opener) as f:
        f.write(json.dumps(value, ensure_ascii=False, default=str))
    os.replace(tmp, path)


def keep_report(data_dir: str | Path, version: int, issues: list, meta: dict) -> Path:
    """Keep the report of the check that made data version ``version`` (``issues``: a list of issue objects;
    ``meta``: an object with ``sha256``, ``original`` and ``counts``) under ``data_dir``; its folder.

    A report left at that number by another file (a database restored since) is replaced. Raises ValueError
    for a report not in the shape above (the web app and a restore could not read it) and OSError when the
    folder cannot be written: the caller decides whether that stops anything (a version already made does not
    unmake itself over its report).
    """
    if not isinstance(issues, list) or not all(isinstance(i, dict) for i in issues):
        raise ValueError("a kept report's issues must be a list of objects")
    if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str) or \
            not isinstance(meta.get("original"), str) or not isinstance(meta.get("counts"), dict):
        raise ValueError("a kept report's meta must give sha256, original and counts")
    folder = report_dir(data_dir, version)
    # reports/ and its folders the owner's alone (0700; one made wider before is narrowed): QA 35
    private_dir(folder.parent)
    private_dir(folder)
    _write_json(folder / "issues.json", issues)
    _write_json(folder / "meta.json", meta)  # last: the web shows a report once its meta names the file
    return folder


def kept_meta(data_dir: str | Path, version: int, source_sha256) -> dict | None:
    """The kept report's meta of ``version`` when it is the report of the file that made it (the same file
    hash: a restored backup's version of that number may have been made by another file), else None."""
    folder = report_dir(data_dir, version)
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if source_sha256 and isinstance(meta, dict) and meta.get("sha256") == source_sha256 and \
        (folder / "issues.json").is_file() else None


def version_rows(d: dict, kept: dict | None, lang: str) -> dict:
    """A version's ``rows``, the same on the Data page, /api/data/versions and `coverplan data versions`: the
    rows its layer holds after it (the layers it wrote or a rollback restored, summed; None for the road network
    and the embedded data), with ``layer_rows`` (layer -> rows); an import also says its file's rows
    (``file_rows``, ``file_accepted``, ``rows_note`` in words). ``d`` is the version's
    ``DatasetVersion.to_dict()``, ``kept`` its kept report's meta (:func:`kept_meta`) or None.

    QA 31: "Rows in layer" was a facility import's whole layer (68, the file had 13), a village or township
    import's file rows (5, 1: the layers hold 1,979 and 129), one rollback's layer and another's "–"."""
    counts = d.get("counts") or {}
    if d.get("kind") == "rollback":
        names = [r["layer"] for r in d.get("replaced") or [] if r.get("layer")]
    else:
        names = [n for n in (d.get("layer") or "").split(",") if n]
    layer_rows = {n: counts.get(n) for n in names}
    held = [n for n in layer_rows.values() if isinstance(n, int)]
    out = {"rows": sum(held) if held else None, "layer_rows": layer_rows,
           "file_rows": None, "file_accepted": None, "rows_note": ""}
    if d.get("kind") != "import" or "network" in names:
        return out
    c = (kept or {}).get("counts") if isinstance((kept or {}).get("counts"), dict) else {}
    read, accepted = c.get("rows"), c.get("accepted")
    if not isinstance(read, int) and names and set(names) <= {"townships", "villages"} \
            and isinstance(d.get("rows"), int):
        read = accepted = d["rows"]  # no kept report: the units the file gave, as the version recorded them
    if not isinstance(read, int):
        return out
    accepted = accepted if isinstance(accepted, int) else None
    out.update({"file_rows": read, "file_accepted": accepted})
    taken = accepted is not None and accepted != read
    # the file's rows as they add up: imported, refused, and its totals, footer and repeated rows (合计, 填报单位：…)
    # skipped on purpose ("22 rows, 20 imported" alone read as 2 rows lost; "of which 2 skipped" read as 2 of
    # the imported: QA 32); the kept report's counts say how many
    def count(key):
        n = c.get(key)
        return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 0
    skipped = count("skipped")
    refused = count("refused") or (max(read - accepted - skipped, 0) if accepted is not None else 0)
    if lang == "zh":
        parts = [f"导入 {accepted:,} 行"] if accepted is not None and (taken or skipped) else []
        parts += [f"未导入 {refused:,} 行"] if refused else []
        parts += [f"略过合计、表尾、重复行或已关闭的设施 {skipped:,} 行"] if skipped else []
        out["rows_note"] = f"文件 {read:,} 行" + ("：" + "，".join(parts) if parts else "")
    else:
        parts = [f"{accepted:,} imported"] if accepted is not None and (taken or skipped) else []
        parts += [f"{refused:,} refused"] if refused else []
        parts += [f"{skipped:,} skipped (totals, footer, repeated or closed-facility {'row' if skipped == 1 else 'rows'})"] if skipped else []
        out["rows_note"] = f"file: {read:,} {'row' if read == 1 else 'rows'}" + (": " + ", ".join(parts) if parts else "")
    return out
