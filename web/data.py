"""The planner's own data in the browser: upload → validation report → confirm → new data version.

An upload is checked at once and nothing is written to the data: the file is
kept under ``VAR_DIR/uploads/<id>/`` with the options it was checked with, and
the answer is the validation report (every row's problems, counts, the column
mapping, the detected encoding, CRS and datum) with a preview of the accepted
rows. Confirming checks the same file again with the same options (so a restart
in between loses nothing) and commits the accepted rows as a new version of
the dataset (geo.datasets: all or nothing, the original file kept). Versions
can be compared and rolled back; a rollback is a new version.
"""
from __future__ import annotations

import functools
import io
import json
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from flask import Blueprint, current_app, g, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from geo import datasets as geo_datasets
from geo.crs import parse_crs
from geo.dbfile import write_private_text  # an upload's reports and markers 0600, as its folder is 0700
from geo.datasets import ANONYMOUS_AUTHOR, EDIT_FIELDS, MAX_EDIT_TEXT, facility_row_limit, sha256_file, too_many_facilities
from geo.datasets import own_capacity_only
from geo.datasets import note_in as datasets_note_in
from geo.errors import CoverplanError, DataChanged, InputDataError, NotFoundError, listed
from geo.import_reports import keep_report, kept_meta, refused_note, report_dir, report_facts, version_rows
from geo.imports import check_townships, check_villages
from planner import register_scope, textrules
from planner.i18n import fields_text, pick, t
from planner.marks import township_at
from planner.numbers import moved_text  # a move's distance in words, as the CLI's `data diff` says it too
from planner.register import KEPT_SYNTHETIC_ROWS, kept_synthetic_text, validate_register
from planner.register_columns import CAPACITY_FIELDS, MAPPABLE
from planner.register_report import sentences, written_over_limit
from planner.textrules import number_text
from web import auth, exports, layers
from web.api import job_dict
from web.errors import bad_param, json_kind, json_object, no_body, not_found, refuse_unknown, shown_value
from web.extensions import ext
from web.params import number, query, repeated_error, typed_number

bp = Blueprint("data", __name__)

KINDS = ("facilities", "townships", "villages", "network")
#: A village farther than this from every road node is off the network in network mode
#: (geo.travel.travel_costs' default ``max_snap_m``, which the analyses use).
NETWORK_SNAP_M = 1000.0
COORDS = ("auto", "wgs84", "gcj02", "bd09")
ENCODINGS = ("", "utf-8", "gbk", "gb18030", "utf-16", "utf-16le", "utf-16be")
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".zip", ".gpkg", ".kml", ".kmz")
NETWORK_SUFFIXES = (".osm", ".pbf", ".graphml")  # an OpenStreetMap extract (.osm.pbf ends in .pbf)
#: Issues listed in the JSON answer (all of them go into the downloadable report).
ISSUES_SHOWN = 2000
#: Points on the upload's preview map at most: a 188,388-row file sent every row (a 51 MB answer,
#: 27 s and 360 MB in the browser); beyond this an even sample of the rows is drawn (refused first).
PREVIEW_MAX = 5000
#: A checked upload not confirmed within this many seconds is removed (at the next upload), and
#: the oldest go first once all kept uploads pass UPLOADS_MAX_BYTES: checking a file must not
#: let anyone fill the server's disk.
UPLOAD_KEEP_SECONDS = 24 * 3600
UPLOADS_MAX_BYTES = 500 * 1024 * 1024
_ID = set("0123456789abcdef")


def _svc():
    return ext()["service"]


def _store():
    store = ext().get("datasets")
    if store is None:
        raise InputDataError("This server keeps no data versions.", "本服务未启用数据版本管理。")
    return store


def _uploads() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "uploads"


def _our_id(uid: str) -> bool:
    return len(uid) == 32 and set(uid) <= _ID  # our own ids only: no path tricks


def _upload_dir(uid: str) -> Path:
    if not _our_id(uid):
        raise not_found("Upload", "上传文件", uid)
    d = _uploads() / uid
    if not (d / "meta.json").exists():
        if d.with_name(f"{uid}.confirming").exists() or d.with_name(f"{uid}.done").exists():
            # imported (or being imported): "upload the file again" below invited a second import (QA 22)
            raise _already_confirmed(uid)
        err = not_found("Upload", "上传文件", uid)
        # the usual reason: checked but not confirmed for a day (see _sweep_uploads)
        err.hint_en = "Uploads not confirmed within a day are removed: upload the file again."
        err.hint_zh = "校验后一天内未确认的上传会被删除，请重新上传文件。"
        raise err
    return d


def _own_meta(d: Path) -> dict:
    """An upload's meta, for the account that uploaded it only.

    The check was made in the uploader's scope (a city planner's file may hold every county's rows)
    and a confirm credits the version to whoever sends it: a county planner who came by a city
    planner's upload id could otherwise import its rows as his own. Uploads kept from before
    uploads recorded their account carry no "by" and stay open, as on a server without accounts.
    """
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    by = meta.get("by")
    if by is not None and by != auth.user().id:
        raise auth.Forbidden("This upload was made by another account; only that account can map its columns, "
                             "see its report or confirm it. Upload the file yourself to import it.",
                             "该文件由其他账号上传，只有上传者可以指定列、查看校验报告或确认导入。如需导入，请自行上传该文件。")
    return meta


def _sweep_uploads() -> None:
    """Remove checked uploads left unconfirmed: older than a day, then the oldest over the size cap."""
    root = _uploads()
    if not root.is_dir():
        return
    now = time.time()
    kept = []
    for d in root.iterdir():
        try:
            if not d.is_dir():  # an imported upload's marker
                if d.suffix == ".done" and now - d.stat().st_mtime > UPLOAD_KEEP_SECONDS:
                    d.unlink()
                continue
            if d.name.endswith(".confirming"):  # being imported right now
                continue
            age = now - (d / "meta.json").stat().st_mtime if (d / "meta.json").exists() else now - d.stat().st_mtime
            if age > UPLOAD_KEEP_SECONDS:
                shutil.rmtree(d, ignore_errors=True)
            else:
                kept.append((now - age, sum(f.stat().st_size for f in d.rglob("*") if f.is_file()), d))
        except OSError:  # removed by another request meanwhile
            continue
    total = sum(size for _, size, _ in kept)
    for _, size, d in sorted(kept, key=lambda x: x[0]):
        if total <= UPLOADS_MAX_BYTES:
            break
        shutil.rmtree(d, ignore_errors=True)
        total -= size


# -- pages and versions ------------------------------------------------------------------------
@bp.get("/data")
def page():
    s = _svc()
    # ?diff=A,B: the page opens with the comparison of versions A and B (the admin page's links, a link sent on);
    # an address it cannot use says so where the comparison would be (a 400, as the proposals' compare page)
    shown = url_diff(request.args.get("diff"), g.lang) if "diff" in request.args else None
    return render_template("data.html", active="data", types=list(s.types().values()),
                           current={"version": s.version()}, url_diff=shown,
                           dropped_versions=restore_drops(g.lang)), \
        (400 if shown and shown.get("error") else 200)


#: Longest ``?diff=`` the Data page reads (two version numbers and a comma; a longer one is said to be unreadable).
URL_DIFF_MAX = 60


def url_diff(raw, lang: str) -> dict:
    """The comparison the Data page's address asks for (``?diff=A,B``: two data version numbers, read as
    GET /api/data/diff reads them): ``{"a", "b", "lines"}`` (the comparison in sentences, as the page's Compare
    button shows it) or ``{"error"}``, a sentence in ``lang`` saying what is wrong with the address and what to
    give instead: never an exception (a value of 10,000 characters, 1e999, -1, an unknown version)."""
    raw = "" if raw is None else str(raw)
    shown = shown_value(raw if len(raw) <= URL_DIFF_MAX else raw[:URL_DIFF_MAX] + "…")
    parts = re.split(r"[,，]", raw) if len(raw) <= URL_DIFF_MAX else []
    try:
        nums = [version_number(p.strip()) for p in parts] if len(parts) == 2 else [None]
    except ValueError:  # a number too long to read (not reachable within URL_DIFF_MAX, kept as a guard)
        nums = [None]
    if any(n is None for n in nums):
        return {"error": t("qa33f2_diff_bad", lang, value=shown)}
    store = ext().get("datasets")
    if store is None:
        return {"error": pick("本服务未启用数据版本管理，无法对比版本。",
                              "This server keeps no data versions: there is nothing to compare.", lang)}
    numbers = sorted((v.version for v in store.versions()), reverse=True)
    missing = [n for n in dict.fromkeys(nums) if n not in numbers]
    if missing:
        have = [f"v{n}" for n in numbers]
        return {"error": t("qa33f2_diff_unknown", lang, missing=listed([f"v{n}" for n in missing], lang),
                           value=shown, versions=listed(have[:10], lang, total=len(have)))}
    a, b = nums
    if a == b:
        return {"error": t("qa33f2_diff_same", lang, value=shown, v=a)}
    try:
        d = own_capacity_only(store.diff(a, b), own_capacity())
    except CoverplanError as exc:  # a version whose files are gone: said, the page still works
        return {"error": exc.message(lang)}
    return {"a": a, "b": b, "lines": diff_lines(d, lang, _svc().county_names(lang), _svc().types())}


def audit_layer(version: int, layer: str) -> str:
    """The layer an import confirm's audit entry records: the full name the version list labels
    ("facilities:welfare_home", worded 设施名录 · 农村福利院 as the list words it), not the kind the check read
    ("facilities": the entry said 数据 设施名录 without the type, QA 34). The kind as read when the version
    changed several layers (the audit's words name one) or cannot be read."""
    try:
        names = [n for n in (_store().version(version).layer or "").split(",") if n]
    except Exception:  # noqa: BLE001 - the entry is still written, with the kind as read
        names = []
    return names[0] if len(names) == 1 else layer


def _layer_labels(names, types: dict, lang: str) -> str:
    """Layer names (``facilities:day_care``) for people: 设施名录 · 社区（村）日间照料中心."""
    labels = []
    for name in names:
        kind, _, key = name.partition(":")
        label = t("data_kind_" + kind, lang) if kind in KINDS else t("ds_layer_" + kind, lang)
        if key:
            label += " · " + (types[key].name(lang) if key in types else key)
        labels.append(label)
    return "、".join(labels) if lang == "zh" else ", ".join(labels)


def _version_dict(v, types: dict, lang: str, scopes: dict | None = None) -> dict:
    d = v.to_dict()
    d["layer_label"] = _layer_labels(filter(None, (d.get("layer") or "").split(",")), types, lang)
    scope = (scopes or {}).get(d.get("version"))
    if scope is not None:  # the county an import replaced (its audit entry's): two county planners' imports apart
        d["scope"], d["scope_label"] = scope, auth.scope_words(scope, lang)
        if scope:  # (a whole city's import reads as the layer, as before)
            d["layer_label"] += t("qa35f5_scope", lang, county=d["scope_label"])
    if d.get("kind") == "rollback" and d.get("target") is not None:
        # a rollback stores no layer of its own: it says which version it restores and what that changed
        # (it read "embedded illustrative data" even when it restored an import)
        changed = _layer_labels([r["layer"] for r in d.get("replaced") or []], types, lang)
        d["layer_label"] = t("data_rolled_back_to", lang, v=d["target"]) + (
            (f"（{changed}）" if lang == "zh" else f" ({changed})") if changed else "")
    d["note"] = note_in(d.get("note") or "", lang)
    # who made it, in words: the open desk server's pages record "web" (no account), which is this computer's
    # page, not a person called web (QA 27); an account's name, the CLI's user name stay as recorded
    author = d.get("author") or ""
    d["author_label"] = t("ds_author_here", lang) if author == ANONYMOUS_AUTHOR else author
    kept = _kept_meta(d["version"], d.get("source_sha256")) if d.get("version") else None
    if kept:
        d["report"] = f"/api/data/versions/{int(d['version'])}/report.xlsx"  # the check that made it
    if d.get("version") and d.get("source_name") and _source_file(int(d["version"])) is not None:
        # the original file the version was imported from, as kept (a backup held it only: QA 34)
        d["source"] = f"/api/data/versions/{int(d['version'])}/source"
    d.update(version_rows(d, kept, lang))
    return d


def _kept_meta(version: int, source_sha256) -> dict | None:
    """The kept report's meta of ``version`` when it is the report of the file that made it (the same
    file hash: a restored backup's version of that number was made by another file), else None. A report
    kept by `coverplan data import` is one too (geo.import_reports writes both)."""
    return kept_meta(current_app.config["DATA_DIR"], version, source_sha256)


def note_in(note: str, lang: str) -> str:
    """A version's note in one language (geo.datasets.note_in, whose patterns the edits below write), the
    attribute keys of notes stored before worded as the popup labels them (地址、联系电话)."""
    return datasets_note_in(note, lang, fields=lambda keys: fields_text(keys, "zh")
                            if set(keys) <= set(EDIT_FIELDS) else None)



def _lonlat_shown(body: dict) -> str:
    """The coordinates as sent, in JSON's words (null, "abc"), for a refusal: never Python's None."""
    return ",".join(json.dumps(body.get(k), ensure_ascii=False)[:40] for k in ("lon", "lat"))


def _lonlat_error(body: dict) -> InputDataError:
    """The 400 for an edit's point without a usable longitude or latitude: the ones not sent (or both null)
    named as missing, as GET /api/townships/at says them, not "lon,lat = null,null" (QA 23); a value that
    was sent (a null beside a number, "") is shown as sent."""
    nulls = [k for k in ("lon", "lat") if body.get(k) is None]
    missing = nulls if len(nulls) == 2 else [k for k in ("lon", "lat") if k not in body]
    if not missing:
        return bad_param("lon,lat", _lonlat_shown(body), "the point's longitude and latitude", "点位的经度和纬度")
    words_en = " and ".join(t(n, "en").lower() for n in missing)
    words_zh = "和".join(t(n, "zh") for n in missing)
    s = "s" if len(missing) > 1 else ""
    return InputDataError(f"Missing parameter{s} {' and '.join(missing)} ({words_en}): give the point's longitude "
                          "and latitude, e.g. \"lon\": 110.79, \"lat\": 32.65.",
                          f"缺少参数 {'、'.join(missing)}（{words_zh}）：请给出点位的经度和纬度，"
                          "如 \"lon\": 110.79, \"lat\": 32.65。",
                          details={"parameter": missing[0], "missing": missing})


@bp.get("/api/data/versions")
def versions():
    store, types = _store(), _svc().types()
    scopes = import_scopes()
    rows = [_version_dict(v, types, g.lang, scopes) for v in reversed(store.versions())]
    # the versions a backup restore dropped (gone from the list): which, when, by whom (QA 35)
    return jsonify({"current": store.current().version, "versions": rows, "dropped": restore_drops(g.lang)})


#: The most audit entries read for the version list: import confirms (the county each replaced) and restores.
SCOPE_ENTRIES = 500
#: The most restores the version list names, newest first (older ones: the admin page's audit log).
RESTORES_SHOWN = 3


def import_scope(layer: str, accepted, mode: str) -> dict:
    """What an import confirm's audit entry records of the county it replaced (QA 35: two county planners' imports
    read alike): ``{"county": code}`` for a county planner's; for a city-wide planner's facility register
    ``{"county": ""}`` (the whole city) when he chose to replace the whole city, else the counties of its rows
    ("420322,420325"); ``{}`` for another layer of a city-wide planner (or rows whose counties cannot be read)."""
    u = auth.user()
    if not u.citywide:  # (no county, no import: "" would read as the whole city)
        return {"county": str(u.county)} if u.county else {}
    if not layer.startswith("facilities"):
        return {}
    if mode == "city":
        return {"county": ""}
    try:
        return {"county": ",".join(sorted({str(c) for c in register_scope.row_counties(accepted)}))}
    except Exception:  # noqa: BLE001 - the entry is still written, without the county
        return {}


def import_scopes() -> dict[int, str]:
    """{version: the county code(s) its import replaced, "" for the whole city} from the import confirms' audit
    entries (:func:`import_scope`); {} without an audit log (or one that cannot be read)."""
    users = ext().get("users")
    if users is None:
        return {}
    try:
        _, rows = users.audit_list(limit=SCOPE_ENTRIES, action="import_confirmed")
    except Exception:  # noqa: BLE001 - the list is still answered, without the counties
        return {}
    out: dict[int, str] = {}
    for r in rows:
        county = (r.get("detail") or {}).get("county")
        obj = str(r.get("object") or "")
        if isinstance(county, str) and obj.isdigit() and len(obj) <= 10:
            out.setdefault(int(obj), county)
    return out


def restore_drops(lang: str) -> list[str]:
    """The data versions backup restores dropped, one sentence per restore (newest first, at most RESTORES_SHOWN):
    which versions of this region are gone, who restored which backup and when (the restore's audit entry). The
    version list showed v4, v7, v9 and nothing of v5, v6, v8 (QA 35). [] without an audit log or such a restore."""
    store, users = ext().get("datasets"), ext().get("users")
    if store is None or users is None:
        return []
    try:
        have = {v.version for v in store.versions()}
        _, rows = users.audit_list(limit=SCOPE_ENTRIES, action="restore")
    except Exception:  # noqa: BLE001 - the list is still answered
        return []
    out = []
    for r in rows:
        d = r.get("detail") or {}
        said = d.get("dropped_versions") if isinstance(d.get("dropped_versions"), list) else []
        vs = sorted({p[1] for p in said if isinstance(p, (list, tuple)) and len(p) == 2
                     and str(p[0]) == store.region_name and isinstance(p[1], int) and not isinstance(p[1], bool)
                     and p[1] not in have})
        if not vs:
            continue
        made = d.get("backup_created")
        archive = textrules.escaped(str(r.get("object") or ""))[:120]
        if isinstance(made, str):
            archive = t("qa35f5_archive_made", lang, archive=archive, created=made[:16].replace("T", " "))
        out.append(t("qa35f5_versions_dropped_1" if len(vs) == 1 else "qa35f5_versions_dropped", lang,
                     vs=listed([f"v{v}" for v in vs[:20]], lang, total=len(vs)),
                     who=auth.actor_text(r, lang), at=time.strftime("%Y-%m-%d %H:%M", time.localtime(r["at"])),
                     archive=archive))
        if len(out) >= RESTORES_SHOWN:
            break
    return out


@bp.get("/api/data/diff")
def diff():
    store = _store()
    a = _int_arg("a")
    b = _int_arg("b")
    known = {v.version for v in store.versions()}
    for name, v in (("a", a), ("b", b)):
        if v not in known:
            raise not_found("Data version", "数据版本", v)
    d = own_capacity_only(store.diff(a, b), own_capacity())  # a day-care centre's beds are a detail (QA 33)
    d["lines"] = diff_lines(d, g.lang, ext()["service"].county_names(g.lang), ext()["service"].types())
    return jsonify(d)


@bp.post("/api/data/rollback")
def rollback():
    body = json_object(required=False)
    refuse_unknown(body, ("version", "note", "base"), what_en="a rollback", what_zh="回退")
    sent = body.get("version") if isinstance(body, dict) else None
    v = version_number(sent)  # 1e3 is version 1000, as the CLI reads it (QA 26)
    store = _store()
    if v is None:  # said as sent (cut), with the versions there are: "version=null" and nothing more was no help
        raise version_refusal("version", sent, store, always_list=True)
    if v not in {x.version for x in store.versions()}:
        raise not_found("Data version", "数据版本", v)
    auth.require_citywide("roll the data back (it changes every county)", "回退数据版本（会改变所有县区的数据）")
    note = edit_text(body.get("note"), "note", multiline=True)
    base = _rollback_base(body.get("base") if isinstance(body, dict) else None, store)
    with _EDIT_LOCK:  # not in the middle of a map edit, which would commit its layer over the rollback
        if base is not None and base != store.current().version:
            raise _rollback_conflict(base, store.current().version, v)
        if v == store.current().version:  # it would only add a version that changes nothing
            raise bad_param("version", v, f"a version other than the current one (v{v} is current: nothing "
                            "would change)", f"当前版本以外的版本（v{v} 已是当前版本，回退不会改变任何数据）")
        new = store.rollback(v, author=_author(), note=note)
    auth.audit("rollback", new, rolled_back_to=v)
    return jsonify({"version": new, "rolled_back_to": v})


def _rollback_base(sent, store) -> int | None:
    """The data version the page showed when the planner chose the rollback (``base``; None when not sent: a
    script or an older page rolls back on the current data, as before). Read as ``version`` is (1e3 is 1000)."""
    if sent is None:
        return None
    base = version_number(sent)
    if base is None:
        raise version_refusal("base", sent, store)
    if base < 0:
        shown, kept = shown_version(sent)
        err = bad_param("base", shown, "the data version the page showed (a whole number, 0 or more)",
                        "页面所示的数据版本号（0 或以上的整数）")
        err.details["value"] = kept
        raise err
    return base


def _rollback_conflict(base: int, now: int, target: int) -> DataChanged:
    """The 409 of a rollback chosen on data version ``base`` while ``now`` is current: rolling back to ``target``
    now would also undo what the versions since did, unseen (QA 36: v7 = v4 silently dropped a colleague's v6).
    Who made them, when and what, as an import's confirm says it (its DataChanged)."""
    err = DataChanged(base, now)
    known = _versions_by_number()
    since, shown, by_en, by_zh, more_en, more_zh = _since_words(known, base, now)
    gone = now < base or (bool(known) and base not in known)  # only a backup's restore takes versions away
    gone_en = f" (a backup was restored since: v{base} is no longer in the data)" if gone else ""
    gone_zh = f"（此后已恢复备份，v{base} 已不在数据中）" if gone else ""
    err.en = (f"The data changed after the page showed data version {base}{gone_en}"
              + (f"; since then, {more_en}{by_en}" if shown else "")
              + f"; version {now} is now current. Nothing was rolled back: a rollback to v{target} now would also "
                "undo those changes.")
    err.zh = (f"页面打开（数据版本 v{base}）后数据已更新{gone_zh}："
              + (f"此后{' ' if by_zh[:1].isascii() else ''}{by_zh}{more_zh}，" if shown else "")
              + f"当前已是版本 {now}。未回退：现在回退到 v{target} 也会撤销这些修改。")
    err.hint_en = "Read the versions list (shown again with them), then roll back again if it is still wanted."
    err.hint_zh = "请查看已更新的版本列表，如仍需回退请再次操作。"
    err.details.update({"parameter": "base", "version": target})
    if shown:
        last = shown[-1]
        err.details.update({"changed_by": last.get("author") or "", "changed_in": last["version"],
                            "changed_at": str(last.get("created_iso") or "")[:16],
                            "changes": [_version_detail(r) for r in since]})
    if gone:
        err.details["restored"] = True
    return err


def _int_arg(name: str) -> int:
    raw = request.args.get(name, "")
    value = version_number(raw)  # "²" passed str.isdigit() and failed int(): a 500 (QA 22)
    if value is None:  # 5,000 digits were a 500 and 1e300 a 404 naming 301 digits (QA 33): a 400, as typed
        raise version_refusal(name, raw, _store())
    return value


#: No data version is numbered beyond SQLite's integers: a number past them (1e300, 1e308 as a JSON number, 5,000
#: nines) is refused as no version number at all (a 400), not looked for (a 404 naming a 309-digit integer, QA 33).
VERSION_LIMIT = 2**63
#: Characters of a refused version number a message quotes (and its details keep): 5,000 nines are not echoed.
VERSION_SHOWN = 40


def version_number(raw) -> int | None:
    """A data version number as sent (a query's text, a JSON number or its text), read by web/API.md's rule of
    numbers: ``1000``, ``1e3``, ``1000.`` and ``1e3`` as a JSON number (1000.0) are 1000, as the CLI reads them
    (cli.options.given_int); None for anything that cannot be a version: not a whole number ("x", "2.5", true,
    "²", "1_0") or beyond any version there could be (|n| >= :data:`VERSION_LIMIT`: "1e300", 1e308, 5,000 digits,
    which int() refused past 4,300 with a 500, QA 33). The caller refuses None with :func:`version_refusal` (a
    400 quoting the value as typed); a number returned that names no version is its 404."""
    import math

    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or raw != int(raw):
            return None
        value = int(raw)
    elif isinstance(raw, str):
        text = number_text(raw)
        if text is None:
            return None
        if text.lstrip("+-").isdigit():
            # the digits counted before int() reads them: 20 and more (leading zeros aside) are past any version
            if len(text.lstrip("+-").lstrip("0")) > len(str(VERSION_LIMIT)):
                return None
            value = int(text)
        else:
            try:
                as_float = float(text)
            except ValueError:
                return None
            if not math.isfinite(as_float) or as_float != int(as_float):
                return None
            value = int(as_float)
    else:
        return None
    return value if -VERSION_LIMIT <= value < VERSION_LIMIT else None


class _Quoted:
    """A refused number as a message writes it (web.errors.shown_value writes a value JSON cannot by its repr)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def shown_version(sent):
    """A data version number sent, for a refusal: (the value its message quotes, the value its details keep). As
    typed, cut at :data:`VERSION_SHOWN` characters (text of 5,000 digits, a JSON integer of 300), a JSON number
    as written (1e308, not 1e+308); the details never carry a huge integer (its cut digits, as text)."""
    from web.params import as_typed

    if isinstance(sent, str):
        text = typed_number(sent)
        cut = text if len(text) <= VERSION_SHOWN else text[:VERSION_SHOWN] + "…"
        return cut, cut
    if isinstance(sent, int) and not isinstance(sent, bool) and not -VERSION_LIMIT <= sent < VERSION_LIMIT:
        digits = str(sent)  # at most 310 digits: web/safejson.py refuses longer JSON integers
        cut = digits if len(digits) <= VERSION_SHOWN else digits[:VERSION_SHOWN] + "…"
        return _Quoted(cut), cut
    return as_typed(sent), sent


def version_refusal(name: str, sent, store, *, always_list: bool = False) -> InputDataError:
    """The 400 for a data version ``sent`` that :func:`version_number` reads as none, quoting it as typed
    (:func:`shown_version`): a number says why it is none (not a whole number; beyond any version) and lists the
    versions there are, as does anything else when ``always_list`` (a rollback's)."""
    import math

    shown, kept = shown_version(sent)
    why_en = why_zh = ""
    text = number_text(sent) if isinstance(sent, str) else None
    if text is not None or (isinstance(sent, (int, float)) and not isinstance(sent, bool)):
        if text is not None and text.lstrip("+-").isdigit():
            far = True
        else:
            try:
                as_float = float(text) if text is not None else float(sent)
            except OverflowError:  # a JSON integer past a float's range
                as_float = math.inf
            far = math.isinf(as_float) or (not math.isnan(as_float) and abs(as_float) >= VERSION_LIMIT)
            if math.isnan(as_float):  # "nan": no number, said as "x" is
                text = None
        if far:
            why_en, why_zh = "That is far beyond any data version number. ", "该数值远超任何数据版本号。"
        elif text is not None or isinstance(sent, float):
            why_en, why_zh = "That is not a whole number. ", "该数值不是整数。"
    hint_en = hint_zh = ""
    if why_en or always_list:
        have = [f"v{n}" for n in sorted((x.version for x in store.versions()), reverse=True)]
        current = store.current().version
        if len(have) < 2:  # (a rollback's: nothing to roll back to)
            hint_en = f"There is only data version v{current}, the current one" + (
                ": there is nothing to roll back to." if always_list else ".")
            hint_zh = f"目前只有一个数据版本 v{current}（即当前版本）" + ("，没有可回退的版本。" if always_list else "。")
        else:
            hint_en = (f"The data versions are {listed(have[:10], 'en', total=len(have))} (newest first; v{current} "
                       "is current): GET /api/data/versions lists them.")
            hint_zh = (f"现有数据版本：{listed(have[:10], 'zh', total=len(have))}（从新到旧，当前为 v{current}），"
                       "可在“数据”页或 GET /api/data/versions 查看。")
    err = bad_param(name, shown, "a data version number", "数据版本号", hint_en=why_en + hint_en,
                    hint_zh=why_zh + hint_zh)
    if isinstance(getattr(err, "details", None), dict) and "value" in err.details:
        err.details["value"] = kept
    return err


#: The author of a version made on an open server by nobody named (geo.datasets.ANONYMOUS_AUTHOR): a placeholder,
#: not a person (the register leaves it out of a row's source, web/facilities.py).


def _author() -> str:
    # the signed-in account (web/auth.py); on an open desk server the old header still names the person
    u = auth.user()
    if u.id != "local":
        return u.name[:60]
    return (request.headers.get("X-Coverplan-User") or ANONYMOUS_AUTHOR)[:60]


# -- uploads ------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[^\w\-.()（）\u4e00-\u9fff]+")


#: The form fields of an upload besides its file.
UPLOAD_FIELDS = ("kind", "type", "coords", "encoding", "crs", "note", "replace")


def _safe_name(original: str, suffix: str) -> str:
    """The planner's file name, reduced to letters, digits, CJK and a few marks (never a path)."""
    stem = _UNSAFE.sub("_", Path(original).stem).strip("._")[:80]
    return (stem or "upload") + suffix


def _kept_file(d: Path) -> Path:
    return next((d / "src").iterdir())


def _options(form) -> dict:
    refuse_unknown(form, UPLOAD_FIELDS, what_en="an upload", what_zh="上传")  # "typ" was read as no type
    # one file and one value per field: a second was dropped without a word (QA 19)
    files = [k for k, _ in request.files.items(multi=True)]
    given = MultiDict([*form.items(multi=True), *((k, f.filename) for k, f in request.files.items(multi=True))])
    if any(len(v) > 1 for _, v in given.lists()):
        # said as a field given twice, as every API request says it (web/params.py): "kind (方案类型) = null"
        # named another form's field and a value nobody sent
        raise repeated_error(given, where="form", hint_en="Upload one file, with one value per field, at a time.",
                             hint_zh="每次上传一个文件，每个字段填一个值。")
    extra = sorted({k for k in files if k != "file"})
    if extra:
        refuse_unknown(dict.fromkeys(extra), ("file",), what_en="an upload's files", what_zh="上传的文件字段")
    kind = form.get("kind", "facilities")  # not sent: a register; sent empty is refused, as any unknown kind
    if kind not in KINDS:
        raise bad_param("kind", kind, "one of " + ", ".join(KINDS), "以下之一：" + "、".join(KINDS), label="data_kind")
    type_key = form.get("type") or ""
    if type_key:
        if kind != "facilities":  # it was dropped without a word; a recheck refused it (QA 26)
            raise _type_refused(type_key)
        type_key = _svc().get_type(type_key).key  # unknown -> 404 listing the known types
    coords = form.get("coords") or "auto"
    if coords not in COORDS:
        raise bad_param("coords", coords, "one of " + ", ".join(COORDS), "以下之一：" + "、".join(COORDS))
    encoding = (form.get("encoding") or "").lower()
    if encoding not in ENCODINGS:
        raise bad_param("encoding", encoding, "utf-8, gbk, gb18030, utf-16, utf-16le or utf-16be",
                        "utf-8、gbk、gb18030、utf-16、utf-16le 或 utf-16be")
    crs = parse_crs(form.get("crs") or None)  # for projected x/y in a table or a layer without .prj
    replace = _replace_param(form.get("replace"), kind)
    return {"kind": kind, "type": type_key if kind == "facilities" else "", "coords": coords,
            "encoding": encoding, "crs": crs, "replace": replace,
            # the rule of an edit's note: a note longer than 200 characters or with a hidden or
            # reversing character is refused, not cut or kept as is (the version list shows it)
            "note": edit_text(form.get("note"), "note", multiline=True)}


def _replace_param(value, kind: str) -> str:
    """How a register replaces its types (planner.register_scope): "counties" (default: only in the counties
    of the file's rows) or "city" (the whole city's layer of the type: a city-wide planner's choice)."""
    if value not in (None, "") and kind != "facilities":
        raise bad_param("replace", value, "no value: only a facility register replaces facilities",
                        "不填：只有设施名录会替换设施")
    if not isinstance(value, (str, type(None))):
        raise bad_param("replace", value, "counties or city", "counties 或 city")
    mode = register_scope.check_mode(value)
    if value == "city":  # asked for: a county planner's import is his county's, whatever the default
        auth.require_citywide("replace the whole city's facilities of a type", "替换全市的该类设施")
    return mode


def _type_refused(type_key) -> InputDataError:
    """The 400 for a facility type given with a file that is no register (an upload's form, a recheck)."""
    return bad_param("type", type_key, "no type: only a facility register has one", "不填：只有设施名录有设施类型")


def _check(path: Path, opts: dict, region):
    """(layer name, checked layer, report dict parts) for an uploaded file."""
    lang = g.lang
    if opts["kind"] == "facilities":
        rep = validate_register(path, region=region, type_key=opts["type"] or None, coords=opts["coords"],
                                encoding=opts["encoding"] or None, column_map=opts.get("column_map") or None,
                                crs=opts.get("crs") or None, picks=opts.get("picks") or None)
        if opts.get("picks"):  # before anything is written (meta.json keeps the picks for confirm)
            _check_pick_rows(opts["picks"], rep)
        # both languages are kept (issues.json): the report downloads in the language asked then
        issues = [{"row": i.row, "column": i.column, "severity": i.severity, "code": i.code,
                   "message": pick(i.message_zh, i.message_en, lang), "fix": pick(i.fix_zh, i.fix_en, lang),
                   "message_zh": i.message_zh, "message_en": i.message_en, "fix_zh": i.fix_zh, "fix_en": i.fix_en,
                   "value": i.value, "candidates": i.candidates} for i in rep.issues]
        suggestion = rep.suggestion_text(lang)  # message and fix as two sentences ("…米 如确认" ran on: QA 23)
        acc = rep.accepted
        counts = dict(rep.counts)
        if opts["type"] and "facility_type" in acc:
            acc, counts = _other_types_refused(acc, opts["type"], issues, counts,
                                               (rep.column_map or {}).get("type", "type"))
        layer = f"facilities:{opts['type']}" if opts["type"] else "facilities"
        parts = {"counts": counts, "issues": issues, "columns": rep.column_map, "encoding": rep.encoding,
                 "crs": rep.crs, "coords": rep.datum, "suggestion": suggestion,
                 "located_by_name": rep.counts.get("located_by_name", 0),
                 "notes": [pick(zh, en, lang) for zh, en in rep.notes],
                 # both languages, kept with the report (meta.json): its download lists them (QA 27)
                 "notes_both": [[zh, en] for zh, en in rep.notes],
                 # the file's headers and the fields they may be mapped to: the report offers the mapping
                 # form again (a column read as nothing, X坐标 once, can be named by hand)
                 "file_columns": [c for c in rep.columns if c != "geometry"], "fields": list(MAPPABLE),
                 # the type's capacity columns a recognised header may be (床位数 -> beds): the mapping form's
                 # one capacity field shows that column (QA 27)
                 "capacity_fields": list(CAPACITY_FIELDS),
                 # and the capacity column of each type: the card sends the column it shows as the capacity of the
                 # type chosen when that is another unit than the one it was read as (QA 33)
                 "type_capacity": type_capacity()}
        cols = [c for c in ("name", "facility_type", "township_code", "source_row", "match", "location_method")
                if c in acc]
        preview = acc[cols + ["geometry"]].rename(columns={"source_row": "row"}).copy()
        preview["located_by_name"] = preview.get("location_method", "") == "located_by_name"
        return layer, acc, parts, preview
    coords = "wgs84" if opts["coords"] == "auto" else opts["coords"]
    check = check_townships if opts["kind"] == "townships" else check_villages
    gdf = check(region, path, coords=coords, encoding=opts["encoding"] or None, crs=opts.get("crs") or None)
    # what the reader found (geo.imports), said as a facility register's report says it
    found = gdf.attrs
    issues = []
    if found.get("crs_assumed"):
        zh, en = t("reg_crs_assumed", "zh"), t("reg_crs_assumed", "en")
        fix_zh, fix_en = t("reg_fix_crs_assumed", "zh"), t("reg_fix_crs_assumed", "en")
        issues.append({"row": None, "column": None, "severity": "warning", "code": "crs_assumed",
                       "message": pick(zh, en, lang), "fix": pick(fix_zh, fix_en, lang), "message_zh": zh,
                       "message_en": en, "fix_zh": fix_zh, "fix_en": fix_en, "value": "", "candidates": []})
    refused = []
    if opts["kind"] == "villages":  # unknown or repeated codes refused, points moved into another township said
        from geo.imports import village_placement_issues
        refused = found.get("refused") or []
        issues += [{**i, "message": pick(i["message_zh"], i["message_en"], lang), "fix": pick(i["fix_zh"], i["fix_en"], lang)}
                   for i in refused + village_placement_issues(region, gdf)]
    else:  # the columns a township file has but nothing reads, and polygons repaired, feature by feature
        from geo.imports import township_issues
        issues += [{**i, "message": pick(i["message_zh"], i["message_en"], lang), "fix": pick(i["fix_zh"], i["fix_en"], lang)}
                   for i in township_issues(gdf)]
    read = int(found.get("read") or len(gdf))
    parts = {"counts": {"rows": read, "accepted": int(len(gdf)), "refused": len(refused),
                        "warnings": len(issues) - len(refused),
                        # totals rows (合计) skipped, as a register's: rows = accepted + refused + skipped (QA 28)
                        **({"skipped": len(found["skipped"])} if found.get("skipped") else {})},
             "issues": issues, "columns": {}, "encoding": found.get("encoding"), "crs": found.get("crs"),
             "coords": coords, "suggestion": None, "located_by_name": 0}
    preview = gdf[["code", "geometry"]].copy()
    names = (region.townships if opts["kind"] == "townships" else region.villages)["name"]
    preview["name"] = names.reindex(preview["code"]).values
    preview["row"] = found.get("rows") or range(1, len(preview) + 1)
    return opts["kind"], gdf, parts, preview


def _other_types_refused(acc, type_key: str, issues: list, counts: dict, column: str):
    """Rows whose type column names another type than the one chosen on the form: refused, each
    reported (the layer of the chosen type cannot hold them), instead of a promise the confirm breaks."""
    other = acc["facility_type"].astype(str) != type_key
    if not other.any():
        return acc, counts
    types = _svc().types()

    def name(k: str, lang: str) -> str:
        return types[k].name(lang) if k in types else k
    for _, r in acc[other].iterrows():
        row_type = str(r["facility_type"])
        zh = f"类型列为“{name(row_type, 'zh')}”，与所选设施类型“{name(type_key, 'zh')}”不符"
        en = f"the type column says \"{name(row_type, 'en')}\", not the chosen facility type \"{name(type_key, 'en')}\""
        fix_zh = "请把设施类型选为文件中的类型（或选“按文件中的类型列”），或改正该行的类型后重新上传"
        fix_en = "Choose the file's type as the facility type (or leave it to the file's type column), or correct the row's type"
        issues.append({"row": int(r["source_row"]) if "source_row" in r else None, "column": column,
                       "severity": "error", "code": "type_mismatch", "message": pick(zh, en, g.lang),
                       "fix": pick(fix_zh, fix_en, g.lang), "message_zh": zh, "message_en": en,
                       "fix_zh": fix_zh, "fix_en": fix_en, "value": row_type, "candidates": []})
    n = int(other.sum())
    counts = {**counts, "accepted": counts["accepted"] - n, "refused": counts["refused"] + n}
    return acc[~other], counts




def _needs_mapping(exc: InputDataError) -> bool:
    d = exc.details or {}
    # a file without a type column whose headers were all understood: the page's type field is the fix,
    # not a form asking which column is the type (there is none). With a column not understood, that one
    # may be the type under another header (设施种类): the form, whose message names the type field too
    if d.get("missing") == ["type"]:
        cmap = d.get("column_map") or {}
        mapped = set(cmap.values())
        # a capacity column's meaning hangs on the type (床位数 is a day-care centre's capacity only when mapped as
        # its capacity): the card, which asks the type and shows the capacity as that type reads it (QA 33: the
        # form's type left a day-care file's 床位数 unread and every centre of unknown capacity)
        return any(c not in mapped for c in d.get("columns") or []) or any(f in cmap for f in CAPACITY_FIELDS)
    return bool(d.get("missing")) and isinstance(d.get("columns"), list)


def _report(uid: str, d: Path, meta: dict, opts: dict, region) -> dict:
    """Check the kept file with ``opts``; write meta/issues; the answer for the page."""
    path = _kept_file(d)
    layer, accepted, parts, preview = _check(path, opts, region)
    mode = opts.get("replace") or register_scope.DEFAULT_REPLACE
    # a township file's layers are built once for both questions below (which neighbours change, and
    # whether it changes anything at all): that build, where the neighbours give way, is the slow part
    check = functools.cache(lambda: _import_check(layer, accepted, path))
    replaces = _replacement(layer, accepted, region, check, mode)
    outside = _outside_issues(replaces, replaces and replaces["county"])
    parts["issues"] = outside + parts["issues"]
    blocked = blocked_both = None
    if outside:
        # rows outside a county planner's county: refused like any other error row, and while they
        # remain the confirm refuses the whole file (auth.scope_import), so the counts and the
        # summary say that, not "2 accepted, 0 refused" beside "the import would be refused"
        n = len(outside)
        c = parts["counts"]
        parts["counts"] = {**c, "accepted": c["accepted"] - n, "refused": c["refused"] + n, "outside_county": n}
        ok = parts["counts"]["accepted"]
        rows_en = _count_en(n, "row", "rows")
        blocked_both = {  # both languages: the report's download says it in the language asked (F9)
            "zh": f"不会导入任何行：须先从文件中删去不在 {auth.county_label(replaces['county'])} 内的 {n:,} 行"
                  + (f"（其余 {ok:,} 行届时可导入）" if ok else "") + "。",
            "en": f"Nothing will be imported: first remove the {rows_en} outside "
                  f"{auth.county_label(replaces['county'], 'en')} from the file"
                  + (f" (the other {_count_en(ok, 'row', 'rows')} can then be imported)" if ok else "") + "."}
        blocked = {"rows": n, "text": pick(blocked_both["zh"], blocked_both["en"], g.lang)}
        if "row" in preview:  # red on the preview map, as refused
            preview["refused"] = preview["row"].isin([r["row"] for r in replaces["outside_rows"]])
    over = (replaces or {}).get("too_many") or []
    if over and blocked is None:
        # more facilities of a type than a version may hold (a file under twice the limit is checked row by row,
        # planner.register): the confirm refuses it whatever else. Blocked as the other refusals are, so Confirm is
        # off with the reason beside it and the counts say nothing will be imported (QA 34: "accepted 12,000" and
        # Confirm on, a click checked the whole file again for minutes and then 400'd)
        first = max(over, key=lambda o: o["rows"])
        ft = _svc().types().get(first["type"])
        names = {"zh": ft.name_zh, "en": ft.name_en_in_sentence()} if ft is not None else None
        # a file under the limit whose written layer is over it, with the other counties' facilities (QA 35)
        exc = (written_over_limit(first["type"], names, first["rows"], first["in_file"], first["carried"],
                                  first["kept"], first["limit"], _written_advice(replaces.get("county"), mode))
               if "in_file" in first else too_many_facilities(first["type"], first["rows"], first["limit"], names))
        said = register_scope.blocked(exc, accepted, g.lang)
        blocked = {**said, "rows": len(said["rows"]), "lines": said["rows"]}
        blocked_both = {lang: register_scope.blocked(exc, accepted, lang)["text"] for lang in ("zh", "en")}
    same = diff = scoped = None
    # (refused as a whole: nothing to compare, and on a file over the limit the comparison is the slow part)
    if len(accepted) and not (replaces and replaces["outside_county"]) and blocked is None:
        try:  # what a confirm would commit: the rows with the other counties' facilities of the type kept
            scoped = _scoped(layer, accepted, region, mode)
            # and what it would change, on that layer as the confirm writes it (QA 32: the CLI's dry run
            # listed the facility moved 18.9 km, the browser's report said nothing of it)
            diff, same = check() if scoped is accepted else _import_check(layer, scoped, path)
            own_capacity_only(diff, own_capacity())  # only the type's own capacity is a capacity change (QA 33)
        except (auth.Forbidden, InputDataError) as exc:  # ids of another county's facilities: the confirm
            same = diff = None  # refuses the file, no version either way; said as blocked (it was null, Confirm on)
            if blocked is None:
                said = register_scope.blocked(exc, accepted, g.lang)
                blocked = {**said, "rows": len(said["rows"]), "lines": said["rows"]}
                blocked_both = {lang: register_scope.blocked(exc, accepted, lang)["text"] for lang in ("zh", "en")}
    # the version of the data the check ran on (the region it was given), not the one current after it:
    # an edit committed during a long check must still make the confirm a 409
    checked_on = getattr(region, "dataset_version", None)
    meta.update({"options": opts, "layer": layer,
                 "version_checked": int(checked_on) if checked_on is not None else _svc().version(),
                 "counts": parts["counts"],
                 # rows outside a county planner's county (the report's title says so); another refusal is
                 # said in the report itself
                 "status": "checked", "blocked_rows": blocked["rows"] if blocked and outside else None,
                 "notes": parts.get("notes_both") or [],
                 # what the page shows above the table, for the report's download (F9)
                 "facts": _report_facts(parts, layer, mode, replaces, blocked_both, same, meta.get("remembered"),
                                        lambda: _replacement(layer, accepted, region, check, mode))})
    # what confirming changes, every row (the page's lists stop at CHANGES_SHOWN), for the report's Changes sheet:
    # none when the page shows none (the confirm refused as a whole, or the same data again)
    kept_diff = diff if isinstance(diff, dict) and not blocked and same is None else None
    if kept_diff is not None:
        try:  # an address or phone changed: what it was and what it will be (the diff names the fields only)
            attribute_values(kept_diff, lambda: _store().layers(meta["version_checked"]).get("facilities"),
                             lambda: scoped)
        except Exception:  # the sheet names the fields all the same: never fail the check over it
            current_app.logger.exception("could not read the changed attributes' values")
    write_private_text(d / CHANGES_FILE, json.dumps({"diff": kept_diff}, ensure_ascii=False, default=str))
    write_private_text(d / "meta.json", json.dumps(meta, ensure_ascii=False))
    write_private_text(d / "issues.json", json.dumps(parts["issues"], ensure_ascii=False, default=str))
    preview_total = len(preview)
    if preview_total > PREVIEW_MAX:
        flagged = preview["refused"].astype(bool).to_numpy() if "refused" in preview else np.zeros(preview_total, bool)
        keep = np.flatnonzero(flagged)[:PREVIEW_MAX]
        rest = np.flatnonzero(~flagged)
        keep = np.sort(np.concatenate([keep, rest[np.linspace(0, rest.size - 1, PREVIEW_MAX - keep.size).astype(int)]])) \
            if keep.size < PREVIEW_MAX and rest.size else keep
        preview = preview.iloc[np.unique(keep)]
    fc = layers.feature_collection(preview, [c for c in preview.columns if c != "geometry"])
    shown = [{k: v for k, v in i.items() if k not in ("message_zh", "message_en", "fix_zh", "fix_en")}
             for i in parts["issues"][:ISSUES_SHOWN]]
    return {"upload_id": uid, "kind": opts["kind"], "type": opts["type"], "layer": layer, "replaces": replaces,
            "replace": mode if layer.startswith("facilities") else None,
            "file": {"name": meta["original"], "size": meta["size"], "sha256": meta["sha256"]},
            **{k: v for k, v in parts.items() if k not in ("issues", "notes_both")},
            "issues": shown, "issues_total": len(parts["issues"]),
            "blocked": blocked,
            "column_map_used": opts.get("column_map") or None, "column_map_remembered": meta.get("remembered"),
            "identical": None if same is None else {"version": same, "text": _identical_text(same, g.lang)},
            # none when the confirm would be refused as a whole (blocked says why) or change nothing (identical)
            "changes": None if blocked or same is not None else _upload_changes(diff, g.lang, layer),
            "preview": fc, "preview_total": preview_total, "bounds": layers.bounds(region.counties),
            "current_version": _svc().version()}


def _scoped(layer: str, gdf, region, mode: str):
    """What a confirm commits for ``gdf``: a county planner's rows with the other counties' facilities
    (auth.scope_import, unchanged); a city-wide planner's register with the other counties' facilities of
    its types kept (planner.register_scope), unless ``mode`` is "city" (the type's layer as a whole); and,
    either way, the current facilities the file's refused rows stand for, unchanged (register_scope.keep_refused)."""
    scoped = auth.scope_import(layer, gdf, region)
    if scoped is gdf and auth.user().citywide and mode != "city" and layer.startswith("facilities"):
        scoped = register_scope.keep_other_counties(layer, gdf, region.facilities, provenance=region.provenance)
    if layer.startswith("facilities"):  # the facilities the refused rows stand for stay as they are (QA 31)
        scoped, _ = register_scope.keep_refused(layer, scoped, gdf, region.facilities, provenance=region.provenance)
    return scoped


def _unchanged_since(layer: str, gdf, path: Path) -> int | None:
    """The current version when confirming would store exactly what it holds (the same data
    imported again), else None: the planner is told before confirming, and a confirm sent anyway
    is refused, so the history holds no version without a difference (geo.datasets commits such a
    layer as asked; the CLI and its tests rely on that)."""
    store = ext().get("datasets")
    return None if store is None else store.unchanged_by(layer, gdf, path.name)


def _import_check(layer: str, gdf, path: Path) -> tuple[dict | None, int | None]:
    """The data store's diff and "unchanged" answer for ``gdf`` from one build (geo.datasets.import_check);
    (None, None) for a file the commit would refuse: the confirm says what is wrong."""
    try:
        return _store().import_check(layer, gdf, path.name)
    except CoverplanError:
        return None, None


def _identical_text(version: int, lang: str) -> str:
    return pick(f"本文件的数据与当前版本（v{version}）完全相同，确认不会产生新版本。",
                f"This file holds exactly the data of the current version (v{version}): confirming would make "
                "no new version.", lang)


#: Most rows of one kind of change an upload's answer lists (its ``changes.counts`` count them all).
CHANGES_SHOWN = 500
#: The facility changes an upload's report lists, the ones a confirm loses first.
CHANGE_KINDS = ("removed", "added", "moved", "changed", "attributes", "capacity")
#: The same kinds in the order the version comparison (/data?diff, :func:`diff_lines`) lists them, added first: the
#: report workbook's Changes sheet follows it (QA 33: it listed removed first, beside the page's added first).
PAGE_KINDS = ("added", "removed", "moved", "changed", "attributes", "capacity")


def _upload_changes(diff: dict | None, lang: str, layer: str | None = None) -> dict | None:
    """What confirming an upload would change (``diff``: geo.datasets.import_check's on the layer the confirm
    writes, the CLI's dry run's "Changes", the shape of GET /api/data/diff) for the report: the diff's members,
    each list cut to CHANGES_SHOWN (its ``counts`` count them all: ``facilities_removed`` ...), and in ``lang``:
    ``lists`` (per kind of facility change, removed first: ``kind``, ``n``, ``title`` and ``items``, each
    facility by name and id, a move with its distance), ``removed_text`` (the facilities the confirm removes:
    what it loses, said in a line of its own) and ``lines`` (the other layers' changes, as the version
    comparison words them) and ``summary``: a township or village file's changes counted in its own terms
    (:func:`units_summary`; ``layer``: the layer the confirm writes, None: read from the diff), None for
    facilities. None for no diff (a file the confirm refuses)."""
    if not isinstance(diff, dict):
        return None
    zh = lang != "en"
    out = {section: {k: v[:CHANGES_SHOWN] if isinstance(v, list) else v for k, v in value.items()}
           if section not in ("layers", "counts") and isinstance(value, dict) else value
           for section, value in diff.items()}
    fac = diff.get("facilities") or {}
    types = _svc().types()
    several = len({str(r.get("facility_type")) for k in CHANGE_KINDS for r in fac.get(k) or []}) > 1

    def tname(key) -> str:
        return types[key].name(lang) if key in types else str(key)

    def named(r: dict) -> str:
        name, fid = str(r.get("name") or "").strip(), str(r.get("id") or "")
        inner = fid + ((("，" if zh else ", ") + tname(r.get("facility_type"))) if several else "")
        return (f"{name}（{inner}）" if zh else f"{name} ({inner})") if name else inner

    def cap(v, field) -> str:
        return capacity_words(v, field, lang)

    colon = "：" if zh else ": "
    said = {
        "removed": named, "added": named,
        "moved": lambda r: named(r) + colon + moved_text(dict(r, distance_m=r.get("distance_m") or 0), lang),
        "changed": lambda r: (f"{r.get('name_before') or ''} → " if (r.get("name_before") or "") != (r.get("name") or "")
                              else "") + named(r)
        + ((colon + f"{tname(r.get('facility_type_before'))} → {tname(r.get('facility_type'))}")
           if str(r.get("facility_type_before")) != str(r.get("facility_type")) else ""),
        "attributes": lambda r: named(r) + colon + attribute_words(r, lang, values=True),
        "capacity": lambda r: named(r) + colon + f"{cap(r.get('before'), r.get('field'))} → "
                                                 f"{cap(r.get('after'), r.get('field'))}",
    }
    titles = {"removed": ("移除设施", "facilities removed"), "added": ("新增设施", "facilities added"),
              "moved": ("位置变化的设施", "facilities moved"),
              "changed": ("名称或类型变化的设施", "facilities renamed or retyped"),
              "attributes": ("属性变化的设施", "facilities with changed attributes"),
              "capacity": ("容量变化的设施", "facilities with a changed capacity")}
    lists = []
    for kind in CHANGE_KINDS:
        rows = fac.get(kind) or []
        if not rows:
            continue
        n = len(rows)
        zh_w, en_w = titles[kind]
        title = f"{zh_w} {n:,} 处" if zh else f"{n:,} {_one(en_w, n)}"
        lost = sum(1 for r in rows if r.get("before") is not None and r.get("after") is None) if kind == "capacity" else 0
        if lost:  # a register without the capacity column: the figures the plan's "how much" rests on go
            title += f"（其中 {lost:,} 处变为未知）" if zh else f" ({lost:,} now unknown)"
        lists.append({"kind": kind, "n": n, "title": title, "items": [said[kind](r) for r in rows[:CHANGES_SHOWN]],
                      "more": max(0, n - CHANGES_SHOWN)})
    out["lists"] = lists
    removed = fac.get("removed") or []
    out["removed_text"] = None
    if removed:  # what the confirm loses, named (the facilities' rollback is the city-wide planner's)
        shown = [named(r) for r in removed[:10]]
        n = len(removed)
        out["removed_text"] = (
            f"确认后将移除 {n:,} 处现有设施：" + "、".join(shown) + (f" 等 {n:,} 处" if n > len(shown) else "") + "。"
            if zh else
            f"On confirm, {_count_en(n, 'existing facility', 'existing facilities')} will be removed: "
            + "; ".join(shown) + (f" and {n - len(shown):,} more" if n > len(shown) else "") + ".")
    # the other layers' changes (a boundary file's townships, the villages it moves) as the comparison says them
    out["lines"] = diff_lines({k: v for k, v in diff.items() if k != "facilities"}, lang,
                              _svc().county_names(lang))
    out["summary"] = units_summary(diff, lang, layer)
    return out


def units_summary(diff: dict, lang: str, layer: str | None = None) -> str | None:
    """A township or village file's changes counted in its own terms, zeros included (QA 34: a village file that
    only made one sample point official was reported as "no facility added, removed, moved ..."): villages moved and
    villages whose point is now official at the same place; a township file's boundaries changed, requalified and
    the villages it moves. ``layer`` the layer written (None: the units' layer the diff changes, when it changes no
    facility). None for a facility layer, or a diff with no change of townships or villages."""
    tw, vi = diff.get("townships") or {}, diff.get("villages") or {}
    if layer is None:
        fac = diff.get("facilities") or {}
        if any(fac.get(k) for k in CHANGE_KINDS):
            return None
        layer = "townships" if tw.get("changed") or tw.get("requalified") else (
            "villages" if vi.get("moved") or vi.get("requalified") else None)
    official = sum(1 for r in vi.get("requalified") or [] if r.get("location_quality_after") == "official")
    if layer == "villages":
        return t("qa34f15_vill_summary", lang, moved=len(vi.get("moved") or []), official=official)
    if layer == "townships":
        return t("qa34f15_town_summary", lang, changed=len(tw.get("changed") or []),
                 flagged=len(tw.get("requalified") or []), moved=len(vi.get("moved") or []))
    return None


def capacity_words(v, field, lang: str) -> str:
    """A capacity before or after a change, with its unit: "60张床位" / "60 beds"; "未知" / "unknown" for none."""
    zh = lang != "en"
    if v is None:
        return "未知" if zh else "unknown"
    unit = t(f"capw_unit_{'plots' if field == 'niches' else field}", lang)
    return f"{v:,.0f}{unit}" if zh else f"{v:,.0f} {unit}"


def type_capacity() -> dict:
    """Facility type -> the column its capacity is read into (beds, day_places ...; None for a type that counts
    none): the mapping card tells a recognised 床位数 read as beds from the capacity of the type chosen (QA 33)."""
    return {k: (ft.capacity.field if ft.capacity else None) for k, ft in _svc().types().items()}


def own_capacity() -> dict:
    """Facility type -> the capacity columns that are its capacity (planner.facility_types.capacity_columns of the
    server's types), for :func:`geo.datasets.own_capacity_only`."""
    from planner.facility_types import capacity_columns
    return capacity_columns(_svc().types())


def attribute_words(r: dict, lang: str, values: bool = False) -> str:
    """planner.facility_types.attribute_words of the server's types, with the values of a capacity column that is not
    the facility's capacity when ``values`` ("未知 → 25张床位")."""
    from planner.facility_types import attribute_words as words
    return words(r, lang, _svc().types(), (lambda c: f"{capacity_words(c.get('before'), c.get('field'), lang)} → "
                                                   f"{capacity_words(c.get('after'), c.get('field'), lang)}")
                 if values else None)


def not_capacity_label(field: str, ftypes, lang: str) -> str:
    """planner.facility_types.not_capacity_label of the server's types."""
    from planner.facility_types import not_capacity_label as label
    return label(field, ftypes, lang, _svc().types())


# -- the check report's "Changes" sheet ---------------------------------------------------------
#: The kept answer of an upload's check: what confirming changes (``{"diff": <GET /api/data/diff's shape, every
#: row> or null}``), which the report's download lists in a sheet of its own (the page and the CLI's dry run do).
CHANGES_FILE = "changes.json"


def _cell_value(v):
    """A facility's attribute as a sheet shows it: "" for none (an empty cell, NaN, blank text)."""
    if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()):
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):  # a list or another value pandas does not test
        pass
    return str(v).strip()


def attribute_values(diff: dict | None, before, after) -> None:
    """Each facility of ``diff`` whose attributes changed, given the values before and after (``values``: field ->
    [before, after], "" for none), read from the facility layers the diff compared (``before()``, ``after()``:
    callables giving the frames, called only when such a facility is there). Best effort: a facility or a column
    a frame lacks leaves its value "" (the sheet still names what changed)."""
    rows = ((diff or {}).get("facilities") or {}).get("attributes") or []
    if not rows:
        return
    ids = {str(r.get("id")) for r in rows}

    def by_id(frame) -> dict:
        if frame is None or "id" not in getattr(frame, "columns", ()):
            return {}
        sub = frame[frame["id"].astype(str).isin(ids)]
        fields = [c for c in sub.columns if c != "geometry"]
        return {str(i): rec for i, rec in zip(sub["id"].astype(str), pd.DataFrame(sub[fields]).to_dict("records"))}
    was, now = by_id(before()), by_id(after())
    for r in rows:
        fa, fb = was.get(str(r.get("id"))) or {}, now.get(str(r.get("id"))) or {}
        r["values"] = {f: [_cell_value(fa.get(f)), _cell_value(fb.get(f))] for f in r.get("attributes") or []}


def changes_rows(diff: dict, lang: str) -> list[list[str]]:
    """The facilities ``diff`` changes, a row each, as the report's Changes sheet lists them: [change, facility
    type, id, name, what changed, before, after], in the order the version comparison lists them (:data:`PAGE_KINDS`:
    added, removed, moved with its distance, renamed or retyped, attributes, capacity; a facility under every kind
    of change it has), then the other layers' changes (a boundary file's townships ...) a sentence each."""
    zh = lang != "en"
    fac = diff.get("facilities") or {}
    types = _svc().types()
    sep, colon, none = ("；", "：", "—") if zh else ("; ", ": ", "—")

    def tname(key) -> str:
        return types[key].name(lang) if key in types else ("" if key is None else str(key))

    def point(lon, lat) -> str:
        try:
            return f"{float(lon):.6f}, {float(lat):.6f}"
        except (TypeError, ValueError):
            return ""

    def field_name(key: str) -> str:
        said = t("data_field_" + key, lang)
        return key if said == "data_field_" + key else said

    out = []
    for kind in PAGE_KINDS:
        for r in fac.get(kind) or []:
            what = before = after = ""
            if kind == "removed":  # where it stood
                before = point(r.get("lon"), r.get("lat"))
            elif kind == "added":
                after = point(r.get("lon"), r.get("lat"))
            elif kind == "moved":
                what = moved_text(r, lang)
                came = r.get("from") if isinstance(r.get("from"), (list, tuple)) and len(r["from"]) == 2 else (None, None)
                before, after = point(*came), point(r.get("lon"), r.get("lat"))
            elif kind == "changed":
                parts = []
                if (r.get("name_before") or "") != (r.get("name") or ""):
                    parts.append((field_name("name"), _cell_value(r.get("name_before")) or none,
                                  _cell_value(r.get("name")) or none))
                if str(r.get("facility_type_before")) != str(r.get("facility_type")):
                    parts.append((field_name("type"), tname(r.get("facility_type_before")), tname(r.get("facility_type"))))
                what, before, after = (sep.join(p[i] for p in parts) for i in range(3))
            elif kind == "attributes":
                keys = list(r.get("attributes") or [])
                what = attribute_words(r, lang)
                values = dict(r.get("values")) if isinstance(r.get("values"), dict) else {}
                for c in r.get("other_capacity") or []:  # a day-care centre's beds: "未知" → "25张床位" (QA 33)
                    if isinstance(c, dict) and c.get("field") in keys:
                        values[c["field"]] = [capacity_words(c.get("before"), c["field"], lang),
                                              capacity_words(c.get("after"), c["field"], lang)]
                if values:
                    label = {k: attribute_words({"attributes": [k], "facility_type": r.get("facility_type"),
                                                 "other_capacity": r.get("other_capacity")}, lang) for k in keys}
                    before = sep.join(f"{label[k]}{colon}{(values.get(k) or ['', ''])[0] or none}" for k in keys)
                    after = sep.join(f"{label[k]}{colon}{(values.get(k) or ['', ''])[1] or none}" for k in keys)
            elif kind == "capacity":
                what = field_name(str(r.get("field")))
                before = capacity_words(r.get("before"), r.get("field"), lang)
                after = capacity_words(r.get("after"), r.get("field"), lang)
            out.append([t("qa33f2_kind_" + kind, lang), tname(r.get("facility_type")), str(r.get("id") or ""),
                        _cell_value(r.get("name")), what, before, after])
    for line in diff_lines({k: v for k, v in diff.items() if k != "facilities"}, lang, _svc().county_names(lang)):
        out.append([t("qa33f2_kind_other", lang), "", "", "", line, "", ""])
    return out


def changes_sheet(body: bytes, lang: str, title: str, diff: dict | None, note: str | None, none_text: str,
                  layer: str | None = None) -> bytes:
    """The report workbook ``body`` with a sheet "变更" / "Changes": ``title``, the counts per kind of change as
    the page's changes preview titles them, in the rows' order ("新增设施 1 处 · 移除设施 1 处"; a township or village
    file's counted in its own terms, :func:`units_summary`, ``layer`` the layer it writes), then a row per change
    (:func:`changes_rows`); ``note`` instead of them when the changes are not known (a file the confirm refuses,
    the same data again), ``none_text`` when there are none."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font, PatternFill

    from planner.cells import protect_cells, xlsx_text

    wb = load_workbook(io.BytesIO(body))
    ws = wb.create_sheet(t("qa33f2_changes_sheet", lang)[:31])
    ws.append([xlsx_text(title)])
    ws.cell(row=1, column=1).font = Font(bold=True)
    rows = changes_rows(diff, lang) if isinstance(diff, dict) else []
    if isinstance(diff, dict):
        lists = (_upload_changes(diff, lang) or {}).get("lists") or []
        lists = sorted(lists, key=lambda x: PAGE_KINDS.index(x["kind"]) if x.get("kind") in PAGE_KINDS else 99)
        counts = " · ".join(x["title"] for x in lists)  # in the rows' order (the comparison's: added first)
        # a village or township file's changes in their own terms, never "no facility changed" (QA 34)
        counts = counts or units_summary(diff, lang, layer) or ""
        ws.append([xlsx_text(t("qa33f2_changes_counts", lang)), xlsx_text(counts or none_text)])
    if note:
        ws.append([xlsx_text(note)])
    header = [t("qa33f2_ch_kind", lang), t("facility_type", lang), t("qa33f2_ch_id", lang), t("name", lang),
              t("qa33f2_ch_what", lang), t("qa33f2_ch_before", lang), t("qa33f2_ch_after", lang)]
    head_row = ws.max_row + 1
    ws.append([xlsx_text(h) for h in header])
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for row in rows:
        ws.append([xlsx_text(v) for v in row])
    for row in ws.iter_rows():
        protect_cells(row)  # text, not formulas, whatever a name starts with
    ws.freeze_panes = f"A{head_row + 1}"
    if rows:
        ws.auto_filter.ref = f"A{head_row}:{ws.cell(row=ws.max_row, column=len(header)).coordinate}"
    for i, width in enumerate((14, 22, 18, 28, 30, 30, 30), start=1):
        ws.column_dimensions[ws.cell(row=head_row, column=i).column_letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _report_changes(d: Path, meta: dict, version: int | None, lang: str) -> tuple[str, dict | None, str | None, str]:
    """What the report's Changes sheet lists: (title, diff or None, note, the words for "no change"). A version's
    report: the version against the one before it (GET /api/data/diff's, as the version list's Compare button
    asks it); an upload's: what confirming changes, kept by the check (:data:`CHANGES_FILE`)."""
    if version is not None:
        store = _store()
        made = store.version(version)
        a = made.parent if made.parent is not None else version - 1
        title = t("qa33f2_changes_version", lang, a=a, b=version)
        try:
            diff = own_capacity_only(store.diff(a, version), own_capacity())
            attribute_values(diff, lambda: store.layers(a).get("facilities"),
                             lambda: store.layers(version).get("facilities"))
        except CoverplanError as exc:  # a version whose files are gone: said in the sheet, the report downloads
            return title, None, t("qa33f2_changes_failed", lang, a=a, b=version, why=exc.message(lang)), ""
        return title, diff, None, t("data_no_change", lang)
    title = t("qa33f2_changes_upload", lang, v=meta.get("version_checked", "?"))
    try:
        kept = json.loads((d / CHANGES_FILE).read_text("utf-8"))
    except (OSError, ValueError):  # checked before the check kept its changes
        return title, None, t("qa33f2_changes_unknown", lang), ""
    diff = kept.get("diff") if isinstance(kept, dict) else None
    if isinstance(diff, dict):
        return title, diff, None, (units_summary(diff, lang, meta.get("layer"))
                                   or t("qa32ff_changes_none", lang))
    facts = meta.get("facts") if isinstance(meta.get("facts"), dict) else {}
    blocked = facts.get("blocked")
    if facts.get("identical") is not None:
        note = _identical_text(facts["identical"], lang)
    elif isinstance(blocked, dict) and blocked:
        note = t("qa33f2_changes_refused", lang, why=blocked.get(lang) or next(iter(blocked.values())))
    elif meta.get("blocked_rows"):
        note = t("qa33f2_changes_refused", lang, why=t("data_blocked_short", lang, n=meta["blocked_rows"]))
    else:  # the file's data could not be compared (the confirm says what is wrong with it)
        note = t("qa33f2_changes_not_known", lang)
    return title, None, note, ""


def _replacement(layer: str, accepted, region, check, mode: str = register_scope.DEFAULT_REPLACE) -> dict | None:
    """What confirming would replace, said before the planner confirms.

    A facility register replaces the type's layer as a whole (a county planner's:
    the type's facilities in his county), so a short file removes every facility
    of the type it does not list. The answer counts, per type, the facilities now
    and in the file, how many of those now are synthetic, and the rows outside
    a county planner's county (refused at confirm), with a sentence saying so.
    """
    if accepted is None or not len(accepted):
        return None
    u = auth.user()
    county = None if u.citywide else u.county
    if layer in ("townships", "villages"):
        # only those units are replaced (geo.datasets): the rows a county planner may not change, which
        # refuse the file at confirm (auth.scope_import); and for boundaries, the neighbours that give way
        out = _outside_units(accepted, county, layer) if county else None
        if layer == "townships" and not (out and out.get("outside_county")):
            out = _neighbours_giving_way(accepted, county, check) or out
        return out
    if not layer.startswith("facilities"):
        return None
    fac = region.facilities
    if "facility_type" in accepted:
        kinds = list(dict.fromkeys(accepted["facility_type"].astype(str)))
        incoming_type = accepted["facility_type"].astype(str)
    else:
        kinds = [layer.split(":", 1)[1]]
        incoming_type = None
    in_county = None
    if county:
        codes = (accepted["county_code"].astype(str) if "county_code" in accepted
                 else accepted["township_code"].astype(str).str[:6])
        in_county = (codes == county).to_numpy()
    types, lang = _svc().types(), g.lang
    versions = _versions_by_number()
    rows, lines = [], []
    over = []  # the types of more facilities than a version may hold (geo.datasets.facility_row_limit)
    # a city-wide planner's register: the type replaced in the counties of the file's rows (or the city)
    # (the whole city's, chosen: said as before, "replace the N now in the register", with the box ticked)
    planned = {} if county or mode == "city" else {p["type"]: p for p in register_scope.plan(layer, accepted, fac, mode)}
    names_here = auth.county_names(lang)
    # rows outside a county planner's county refuse the confirm as a whole: nothing is replaced, so no type's
    # "this file's 0 facilities replace the 13 now" is said beside the refusal (QA 31), only why it is refused
    refused_whole = bool(in_county is not None and (~in_county).any())
    # the facilities the refused rows stand for, of the counties replaced (as the confirm's answer lists them)
    refused_all = register_scope.refused_named(layer, accepted, fac, mode, county)
    for k in kinds:
        now = fac[fac["facility_type"].astype(str) == k]
        if county:
            now = now[now["county_code"].astype(str) == county]
        elif k in planned and mode != "city":
            now = now[now["county_code"].astype(str).isin(planned[k]["counties"])]
        # the facilities the refused rows stand for, kept as they are (register_scope.keep_refused): named, and
        # not counted among those replaced (QA 31)
        kept_refused = [r for r in refused_all if r["type"] == k]
        kept_line = register_scope.refused_text(kept_refused, lang)
        if kept_refused:
            now = now[~now["id"].astype(str).isin({r["id"] for r in kept_refused})]
        mine = (incoming_type == k).to_numpy() if incoming_type is not None else None
        if in_county is not None:
            mine = in_county if mine is None else mine & in_county
        incoming = int(len(accepted) if mine is None else mine.sum())
        # a sample facility edited on the map is sample data, counted once (QA 32: it was also listed among the
        # planners' own: 55 + 2 + 5 + 1 = 63 of 62)
        samples = register_scope.sample_counts(now)
        synthetic = samples["synthetic"]
        name = types[k].name(lang) if k in types else k
        # the planners' own rows among those replaced, by the version each came in (QA 28: a colleague's import)
        imported = _imported_rows(now, k, region, versions)
        imported_line = _imported_text(imported, versions, lang)
        rows.append({"type": k, "name": name, "current": int(len(now)), "synthetic": synthetic, "incoming": incoming,
                     **({"imported": imported} if imported else {}),
                     **({"refused_kept": kept_refused} if kept_refused else {}),
                     **({"counties": planned[k]["counties"], "kept": planned[k]["kept"],
                         "kept_counties": planned[k]["kept_counties"], "city_now": planned[k]["city_now"]}
                        if k in planned else {})})
        where_zh = f"{auth.county_label(county)}" if county else ""
        where_en = f" in {auth.county_label(county, 'en')}" if county else ""
        # none synthetic: nothing said (it read "(0 of them synthetic, 示意)")
        syn_zh = register_scope.synthetic_words(len(now), synthetic, samples["edited"], "zh")
        syn_en = register_scope.synthetic_words(len(now), synthetic, samples["edited"], "en")
        limit = facility_row_limit(len(region.villages) + len(region.townships))
        too_many = (too_many_facilities(name, incoming, limit).message(lang)
                    + pick("确认导入将被拒绝。", " The confirm will be refused.", lang)) if incoming > limit else None
        written = None
        if not too_many:
            # the layer the confirm writes (_scoped) holds the other counties' facilities of the type too, carried over
            # unchanged, and those the refused rows stand for: over the limit, the store refuses it whatever the file
            # (QA 35: a file under the limit left Confirm on, and the confirm refused it)
            # (the limit the data store refuses that layer by, as it asks it: geo.datasets._build)
            store_limit = geo_datasets.facility_row_limit(len(region.villages) + len(region.townships))
            of_type = fac["facility_type"].astype(str) == k
            carried = (0 if mode == "city" and not county else int(planned[k]["kept"]) if k in planned
                       else int((of_type & (fac["county_code"].astype(str) != county)).sum()) if county else 0)
            if incoming + carried + len(kept_refused) > store_limit:
                written = {"type": k, "rows": incoming + carried + len(kept_refused), "limit": int(store_limit),
                           "in_file": incoming, "carried": carried, "kept": len(kept_refused)}
                exc = written_over_limit(k, name, written["rows"], incoming, carried, len(kept_refused), store_limit,
                                         _written_advice(county, mode))
                too_many = exc.message(lang) + pick("确认导入将被拒绝。", " The confirm will be refused.", lang)
        # rows the file marks 示意 stay sample data: said, or a corrected sample export would keep its label unseen
        if refused_whole:
            continue
        if too_many:  # the report blocks the confirm for it (_report: Confirm off, the reason beside it; QA 34)
            over.append(written or {"type": k, "rows": incoming, "limit": int(limit)})
        flags = accepted["synthetic"].astype(bool).to_numpy() if "synthetic" in accepted else None
        # rows labelled 示意 for the values they keep of sample facilities (planner.register.keep_current), not by a
        # 示意 column of the file: said as the check's note says it (QA 34: "74 rows marked 示意 in the file's
        # Illustrative column" of a file with no such column)
        kept_rows = set(accepted.attrs.get(KEPT_SYNTHETIC_ROWS) or ())
        kept_flags = (accepted["source_row"].isin(kept_rows).to_numpy() if kept_rows and "source_row" in accepted
                      else np.zeros(len(accepted), bool))
        marked = int(((flags & ~kept_flags) if mine is None else flags & ~kept_flags & mine).sum()) \
            if flags is not None else 0
        kept_marked = int(((flags & kept_flags) if mine is None else flags & kept_flags & mine).sum()) \
            if flags is not None else 0
        if marked:
            lines.append(pick(f"其中 {marked:,} 行在“示意”列标为示意数据，导入后仍标为示意。",
                              f"{_count_en(marked, 'row is', 'rows are')} marked 示意 (sample data) in the file's "
                              f"Illustrative column and stay{'s' if marked == 1 else ''} labelled so.", lang))
        if kept_marked:
            lines.append(kept_synthetic_text(kept_marked, lang))
        if k in planned:  # in words and numbers: the counties replaced, the others kept (QA 27)
            lines.append(register_scope.plan_text(
                planned[k], name, names_here, lang, mode))
            if kept_line:
                lines.append(kept_line)
            if imported_line:
                lines.append(imported_line)
            if planned[k]["clash"]:
                lines.append(register_scope.clash_error(planned[k]["clash"]).message(lang)
                             + pick("确认导入将被拒绝。", " The confirm will be refused.", lang))
            if too_many:
                lines.append(too_many)
            if not (too_many or incoming < 1000 or incoming <= 10 * len(now)):
                lines.append(pick(f"请核对：本文件的{name}（{incoming:,} 处）是现有数量（{len(now):,} 处）的 "
                                  f"{incoming / max(len(now), 1):,.0f} 倍，是否每行一处设施？",
                                  f"Please check: the file holds {incoming:,} of type \"{name}\", "
                                  f"{incoming / max(len(now), 1):,.0f} times the {len(now):,} now; is each row one "
                                  "facility?", lang))
            continue
        if not len(now):  # a type the register does not hold yet: nothing is replaced
            lines.append(pick(f"确认后，本文件的 {incoming:,} 处{name}将导入{where_zh}（目前没有此类设施）。",
                              f"On confirm, this file's {_count_en(incoming, 'facility', 'facilities')} of type "
                              f"\"{name}\" {'is' if incoming == 1 else 'are'} added{where_en} "
                              "(the register holds none yet).", lang))
            if too_many:
                lines.append(too_many)
            continue
        if mode == "city" and not county:  # the planner's explicit choice, said first (QA 27)
            lines.append(pick(f"已选择替换全市的{name}：其他县区不在文件中的也将删除。",
                              f"Replacing the whole city's \"{name}\" facilities, as chosen: the other counties' "
                              "ones not in the file are removed too.", lang))
        lines.append(pick(
            f"确认后，本文件的 {incoming:,} 处{name}将替换{where_zh}现有的 {len(now):,} 处{syn_zh}"
            "；现有但不在文件中的将不再出现在当前版本（可回滚恢复）。",
            f"On confirm, this file's {_count_en(incoming, 'facility', 'facilities')} of type \"{name}\" "
            f"{'replaces' if incoming == 1 else 'replace'} the {len(now):,} now in the "
            f"register{where_en}{syn_en}; those not in the file leave the current version (a rollback brings "
            "them back).", lang))
        if kept_line:
            lines.append(kept_line)
        if imported_line:
            lines.append(imported_line)
        if too_many:
            lines.append(too_many)
        elif incoming >= 1000 and incoming > 10 * len(now):
            # 188,388 welfare homes against 69 passed without a word: a total per row, or rows repeated?
            lines.append(pick(f"请核对：本文件的{name}（{incoming:,} 处）是现有数量（{len(now):,} 处）的 "
                              f"{incoming / max(len(now), 1):,.0f} 倍，是否每行一处设施？",
                              f"Please check: the file holds {incoming:,} of type \"{name}\", {incoming / max(len(now), 1):,.0f} "
                              f"times the {len(now):,} now; is each row one facility?", lang))
    if planned:  # once: how to replace the whole city's instead (the box under the sentence)
        choice = register_scope.choice_text(list(planned.values()), lang, mode, choice_zh="勾选“替换全市该类设施”",
                                            choice_en="tick \"Replace the whole city's facilities of the type\"")
        if choice:
            lines.append(choice)
    outside = int((~in_county).sum()) if in_county is not None else 0
    if outside:
        lines.append(pick(f"有 {outside:,} 行不在您可修改的 {auth.county_label(county)} 内（见下表）：确认导入将被拒绝，"
                          "请从文件中删去这些行后重新上传。",
                          f"{_count_en(outside, 'row lies', 'rows lie')} outside {auth.county_label(county, 'en')}, "
                          "the county you may change "
                          f"(listed below): the import would be refused; remove {'it' if outside == 1 else 'them'} "
                          "from the file and upload it again.",
                          lang))
    shrinks = any(r["incoming"] < r["current"] for r in rows) and not refused_whole
    out_rows = []
    if outside:
        for code, (_, r) in zip(codes[~in_county], accepted[~in_county].iterrows()):
            # the county the row lies in: said on its line, as an edit's refusal says it (QA 22)
            out_rows.append({"row": int(r["source_row"]) if "source_row" in r else None, "name": str(r.get("name") or ""),
                             "county_code": str(code)})
    return {"types": rows, "county": county, "outside_county": outside, "outside_rows": out_rows,
            "shrinks": shrinks, "text": " ".join(lines),
            "refused_kept": [k for r in rows for k in r.get("refused_kept", [])],
            **({"too_many": over} if over else {})}


def _written_advice(county: str | None, mode: str) -> str:
    """What a register whose written layer is over the type's limit is told to do (register_report.written_over_limit):
    a county planner's, a city-wide planner's replacing the counties of its rows, or the whole city's layer chosen."""
    return "county" if county else "city" if mode == "city" else "counties"


def _neighbours_giving_way(accepted, county: str | None, check) -> dict | None:
    """The townships not in a boundary file whose boundaries confirming would change (they give way to the
    new polygons, or take the land a smaller one frees, geo.imports.overlay_townships), named with the
    area each gains or loses, before the planner confirms (the CLI's dry run listed them; the page did not)."""
    diff = check()[0]
    if diff is None:
        return None
    changed = diff["townships"]["changed"]
    given = set(accepted["code"].astype(str))
    moved = [r for r in changed if str(r["code"]) not in given]
    if not moved:
        return None
    lang = g.lang
    shown = moved[:12]

    def delta(r) -> float:
        return float(r.get("area_km2_after") or 0) - float(r.get("area_km2_before") or 0)
    zh = "、".join(f"{r['name']}（{delta(r):+,.2f} 平方千米）" for r in shown) + ("等" if len(moved) > 12 else "")
    en = ", ".join(f"{r['name']} ({delta(r):+,.2f} km²)" for r in shown) + (", ..." if len(moved) > 12 else "")
    text = pick(f"确认后，文件以外的 {len(moved)} 个乡镇（街道）的边界将随之调整（让出或接收土地，仍为近似边界）：{zh}。",
                f"On confirm, {_count_en(len(moved), 'township', 'townships')} not in the file change their "
                f"boundaries with it (giving way or taking the land freed; still approximate): {en}.", lang)
    return {"types": [], "county": county, "outside_county": 0, "outside_rows": [], "shrinks": False,
            "text": text, "neighbours": [{"code": str(r["code"]), "name": r["name"], "change_km2": round(delta(r), 3)}
                                         for r in moved]}


def _outside_units(accepted, county: str, layer: str) -> dict | None:
    """A county planner's township or village file: the rows outside his county, said as a
    register's are (:func:`_replacement`), or None when every row is his."""
    codes = accepted["code"].astype(str)
    counties, off = auth.units_outside(layer, accepted, _svc().region, county)
    if not off.any():
        return None
    n, lang = int(off.sum()), g.lang
    names = (_svc().region.townships if layer == "townships" else _svc().region.villages)["name"]
    lines = accepted.attrs.get("rows") or list(range(1, len(accepted) + 1))  # the file's lines (geo.imports)
    rows = [{"row": int(line), "name": f"{names.get(c, '')} {c}".strip()
             + ("" if c[:6] != county else f" → {auth.county_label(where, lang)}")}
            for line, c, where, o in zip(lines, codes, counties, off) if o]
    text = pick(f"有 {n} 行不在您可修改的 {auth.county_label(county)} 内（见下表）：确认导入将被拒绝，"
                "请从文件中删去这些行后重新上传。",
                f"{_count_en(n, 'row lies', 'rows lie')} outside {auth.county_label(county, 'en')}, the county you "
                f"may change (listed below): the import would be refused; remove {'it' if n == 1 else 'them'} "
                "from the file and upload it again.", lang)
    return {"types": [], "county": county, "outside_county": n, "outside_rows": rows, "shrinks": False,
            "text": text}


def _count_en(n: int, one: str, many: str) -> str:
    """"1 facility", "2 facilities": English counts agree with their number (Chinese needs nothing)."""
    return f"{n:,} {one if n == 1 else many}"


def _outside_issues(rep: dict | None, county: str | None) -> list[dict]:
    """The rows outside a county planner's county, as the report's issues (the table lists them)."""
    if not rep or not rep["outside_rows"]:
        return []
    fix_zh, fix_en = "从文件中删去该行，或请市级规划人员导入", "Remove the row, or ask a city-wide planner to import it"

    def said(r) -> tuple[str, str]:
        zh = f"不在您可修改的 {auth.county_label(county)} 内"
        en = f"outside {auth.county_label(county, 'en')}, the county you may change"
        if r.get("county_code"):  # where it is instead (a register's row; a unit's name says it already)
            zh = f"位于 {auth.county_label(r['county_code'])}，" + zh
            en = f"in {auth.county_label(r['county_code'], 'en')}, " + en
        return zh, en

    out = []
    for r in rep["outside_rows"]:
        zh, en = said(r)
        out.append({"row": r["row"], "column": None, "severity": "error", "code": "outside_county",
                    "message": pick(zh, en, g.lang), "fix": pick(fix_zh, fix_en, g.lang), "message_zh": zh,
                    "message_en": en, "fix_zh": fix_zh, "fix_en": fix_en, "value": r["name"], "candidates": []})
    return out


def _mapping_answer(uid: str, meta: dict, exc: InputDataError, type_key: str | None = None):
    """422: the headers were not understood; the page shows the file's columns to map them (and the
    facility type the check used, "" = the file's type column: the card offers it beside the columns)."""
    d = exc.details or {}
    body = exc.to_dict(g.lang)
    if type_key is None:
        type_key = (meta.get("options") or {}).get("type") or ""
    body.update({"upload_id": uid, "needs_mapping": True, "type": type_key, "columns": d.get("columns"),
                 "missing": d.get("missing"), "column_map": d.get("column_map") or {},
                 "fields": list(MAPPABLE), "capacity_fields": list(CAPACITY_FIELDS),
                 # each type's capacity column: 床位数 read as beds is no day-care centre's capacity (QA 33)
                 "type_capacity": type_capacity(), "file": {"name": meta["original"], "size": meta["size"]}})
    return jsonify(body), 422


@bp.post("/api/data/uploads")
@query("kind")
def upload():
    # A county's OpenStreetMap extract is larger than any register: the page says ?kind=network
    # in the address so the larger limit applies before the body is read -- only for an account
    # that may upload a network (checked first, so a county planner's 200 MB is never read), and
    # only for a network: the form's kind must say the same (below).
    network_limit = request.args.get("kind") == "network"
    if "kind" in request.args and not network_limit:  # ?kind=xxx raised nothing and was ignored (QA 21)
        raise bad_param("kind", request.args.get("kind"), "network, or no kind in the address (the address's "
                        "kind only raises the size limit for a road network; the form's kind says what the file is)",
                        "network，或地址中不带 kind（地址中的 kind 只用于提高路网文件的大小上限；文件的类别由表单的 kind 指定）",
                        label="data_kind")
    if network_limit:
        auth.require_citywide("upload a road network (it serves every county)", "上传路网（路网供所有县区使用）")
        request.max_content_length = current_app.config["MAX_NETWORK_UPLOAD"]
    f = request.files.get("file")
    if f is None or not f.filename:
        raise bad_param("file", None, "a file (multipart/form-data field 'file')", "一个文件（表单字段 file）")
    # the name as the report and the version history show it: control and direction characters
    # (a\u202egnp.csv reads "apng.csv") written as _, as the stored name has them
    name = Path(f.filename).name
    if len(name) > 120:  # shortened in the middle: the suffix says the file's format
        tail = ".osm.pbf" if name.lower().endswith(".osm.pbf") else Path(name).suffix[:16]
        name = name[:119 - len(tail)] + "…" + tail
    original = "".join("_" if textrules.refused(ch, multiline=False) else ch for ch in name)
    suffix = Path(original).suffix.lower()
    opts = _options(request.form)
    if network_limit and opts["kind"] != "network":
        raise bad_param("kind", opts["kind"], "network, as the address says (?kind=network takes the road "
                        "network's size limit, and nothing else)",
                        "network，与地址中的 ?kind=network 一致（该参数只用于路网的大小上限）", label="data_kind")
    allowed = NETWORK_SUFFIXES if opts["kind"] == "network" else SUFFIXES
    if suffix not in allowed:
        raise bad_param("file", original, "one of " + ", ".join(allowed), "以下格式之一：" + "、".join(allowed))
    if opts["kind"] == "network":
        auth.require_citywide("upload a road network (it serves every county)", "上传路网（路网供所有县区使用）")
        return _network_upload(f, original)
    _sweep_uploads()
    uid = uuid.uuid4().hex
    d = _uploads() / uid
    from geo.dbfile import create_private, private_dir

    private_dir(d.parent)  # uploads/ (a bureau's registers) the owner's alone: 0700, one made 0755 narrowed (QA 35)
    private_dir(d / "src", exist_ok=False)
    path = d / "src" / _safe_name(original, suffix)  # messages then name the planner's own file
    create_private(path)  # 0600 from its first byte: the save below writes into it, keeping its mode
    keep = False
    try:
        f.save(path)  # werkzeug streams the body to disk
        meta = {"id": uid, "original": original, "size": path.stat().st_size,
                "sha256": sha256_file(path), "options": opts, "status": "new", "by": auth.user().id}
        write_private_text(d / "meta.json", json.dumps(meta, ensure_ascii=False))
        region = _svc().region
        try:
            answer = _report(uid, d, meta, opts, region)
        except InputDataError as exc:
            if opts["kind"] != "facilities" or not _needs_mapping(exc):
                raise
            # a file of a shape seen before: read it the way the planner mapped it then
            known = ext()["column_maps"].get(opts["kind"], exc.details["columns"], auth.user().id or "")
            if known:
                meta["remembered"] = known["updated"]
                try:
                    answer = _report(uid, d, meta, {**opts, "column_map": known["mapping"]}, region)
                except InputDataError as again:
                    keep = _needs_mapping(again)
                    if keep:
                        return _mapping_answer(uid, meta, again)
                    raise
            else:
                keep = True
                return _mapping_answer(uid, meta, exc)
        keep = True
        return jsonify(answer)
    finally:
        if not keep:
            shutil.rmtree(d, ignore_errors=True)


def _network_upload(f, original: str):
    """A road network is built in a background job (minutes for a county extract), then committed."""
    uid = uuid.uuid4().hex
    d = _uploads() / uid
    from geo.dbfile import create_private, private_dir

    private_dir(d.parent)  # uploads/ the owner's alone: 0700, one made 0755 narrowed (QA 35)
    private_dir(d / "src", exist_ok=False)
    suffix = ".osm.pbf" if original.lower().endswith(".osm.pbf") else Path(original).suffix.lower()
    path = d / "src" / _safe_name(original.removesuffix(".osm.pbf") if suffix == ".osm.pbf" else original, suffix)
    create_private(path)  # 0600 from its first byte: the save below writes into it, keeping its mode
    try:
        f.save(path)
        if path.stat().st_size == 0:  # said now, not by a job that fails a moment later
            raise InputDataError(f"{original}: the file is empty.", f"{original}：文件是空的。",
                                 hint_en="Export the road network again (an .osm, .osm.pbf or .graphml file).",
                                 hint_zh="请重新导出路网文件（.osm、.osm.pbf 或 .graphml）。",
                                 details={"file": original})
    except Exception:
        shutil.rmtree(d, ignore_errors=True)
        raise
    store, author = _store(), _author()
    note = edit_text(request.form.get("note"), "note", multiline=True)
    villages = _svc().region.villages.geometry

    def work(progress, should_stop):
        from geo.network import prepare
        try:
            progress(0.05, "reading the road network")
            net = prepare(path)  # parses the extract and builds the graph (cached), or a clear error
            if should_stop():
                return None
            progress(0.9, "saving the data version")
            version = store.commit_layer("network", None, source_path=path, author=author, note=note)
            g_ = net.graph
            # how much of the region the network reaches: a county extract leaves the rest of the
            # city off the roads (uncovered in network mode), and the planner should know at once
            _, snap_m = net.snap(villages.x.to_numpy(), villages.y.to_numpy())
            progress(1.0, "done")
            return {"version": version, "nodes": g_.number_of_nodes(), "edges": g_.number_of_edges(),
                    "villages": int(len(villages)), "villages_near": int((snap_m <= NETWORK_SNAP_M).sum()),
                    "near_m": NETWORK_SNAP_M}
        finally:
            shutil.rmtree(d, ignore_errors=True)

    try:
        job = ext()["jobs"].submit("network", work, {"kind": "network", "file": original})
    except Exception:  # the queue is full: the file is not kept for a job that will never run
        shutil.rmtree(d, ignore_errors=True)
        raise
    auth.audit("network_uploaded", job.id, file=original)
    resp = jsonify({**job_dict(job), "upload_id": uid, "kind": "network", "file": {"name": original}})
    resp.status_code = 202
    return resp


@bp.post("/api/data/uploads/<uid>/recheck")
def recheck(uid: str):
    """Check a kept upload again with a column mapping chosen by the planner (remembered for next
    time), the places picked for rows whose names were ambiguous (``picks``: {row: code}) and/or the
    facility type of every row (``type``: a file without a type column, the type chosen after the check)."""
    d = _upload_dir(uid)
    meta = _own_meta(d)
    body = json_object(required=False)  # nothing sent: checked again as it was, as {} is (an empty body was a 400)
    refuse_unknown(body, ("picks", "column_map", "type", "replace"), what_en="a recheck", what_zh="重新校验")
    picks = _picks_param(body.get("picks", {}), _svc().region)
    # the facility type of every row, for a file without a type column (the mapping card's 设施类型,
    # or the form's, chosen after the check): "" = read from the file's type column; not sent = as before
    type_key = (meta.get("options") or {}).get("type") or ""
    if "type" in body:
        type_key = body["type"]
        # null is a missing value (web/API.md), said as sent: it switched the upload to the file's type
        # column, as "" asks (QA 26); leaving type out keeps the type used before
        if not isinstance(type_key, str):
            raise bad_param("type", type_key, "a facility type key, or \"\" for the file's type column",
                            "设施类型代码，或 \"\"（按文件中的类型列）",
                            hint_en="Leave type out to keep the type the last check used." if type_key is None else "",
                            hint_zh="不发送 type 则沿用上次校验所用的设施类型。" if type_key is None else "")
        if type_key:
            if meta["options"].get("kind") != "facilities":
                raise _type_refused(type_key)
            type_key = _svc().get_type(type_key).key  # unknown -> 404 listing the known types
    cmap = body.get("column_map", (meta.get("options") or {}).get("column_map") or {})
    if not isinstance(cmap, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in cmap.items()):
        raise bad_param("column_map", cmap, "an object {field: column}", "对象 {字段: 列名}")
    # a recognised capacity column (beds) may be set to "no column" by the card's one capacity field (QA 27)
    unknown = sorted(set(cmap) - set(MAPPABLE) - set(CAPACITY_FIELDS))
    if unknown:
        raise bad_param("column_map", unknown[0], "fields among " + ", ".join(MAPPABLE), "字段：" + "、".join(MAPPABLE))
    # "" is "no column" (planner.register_columns.map_columns): a recognised column the planner set to "—"
    # is not read (it was dropped here, and the header was recognised again: QA 25)
    cmap = dict(cmap)
    opts = {**meta["options"], "column_map": cmap, "type": type_key,
            "picks": {**((meta["options"] or {}).get("picks") or {}), **picks}}
    if "replace" in body:  # the page's "replace the whole city's layer" box; not sent = as before
        if body["replace"] is None:  # a missing value, said as sent (as type, picks and column_map are)
            raise bad_param("replace", None, "counties or city", "counties 或 city",
                            hint_en="Leave replace out to keep the choice the last check used.",
                            hint_zh="不发送 replace 则沿用上次校验的选择。")
        opts["replace"] = _replace_param(body["replace"], meta["options"].get("kind", "facilities"))
    try:
        answer = _report(uid, d, meta, opts, _svc().region)
    except InputDataError as exc:
        if _needs_mapping(exc):
            return _mapping_answer(uid, meta, exc, type_key)
        raise
    file_columns = _file_columns(d, meta)
    if file_columns:
        ext()["column_maps"].put(meta["options"]["kind"], file_columns, cmap, auth.user().id or "")
    return jsonify(answer)


#: Most picks one recheck takes (one per row; the page sends one at a time).
MAX_PICKS = 10_000


def _pick_error(row: str, en: str, zh: str, hint_en: str, hint_zh: str, value) -> InputDataError:
    return InputDataError(en, zh, hint_en=hint_en, hint_zh=hint_zh,
                          details={"parameter": "picks", "row": row, "value": value})


def _picks_param(picks, region) -> dict:
    """``picks`` as sent to recheck, {row number: village or township code}; else a 400 naming the
    row and the code and saying what is wrong with it (not a row number, not text, no such place,
    a county's code). Text is quoted “as typed” (web.errors.not_found), anything else as JSON
    (a number, null), never re-serialised inside quotes."""
    if not isinstance(picks, dict):
        raise bad_param("picks", picks, "an object {row number: place code}, e.g. {\"5\": \"420322100001\"}",
                        "对象 {行号: 地点代码}，如 {\"5\": \"420322100001\"}")
    if len(picks) > MAX_PICKS:
        raise InputDataError(f"picks: {len(picks):,} rows; at most {MAX_PICKS:,} are taken at once.",
                             f"picks 含 {len(picks):,} 行，一次最多 {MAX_PICKS:,} 行。",
                             details={"parameter": "picks", "rows": len(picks)})
    villages, towns = set(region.villages.index.astype(str)), set(region.townships.index.astype(str))
    counties = set(region.counties.index.astype(str))
    def plain(text: str) -> str:  # as typed, cut, with invisible characters written as \uXXXX
        return textrules.escaped(text if len(text) <= 40 else text[:39] + "…")
    for row, code in picks.items():
        if not (row.isascii() and row.isdigit() and len(row) <= 9):
            raise _pick_error(row, f"picks: \"{plain(row)}\" is not a row number.",
                              f"picks 中的“{plain(row)}”不是行号。",
                              "Give the row number as in the report's table, e.g. \"5\".",
                              "请填写校验报告表格中的行号，如 \"5\"。", row)
        if not isinstance(code, str):
            shown = textrules.escaped(json_kind(code))
            raise _pick_error(row, f"picks: row {row}: the place code {shown} is not text.",
                              f"picks 中第 {row} 行的地点代码 {shown} 不是文本。",
                              "Send the code in quotes, e.g. \"420322100001\".",
                              "请以带引号的文本填写代码，如 \"420322100001\"。", code)
        shown = plain(code)
        if code in counties:
            raise _pick_error(row, f"picks: row {row}: \"{shown}\" is the code of a county "
                                   f"({auth.county_names('en').get(code, code)}), too large an area to place a facility.",
                              f"picks 中第 {row} 行的“{shown}”是县区（{auth.county_names('zh').get(code, code)}）的代码，"
                              "范围太大，无法据此定位设施。",
                              "Pick a village (12 digits) or a township (9 digits), e.g. one of the row's candidates.",
                              "请选择村（社区，12 位）或乡镇（9 位）代码，如该行的候选之一。", code)
        # as planner.register reads a pick: a village's 12 digits, a township's 9 (or 12 ending in 000)
        known = (code in villages or code in towns
                 or len(code) == 12 and code.endswith("000") and code[:9] in towns)
        if not known:
            raise _pick_error(row, f"picks: row {row}: no village or township has the code \"{shown}\".",
                              f"picks 中第 {row} 行：没有代码为“{shown}”的村（社区）或乡镇。",
                              "Pick one of the row's candidates, or give a village (12 digits) or township "
                              "(9 digits) code.",
                              "请从该行的候选中选择，或填写村（社区，12 位）或乡镇（9 位）代码。", code)
    # "05" is row 5: planner.register looks a pick up by the row number as text
    return {str(int(row)): code for row, code in picks.items()}


def _check_pick_rows(picks: dict, rep) -> None:
    """A 400 for a pick of a row the file does not have (the register would ignore it silently)."""
    rows = set(rep.refused_rows) | {int(r) for r in rep.accepted.get("source_row", [])}
    missing = sorted((r for r in picks if int(r) not in rows), key=int)
    if missing:
        span_en = f" (its rows are numbered {min(rows)} to {max(rows)})" if rows else ""
        span_zh = f"（文件的行号为 {min(rows)} 至 {max(rows)}）" if rows else ""
        raise _pick_error(missing[0], f"picks: the file has no row {missing[0]}{span_en}.",
                          f"picks 中的第 {missing[0]} 行在文件中不存在{span_zh}。",
                          "Give the row number as in the report's table.", "请填写校验报告表格中的行号。",
                          missing[0])
    # a row with coordinates is placed by them (planner.register): a pick for it would be kept and
    # never used, so the planner would believe he had moved the facility
    acc = rep.accepted
    if "location_method" in acc and "source_row" in acc:
        by_xy = {int(r) for r, m in zip(acc["source_row"], acc["location_method"]) if m == "coordinates"}
        placed = sorted((r for r in picks if int(r) in by_xy), key=int)
        if placed:
            raise _pick_error(placed[0], f"picks: row {placed[0]} has coordinates, which place it; a pick is "
                                         "for a row placed by its names.",
                              f"picks 中的第 {placed[0]} 行有经纬度，按经纬度定位；选择地点只用于按名称定位的行。",
                              "To move it, correct its coordinates in the file and upload it again.",
                              "如需改变其位置，请在文件中改正该行的经纬度后重新上传。", placed[0])


def _file_columns(d: Path, meta: dict) -> list[str] | None:
    """The file's own headers (as read), for remembering a mapping by the file's shape."""
    from geo.tables import read_table
    from planner.register_columns import HEADER_NAMES
    try:
        opts = meta["options"]
        table = read_table(_kept_file(d), encoding=opts.get("encoding") or None,
                           header_names=HEADER_NAMES)
        return [str(c) for c in table.frame.columns]
    except Exception:  # remembering is a convenience: never fail the check over it
        return None


@bp.get("/api/data/uploads/<uid>/report.<fmt>")
def report(uid: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    d = _upload_dir(uid)
    meta = _own_meta(d)
    if meta.get("status") != "checked":
        raise not_found("Validation report", "校验报告", uid)
    return _report_download(d, meta, fmt)


def _kept_report(version: int) -> Path:
    """Where the report of the check that made ``version`` is kept: a version's note says "1 row refused,
    see the report", and once confirmed the upload and its report were gone (QA 25)."""
    return report_dir(current_app.config["DATA_DIR"], version)


@bp.get("/api/data/versions/<sent>/report.<fmt>")
def version_report(sent: str, fmt: str):
    """The validation report of the file that made data version ``sent`` (what was refused, and why). The number
    is read here, not by the route's int converter: 5,000 digits were its plain 404 echoing the whole address
    (QA 33); the version not found is quoted cut, as a refused one is (:data:`VERSION_SHOWN`)."""
    if fmt not in ("csv", "xlsx"):
        raise bad_param("format", fmt, "csv or xlsx", "csv 或 xlsx")
    digits = sent.isascii() and sent.isdigit() and len(sent.lstrip("0")) <= len(str(VERSION_LIMIT))
    version = int(sent) if digits else None
    made = next((v for v in _store().versions() if v.version == version), None) if digits else None
    meta = _kept_meta(version, made.source_sha256) if made is not None else None
    if meta is None:
        shown = sent if len(sent) <= VERSION_SHOWN else sent[:VERSION_SHOWN] + "…"
        raise not_found("Validation report of data version", "数据版本的校验报告", version if digits else shown)
    return _report_download(_kept_report(version), meta, fmt, version=version)


def _source_file(version: int) -> Path | None:
    """The original file data version ``version`` was imported from, as the store keeps it
    (``datasets/<region>/<v>/source/<file>``), or None (a map edit, a rollback, the embedded data, a file gone)."""
    try:
        path = _store().source_path(version)
    except (CoverplanError, OSError):
        return None
    return path if path is not None and path.is_file() else None


def _source_download_name(version: int, made, path: Path) -> str:
    """The name the planner's file had when uploaded ("日照名录 甲.csv": the store keeps it as 日照名录_甲.csv), from
    the version's kept report when it is the report of that very file (:func:`_kept_meta`); the kept name otherwise
    (a version `coverplan data import` made keeps the name it was given, a name with a control character or
    another suffix is not used)."""
    meta = _kept_meta(version, made.source_sha256) or {}
    original = Path(str(meta.get("original") or "").replace("\\", "/")).name.strip()
    if (original and original.lower().endswith(path.suffix.lower()) and len(original) <= 200
            and textrules.first_refused(original, multiline=False) is None):
        return original
    return path.name


@bp.get("/api/data/versions/<sent>/source")
def version_source(sent: str):
    """The original file that made data version ``sent``, under its own name (Content-Disposition with an ASCII
    fallback and the UTF-8 name: 福利院名录.xlsx). Allowed to whoever may download the version's report (the
    registers are city-wide, as the reports are): the number read as :func:`version_report` reads it; a 404 (JSON)
    for a version that is not there or keeps no file (a map edit, a rollback, the embedded data)."""
    from flask import send_file

    digits = sent.isascii() and sent.isdigit() and len(sent.lstrip("0")) <= len(str(VERSION_LIMIT))
    version = int(sent) if digits else None
    made = next((v for v in _store().versions() if v.version == version), None) if digits else None
    path = _source_file(version) if made is not None else None
    if path is None:
        shown = sent if len(sent) <= VERSION_SHOWN else sent[:VERSION_SHOWN] + "…"
        err = not_found("Original file of data version", "数据版本的原始文件", version if digits else shown)
        if made is not None and made.version and made.kind == "import" and made.source_name:
            # an import whose kept file is gone from the data folder (a copy of the folder without it)
            err.hint_en = (f"Version {version} was imported from {textrules.escaped(made.source_name)[:80]}, but that file "
                           "is no longer in the data folder: a backup made after that import holds it.")
            err.hint_zh = (f"版本 {version} 由 {textrules.escaped(made.source_name)[:80]} 导入，但该文件已不在数据目录中："
                           "可从该版本生成之后的备份中找回。")
        elif made is not None:  # the version is there: it was made without a file
            err.hint_en = "Only an import keeps its file; map edits, rollbacks and the embedded data have none."
            err.hint_zh = "只有导入生成的版本保存原始文件；地图编辑、回退和内置数据没有原始文件。"
        raise err
    name = _source_download_name(version, made, path)
    resp = send_file(path, as_attachment=True, download_name=name, max_age=0)
    resp.headers["Content-Disposition"] = source_disposition(version, name, path.suffix)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def source_disposition(version: int, name: str, suffix: str) -> str:
    """Content-Disposition of a version's original file ``name``: the name itself when it is plain ASCII, else an
    ASCII fallback that says what the file is, "coverplan-v12-source.csv" (with the file's extension), beside the
    UTF-8 name in ``filename*``. QA 34: the fallback was the name with its Chinese dropped, ' 2025 ().csv'."""
    from urllib.parse import quote

    ext = next((x for x in (Path(name).suffix, suffix) if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", x or "")), "")
    if name.isascii() and re.fullmatch(r"[A-Za-z0-9._ ()\-]+", name):
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"coverplan-v{int(version)}-source{ext}\"; filename*=UTF-8''{quote(name, safe='')}"


def _report_download(d: Path, meta: dict, fmt: str, version: int | None = None):
    issues = json.loads((d / "issues.json").read_text("utf-8"))
    lang = g.lang
    c = meta.get("counts") or {}
    parts = [meta.get("original") or "", f"{t('rows', lang)}: {c.get('rows', '')}",
             f"{t('data_accepted', lang)}: {c.get('accepted', '')}", f"{t('data_refused', lang)}: {c.get('refused', '')}"]
    if c.get("skipped"):  # totals rows (合计) skipped: rows = accepted + refused + skipped
        parts.append(f"{t('f9_skipped_short', lang)}: {c['skipped']}")
    if meta.get("blocked_rows"):  # the confirm refuses the file while rows outside the county remain
        parts.append(t("data_blocked_short", lang, n=meta["blocked_rows"]))
    title = exports.export_title(t("data_report", lang), parts, lang, illustrative=False)
    # the language asked now, not the one the file was checked in (older reports kept one only)
    rows = [{**i, "severity": t("data_sev_" + i["severity"], lang),
             "message": pick(i.get("message_zh"), i.get("message_en"), lang) or i["message"],
             "fix": pick(i.get("fix_zh"), i.get("fix_en"), lang) if "fix_zh" in i else i["fix"]} for i in issues]
    # the file's own notes (a formula without its result, the sheet read ...), as the page shows them above
    # the table: first, in the language asked (QA 27: the download left them out)
    notes = [{"row": "", "column": "", "severity": t("data_sev_note", lang), "fix": "", "value": "",
              "message": _note_text(n, lang)} for n in meta.get("notes") or []]
    rows = notes + rows
    columns = [("row", "data_row"), ("column", "data_column"), ("severity", "data_severity"),
               ("message", "data_problem"), ("fix", "data_fix"), ("value", "data_value")]
    # what the page shows above the table (counts, encoding, CRS and datum, column mapping, what confirming
    # replaces, why it would be refused: F9): the workbook's first lines; the CSV's last rows, as notes in its
    # own columns (its header stays the second line and its rows of problems follow it, as scripts read them)
    summary = _report_summary(meta, issues, lang, with_notices=fmt == "xlsx", version=version)
    if fmt == "csv":  # each row read alone: a mapping's label said again on each of its rows
        colon, said = ("：" if lang == "zh" else ": "), ""
        for label, value in summary:
            said = label or said
            rows.append({"row": "", "column": "", "severity": t("data_sev_note", lang), "fix": "", "value": "",
                         "message": f"{said}{colon}{value}"})
    # the workbook's sheet is named in the language asked (the file name stays ASCII for every browser)
    body = exports.table_bytes(rows, columns, fmt, lang, sheet=t("data_report", lang), title=title,
                               summary=summary, summary_head=t("f9_summary", lang))
    if fmt == "xlsx":  # and what the confirm changes / changed, as the page's changes preview lists it (QA 33)
        body = changes_sheet(body, lang, *_report_changes(d, meta, version, lang),
                             layer=None if version is not None else meta.get("layer"))
    return exports.download(body, fmt, "validation-report")


def _note_text(note, lang: str) -> str:
    """A kept note ([zh, en], or one text as older reports kept it) in ``lang``."""
    return pick(note[0], note[1], lang) if isinstance(note, (list, tuple)) and len(note) == 2 else str(note)


def _in_lang(lang: str, make):
    """``make()`` with the request's language set to ``lang`` (the helpers that word a check read g.lang)."""
    was = g.lang
    g.lang = lang
    try:
        return make()
    finally:
        g.lang = was


def _report_facts(parts: dict, layer: str, mode: str, replaces: dict | None, blocked: dict | None, same,
                  remembered, replaced_again) -> dict:
    """What the page shows above a check's table, kept with its report (meta.json) so that the download
    says it too, in the language asked then (F9): the encoding, CRS and datum read, the column mapping
    (field -> file column), rows placed by name, what confirming replaces and why it would be refused
    (``blocked``: {"zh", "en"} or None), or the data version the file is identical to (``same``).
    ``replaced_again()``: :func:`_replacement` once more, for the other language's sentence."""
    replace_text = None
    if replaces and replaces.get("text"):
        other = "en" if g.lang == "zh" else "zh"
        try:
            again = _in_lang(other, replaced_again) or {}
        except Exception:  # the page's answer is made already: the other language is not worth failing it for
            current_app.logger.exception("could not word what confirming replaces in %s", other)
            again = {}
        replace_text = {g.lang: _replace_said(replaces, replaces["text"], g.lang)}
        if again.get("text"):
            replace_text[other] = _replace_said(replaces, again["text"], other)
    return report_facts(parts, located_by_name=parts.get("located_by_name") or 0, remembered=remembered,
                        replace=mode if layer.startswith("facilities") else None, replaces=replace_text,
                        blocked=blocked, identical=same)


def _replace_said(replaces: dict, text: str, lang: str) -> str:
    """What confirming replaces as the page says it (web/static/data.js replaceText): a county planner is told
    that a rollback is not his to do."""
    county = replaces.get("county") and any((r.get("current") or 0) > 0 for r in replaces.get("types") or []) \
        and not replaces.get("outside_county")  # refused as a whole: nothing replaced, nothing to roll back
    return text + (" " + t("data_rollback_county_note", lang) if county else "")


def _report_summary(meta: dict, issues: list, lang: str, with_notices: bool = True,
                    version: int | None = None) -> list[tuple[str, object]]:
    """The report's summary, (label, value) rows in ``lang``: the file, its counts and skipped rows, the
    encoding, CRS and datum, the column mapping (a row each), what confirming replaces or why it would be
    refused, and (``with_notices``) the file's notes and file-wide warnings. Only what ``meta`` holds: a
    report kept before F9, or by ``coverplan data import``, has fewer facts (never a KeyError)."""
    facts = meta.get("facts") if isinstance(meta.get("facts"), dict) else {}
    opts = meta.get("options") if isinstance(meta.get("options"), dict) else {}
    c = meta.get("counts") if isinstance(meta.get("counts"), dict) else {}
    out: list[tuple[str, object]] = []
    if meta.get("original"):
        out.append((t("f9_file", lang), meta["original"]))
    for key, label in (("rows", "f9_rows"), ("accepted", "f9_accepted"), ("refused", "f9_refused"),
                       ("warnings", "f9_warnings")):
        if isinstance(c.get(key), int):
            out.append((t(label, lang), c[key]))
    skipped = sorted({int(i["row"]) for i in issues if str(i.get("code") or "").endswith("_row_skipped")
                      and isinstance(i.get("row"), int)})
    if c.get("skipped") or skipped:
        n = c.get("skipped") or len(skipped)
        where = ("、" if lang == "zh" else ", ").join(str(r) for r in skipped)
        said = t("f9_skipped_row1" if len(skipped) == 1 else "f9_skipped_rows", lang, n=n, rows=where)
        out.append((t("f9_skipped", lang), said if skipped else n))
    if facts.get("located_by_name"):
        out.append((t("f9_located_by_name", lang), facts["located_by_name"]))
    if c.get("outside_county"):
        out.append((t("f9_outside_county", lang), c["outside_county"]))
    encoding = facts.get("encoding") or opts.get("encoding")
    if encoding:
        out.append((t("data_encoding", lang), str(encoding)))
    crs = facts.get("crs") or opts.get("crs")
    if crs:
        out.append((t("f9_crs", lang), str(crs)))
    datum = facts.get("coords") or (opts.get("coords") if opts.get("coords") != "auto" else None)
    if datum:
        said = t("data_coords_" + str(datum), lang)
        out.append((t("f9_datum", lang), said if said != "data_coords_" + str(datum) else str(datum)))
    columns = facts.get("columns") or opts.get("column_map") or {}
    label = t("f9_columns", lang)
    for field, column in columns.items() if isinstance(columns, dict) else ():
        if not column:  # "" = no column (a recognised one set to "—" by hand)
            continue
        name = t("data_field_" + field, lang)
        out.append((label, f"{column} → {field if name == 'data_field_' + field else name}"))
        label = ""  # the next mappings under the same label
    if facts.get("remembered"):
        out.append(("" if label == "" else t("f9_columns", lang), t("data_map_remembered", lang)))
    if meta.get("version_checked") is not None:
        out.append((t("f9_checked_on", lang), f"v{meta['version_checked']}"))
    if version is not None:  # the report of the file that made a version: which one
        out.append((t("qa30_made_version", lang), f"v{version}"))
    if facts.get("identical") is not None:  # the page says this instead of what confirming replaces
        out.append((t("f9_identical", lang), _identical_text(facts["identical"], lang)))
    elif isinstance(facts.get("replaces"), dict) and facts["replaces"] and version is not None:
        # the confirmed file's report: what it replaced, as said before the confirm (the page's sentence is in
        # the future, and a county planner's rollback advice is not the reader's)
        r = facts["replaces"]
        out.append((t("qa30_replaced_said", lang), r.get(lang) or next(iter(r.values()))))
    elif isinstance(facts.get("replaces"), dict) and facts["replaces"] and not (
            facts.get("blocked") and not c.get("accepted")):
        # (a file refused with no row to import replaces nothing: "0 facilities replace the 59 now" beside "nothing
        # will be imported" read as if the county's would be removed; the page leaves it out too, QA 30)
        r = facts["replaces"]
        out.append((t("f9_replaces", lang), r.get(lang) or next(iter(r.values()))))
    blocked = facts.get("blocked")
    if isinstance(blocked, dict) and blocked:
        out.append((t("f9_blocked", lang), blocked.get(lang) or next(iter(blocked.values()))))
    elif meta.get("blocked_rows"):
        out.append((t("f9_blocked", lang), t("data_blocked_short", lang, n=meta["blocked_rows"])))
    if with_notices:
        for n in meta.get("notes") or []:
            out.append((t("data_sev_note", lang), _note_text(n, lang)))
        for i in issues:  # file-wide warnings (no coordinate system declared, a datum suggestion and its evidence)
            if i.get("row") is None:
                said = [pick(i.get("message_zh"), i.get("message_en"), lang) or i.get("message") or "",
                        pick(i.get("fix_zh"), i.get("fix_en"), lang) if "fix_zh" in i else i.get("fix") or ""]
                out.append((t("data_sev_" + str(i.get("severity")), lang), sentences(said, lang)))
    # labels as headings ("note" -> "Note" beside "Encoding")
    return [(label[:1].upper() + label[1:] if lang == "en" else label, value) for label, value in out]


@bp.post("/api/data/uploads/<uid>/confirm")
def confirm(uid: str):
    no_body(what_en="a confirm (the upload's options were given with the file or a recheck)",
            what_zh="确认导入（导入选项须随文件上传或在重新核查时给出）")
    src = _upload_dir(uid)  # imported already, or being imported: said so (_already_confirmed)
    # Claim the upload by renaming its folder (atomic, across processes too): of two confirms
    # sent at once (a double click, a second tab) one imports, the other is told so.
    d = src.with_name(uid + ".confirming")
    try:
        src.rename(d)
    except OSError:
        raise _already_confirmed(uid) from None
    try:
        with _EDIT_LOCK:  # a map edit of the same layer at once would build on the version before this
            return _confirm(uid, d)
    finally:
        if d.exists():  # refused: the file stays for another try
            d.rename(src)


def _already_confirmed(uid: str) -> NotFoundError:
    # 404: the upload is gone for this request, and the sentence says why: the version it made, once made
    try:
        version = int((_uploads() / f"{uid}.done").read_text("utf-8"))
    except (OSError, ValueError):  # still importing (or an older marker): no version yet
        return NotFoundError("This upload is being imported or has been imported already (see the version list).",
                             "该文件正在导入或已导入（见数据版本列表）。", details={"upload_id": uid})
    kept = (_kept_report(version) / "issues.json").is_file()
    where_en = (f"; its report is kept with the version: /api/data/versions/{version}/report.xlsx" if kept
                else "; its report is no longer kept")
    where_zh = (f"，其校验报告随该版本保存：/api/data/versions/{version}/report.xlsx" if kept else "，其校验报告不再保留")
    return NotFoundError(f"This upload has been imported already, as data version {version} (see the version list)"
                         f"{where_en}.", f"该文件已导入，生成了数据版本 {version}（见数据版本列表）{where_zh}。",
                         details={"upload_id": uid, "version": version,
                                  **({"report": f"/api/data/versions/{version}/report.xlsx"} if kept else {})})


def _confirm(uid: str, d: Path):
    meta = _own_meta(d)
    path = _kept_file(d)
    if sha256_file(path) != meta["sha256"]:
        raise InputDataError("The uploaded file changed since it was checked; upload it again.",
                             "上传文件在校验后发生了变化，请重新上传。")
    if meta.get("status") != "checked":
        raise InputDataError("This upload has not passed the check yet (map its columns first).",
                             "该文件尚未通过校验（请先指定列对应关系）。")
    opts = meta["options"]
    layer, gdf, parts, _ = _check(path, opts, _svc().region)
    if not len(gdf):
        raise InputDataError("No row of this file can be imported (see the report).",
                             "该文件没有可导入的行（见校验报告）。")
    # a county planner: every row in his county, or 403 listing those outside (web/auth.py); a city-wide
    # planner's register: the type replaced in the counties of its rows unless he chose the whole city
    accepted = gdf
    gdf = _scoped(layer, gdf, _svc().region, opts.get("replace") or register_scope.DEFAULT_REPLACE)
    # the facilities the refused rows stand for, kept as they are (said in the answer, as the report said it)
    # (those of the counties replaced, as the report named them: another county's are carried over anyway)
    committed = set(gdf["id"].astype(str)) if gdf is not accepted and "id" in gdf else set()
    u = auth.user()
    kept_refused = [k for k in register_scope.refused_named(layer, accepted, _svc().region.facilities,
                                                            opts.get("replace") or register_scope.DEFAULT_REPLACE,
                                                            None if u.citywide else u.county)
                    if k["id"] in committed]
    same = _unchanged_since(layer, gdf, path)
    if same is not None:  # the page disables Confirm then; a confirm sent anyway writes nothing either
        checked = meta.get("version_checked")
        # the check compared with the version current then: when another import (the same file checked
        # twice, confirmed in another tab) made this one since, say so, or the report's "replaces" and
        # this refusal would contradict each other
        since_en = (f" (v{same} was made after this file was checked against v{checked})"
                    if isinstance(checked, int) and checked != same else "")
        since_zh = (f"（v{same} 是在本文件按 v{checked} 校验之后生成的）"
                    if isinstance(checked, int) and checked != same else "")
        raise InputDataError(f"This file holds exactly the data of the current version (v{same}){since_en}: nothing to "
                             "import, no new version is made.",
                             f"本文件的数据与当前版本（v{same}）完全相同{since_zh}，无需导入，未生成新版本。",
                             hint_en="Change the file (or choose another layer) and upload it again.",
                             hint_zh="如需更新，请修改文件（或选择其他图层）后重新上传。",
                             details={"upload_id": uid, "version": same})
    checked, now = meta.get("version_checked"), _svc().version()
    if isinstance(checked, int) and checked != now:
        # the report said what confirming would replace on v{checked}; since then an edit or an import
        # made v{now}, and replacing the layer now would drop that change without anyone having seen it
        err = DataChanged(checked, now)
        # who made the newer versions, when, and what (QA 28: a county planner learns that a city-wide
        # import has just replaced his county's rows), as a map edit's conflict says it
        known = _versions_by_number()
        since, shown, by_en, by_zh, more_en, more_zh = _since_words(known, checked, now)
        err.en = (f"The data changed after this file was checked: the report was made on data version {checked}"
                  + (f"; since then, {more_en}{by_en}" if shown else "")
                  + f"; version {now} is now current. Nothing was imported.")
        err.zh = (f"本文件校验后数据已更新：校验报告基于数据版本 {checked}，"
                  + (f"此后{' ' if by_zh[:1].isascii() else ''}{by_zh}{more_zh}，" if shown else "")
                  + f"当前已是版本 {now}。未导入任何内容。")
        if now < checked or (known and checked not in known):
            # the version the report was made on is gone: only a restore drops versions (numbers are never given
            # again, geo.datasets), said with who restored which archive, of when (QA 32: "基于数据版本 25，当前已是
            # 版本 23" read as data going backwards, nobody named)
            try:
                _, entries = ext()["users"].audit_list(limit=1, action="restore")
            except Exception:  # an audit log that cannot be read: the restore is still said
                entries = []
            restore_row = entries[0] if entries else None

            def restored(lang: str) -> str:
                if restore_row is None:
                    return t("qa32fb2_restored_unknown", lang)
                made = (restore_row.get("detail") or {}).get("backup_created")
                return t("qa32fb2_restored_by", lang, who=auth.actor_text(restore_row, lang),
                         at=time.strftime("%Y-%m-%d %H:%M", time.localtime(restore_row["at"])),
                         archive=textrules.escaped(str(restore_row.get("object") or ""))[:120],
                         created=str(made)[:16].replace("T", " ") if isinstance(made, str) else "?")

            by = {"zh": f"{' ' if by_zh[:1].isascii() else ''}{by_zh}{more_zh}", "en": f"{more_en}{by_en}"}
            err.en, err.zh = (t("qa32fb2_changed", lang, checked=checked, now=now, restored=restored(lang),
                                since=t("qa32fb2_since", lang, by=by[lang]) if shown else "") for lang in ("en", "zh"))
            err.details["restored"] = ({"archive": restore_row.get("object"), "at": restore_row["at"],
                                        "backup_created": (restore_row.get("detail") or {}).get("backup_created")}
                                       if restore_row else True)
        if shown:
            last = shown[-1]
            err.details.update({"changed_by": last.get("author") or "", "changed_in": last["version"],
                                "changed_at": str(last.get("created_iso") or "")[:16],
                                "changes": [_version_detail(r) for r in since]})
        err.hint_en = "Check the file again against the current data (the page does it), read the report, then confirm."
        err.hint_zh = "请按当前数据重新校验（页面会自动进行），查看校验报告后再确认。"
        if err.details.get("restored"):
            err.hint_en, err.hint_zh = t("qa32fb2_hint", "en"), t("qa32fb2_hint", "zh")
        err.details.update({"upload_id": uid, "recheck": True})
        raise err
    note = refused_note(opts.get("note") or "", parts["counts"].get("refused", 0))
    version = _store().commit_layer(layer, gdf, source_path=path, author=_author(), note=note)
    # the county it replaced (or the whole city), beside the layer: two county planners' imports apart (QA 35)
    auth.audit("import_confirmed", version, layer=audit_layer(version, layer),
               **import_scope(layer, accepted, opts.get("replace") or register_scope.DEFAULT_REPLACE),
               file=meta.get("original"), rows=int(parts["counts"].get("accepted", 0)))
    try:  # the report stays with the version its note points to ("1 row refused, see the report")
        keep_report(current_app.config["DATA_DIR"], version,
                    json.loads((d / "issues.json").read_text("utf-8")), json.loads((d / "meta.json").read_text("utf-8")))
    except (OSError, ValueError):  # the version is made; a report that could not be kept is not worth failing it for
        current_app.logger.exception("could not keep the report of data version %s", version)
    # a marker, so that a late second confirm hears "imported already", not "not found" (swept in a day)
    write_private_text(d.parent / f"{uid}.done", str(version))
    shutil.rmtree(d, ignore_errors=True)
    return jsonify({"version": version, "layer": layer, "counts": parts["counts"],
                    **({"refused_kept": kept_refused,  # said on the page after the confirm too (QA 31)
                        "refused_kept_text": register_scope.refused_text(kept_refused, g.lang, done=True)}
                       if kept_refused else {})})


# -- diff in words --------------------------------------------------------------------------------
def _names(rows: list, lang: str, key: str = "name", most: int = 6, counties: dict | None = None,
           extra=None) -> str:
    """The first ``most`` rows by name; a name two rows share ("城关镇养老服务综合体": several counties have
    a 城关镇) with its county from ``counties`` (code -> name), as the list named them alike (QA 22); ``extra``
    (row -> words or "") adds what else a row says in the same brackets (a move's distance: "移动 939 米")."""
    def name(r) -> str:
        return str(r.get(key) or r.get("id") or r.get("code"))

    seen: dict = {}
    for r in rows:
        seen[name(r)] = seen.get(name(r), 0) + 1

    def shown(r) -> str:
        county = (counties or {}).get(str(r.get("township_code") or "")[:6])
        inner = [w for w in ((county if seen[name(r)] >= 2 else None), extra(r) if extra else None) if w]
        if not inner:
            return name(r)
        return f"{name(r)} ({', '.join(inner)})" if lang == "en" else f"{name(r)}（{'，'.join(inner)}）"

    names = [shown(r) for r in rows[:most]]
    more = len(rows) - len(names)
    if lang == "en":
        return ", ".join(names) + (f" and {more} more" if more > 0 else "")
    return "、".join(names) + (f" 等{len(rows)}个" if more > 0 else "")


def _renamed(rows: list, lang: str, types: dict | None = None, most: int = 6) -> str:
    """Renamed or retyped facilities as the version notes and the upload report name them: the old name, the id
    and the new name ("下北隅村委会互助照料中心(示意)（mutual_aid-0560）→ 上津镇互助中心"), and a changed type
    (QA 32: the comparison gave the new name alone)."""
    zh = lang != "en"

    def tname(key) -> str:
        ft = (types or {}).get(str(key))
        return ft.name(lang) if ft is not None else str(key)

    def shown(r: dict) -> str:
        new, fid = str(r.get("name") or "").strip(), str(r.get("id") or "")
        old = str(r.get("name_before") or "").strip()
        head = old or new or fid
        text = ((f"{head}（{fid}）" if zh else f"{head} ({fid})") if fid and head != fid else head)
        if old != new:
            text += f"→ {new or '–'}" if zh else f" → {new or '–'}"
        tb, ta = r.get("facility_type_before"), r.get("facility_type")
        if tb is not None and str(tb) != str(ta):
            text += ("：" if zh else ": ") + f"{tname(tb)} → {tname(ta)}"
        return text

    names = [shown(r) for r in rows[:most]]
    more = len(rows) - len(names)
    if not zh:
        return "; ".join(names) + (f" and {more} more" if more > 0 else "")
    return "；".join(names) + (f" 等{len(rows)}处" if more > 0 else "")


def _one(words: str, n: int) -> str:
    """"facilities added" for one: "facility added" (the English lines count their rows)."""
    return words.replace("facilities", "facility").replace("sites", "site") if n == 1 else words


def _with_area(r: dict, lang: str) -> str:
    """A changed township's name with its area before and after (km², as the data store's diff measures it)."""
    name, a, b = str(r.get("name") or r.get("code")), r.get("area_km2_before"), r.get("area_km2_after")
    if a is None or b is None:
        return name
    return f"{name} ({a:,.1f} → {b:,.1f} km²)" if lang == "en" else f"{name}（{a:,.1f}→{b:,.1f} 平方千米）"


def diff_lines(d: dict, lang: str, counties: dict | None = None, types: dict | None = None) -> list[str]:
    """The version comparison as sentences a planner reads; ``counties`` (code -> name in ``lang``) tells
    facilities of the same name apart; ``types`` (key -> facility type) names a changed type in words."""
    zh = lang != "en"
    out = []
    fac = d.get("facilities") or {}
    for key, zh_w, en_w in (("added", "新增设施", "facilities added"), ("removed", "移除设施", "facilities removed"),
                            ("moved", "位置变化的设施", "facilities moved"),
                            ("changed", "名称或类型变化的设施", "facilities renamed or retyped")):
        rows = fac.get(key) or []
        if rows:
            # a move with its distance, worded and rounded as the report's Changes sheet says it ("移动 939 米")
            moves = (lambda r: moved_text(r, lang)) if key == "moved" else None
            named = _renamed(rows, lang, types) if key == "changed" else _names(rows, lang, counties=counties, extra=moves)
            out.append(f"{zh_w} {len(rows)} 处：{named}" if zh else f"{len(rows)} {_one(en_w, len(rows))}: {named}")
    rows = fac.get("attributes") or []
    if rows:  # an address or phone edit: named as such, never as a rename
        # a capacity column that is not the facilities' capacity (a day-care centre's beds) said so (QA 33)
        other = {c.get("field") for r in rows for c in r.get("other_capacity") or [] if isinstance(c, dict)}
        which = fields_text({k for r in rows for k in r.get("attributes") or []} - other, lang)
        which = ("、" if zh else ", ").join([w for w in [which] if w] + [not_capacity_label(
            k, {r.get("facility_type") for r in rows if k in (r.get("attributes") or [])}, lang) for k in sorted(other)])
        named = _names(rows, lang, counties=counties)
        out.append(f"属性变化的设施 {len(rows)} 处（{which}）：{named}" if zh
                   else f"{len(rows)} {_one('facilities', len(rows))} with changed attributes ({which}): {named}")
    rows = fac.get("capacity") or []
    if rows:  # 60 → unknown says a lost count, 60 → 80 a change
        def cap(v, field):
            if v is None:
                return "未知" if zh else "unknown"
            unit = t(f"capw_unit_{'plots' if field == 'niches' else field}", lang)
            return f"{v:,.0f}{unit}" if zh else f"{v:,.0f} {unit}"
        shown = [f"{r.get('name') or r.get('id')} {cap(r['before'], r['field'])}→{cap(r['after'], r['field'])}"
                 for r in rows[:6]]
        more = len(rows) - len(shown)
        lost = sum(1 for r in rows if r["before"] is not None and r["after"] is None)
        if zh:
            out.append(f"容量变化的设施 {len(rows)} 处" + (f"（其中 {lost} 处变为未知）" if lost else "") + "：" + "、".join(shown)
                       + (f" 等{len(rows)}处" if more > 0 else ""))
        else:
            out.append(f"{len(rows)} {_one('facilities', len(rows))} with a changed capacity"
                       + (f" ({lost} now unknown)" if lost else "") + ": " + ", ".join(shown)
                       + (f" and {more} more" if more > 0 else ""))
    tw = d.get("townships") or {}
    if tw.get("changed"):
        rows = tw["changed"]
        # with their areas before and after, as the CLI's diff gives them: "城关镇" alone did not say by how much
        sized = [{**r, "name": _with_area(r, lang)} for r in rows]
        out.append(f"乡镇边界变化 {len(rows)} 个：{_names(sized, lang)}" if zh
                   else f"{_count_en(len(rows), 'township boundary', 'township boundaries')} changed: {_names(sized, lang)}")
    if tw.get("requalified"):
        rows = tw["requalified"]
        out.append(f"边界质量标记变化 {len(rows)} 个：{_names(rows, lang)}" if zh
                   else f"{_count_en(len(rows), 'township', 'townships')} with another quality flag: {_names(rows, lang)}")
    vm = (d.get("villages") or {}).get("moved") or []
    if vm:  # each with its distance, as facility moves and the CLI say it ("八里扁村委会（移动 94 米）", QA 34)
        named = _names(vm, lang, counties=counties, extra=lambda r: moved_text(r, lang))
        out.append(f"村（社区）点位变化 {len(vm)} 个：{named}" if zh
                   else f"{_count_en(len(vm), 'village point', 'village points')} moved: {named}")
    vq = (d.get("villages") or {}).get("requalified") or []
    if vq:  # the same point, now official (a sample point given as measured): no move, said as the flag it is
        official = [r for r in vq if r.get("location_quality_after") == "official"]
        other = [r for r in vq if r.get("location_quality_after") != "official"]
        if official:
            out.append(t("qa34f15_vill_official_line", lang, n=len(official), names=_names(official, lang),
                         points=_count_en(len(official), "village point", "village points")))
        if other:
            out.append(t("qa34f15_vill_flag_line", lang, n=len(other), names=_names(other, lang),
                         points=_count_en(len(other), "village point", "village points")))
    pc = (d.get("population") or {}).get("changed") or []
    if pc:
        out.append(f"人口数据变化 {len(pc)} 个单元" if zh else f"population changed for {_count_en(len(pc), 'unit', 'units')}")
    ps = d.get("planner_sites") or {}
    for key, zh_w, en_w in (("added", "新增候选点", "candidate sites added"), ("removed", "删除候选点", "candidate sites removed"),
                            ("moved", "移动候选点", "candidate sites moved")):
        rows = ps.get(key) or []
        if rows:
            out.append(f"{zh_w} {len(rows)} 处：{_names(rows, lang)}" if zh
                       else f"{len(rows)} {_one(en_w, len(rows))}: {_names(rows, lang)}")
    sm = d.get("site_marks") or {}
    n = sum(len(sm.get(k) or []) for k in ("added", "removed", "changed"))
    if n:
        ids = [r["candidate_id"] for k in ("added", "changed", "removed") for r in sm.get(k) or []]
        shown = ("、" if zh else ", ").join(ids[:5]) + (" …" if len(ids) > 5 else "")
        out.append(f"候选点必选/禁选标记变化 {n} 处：{shown}" if zh else f"{_count_en(n, 'candidate-site mark', 'candidate-site marks')} changed: {shown}")
    return out


# -- editing facilities on the map ------------------------------------------------------------------
EDIT_ACTIONS = ("add", "move", "remove", "rename", "update", "mark", "add_site", "move_site", "remove_site")
#: What each action takes besides action, type and note: a field it would not use (a name sent with a
#: move, a misspelt key) is refused, not ignored (QA 17).
EDIT_KEYS = {"add": ("name", "lon", "lat", "fields"), "move": ("id", "lon", "lat", "base"), "remove": ("id", "base"),
             "rename": ("id", "name", "base"), "update": ("id", "fields", "base"),
             "mark": ("candidate_id", "mark", "all_types", "base"),
             "add_site": ("name", "lon", "lat", "all_types"), "move_site": ("id", "lon", "lat", "all_types", "base"),
             "remove_site": ("id", "all_types", "base")}
# The attributes a planner may edit in a facility's popup, besides its name and place (free text), are
# geo.datasets.EDIT_FIELDS: versions' notes name them and the CLI's listing words them too.


#: One change of the data at a time (map edits, import confirms, rollbacks): a map edit reads the current
#: layer, changes it and commits it as a new version, so two at once would build on the same version and
#: the later would drop the earlier's change (and both could hand out the same new id).
_EDIT_LOCK = threading.Lock()


def _next_number() -> int:
    """The number a new facility's or site's id carries: the data version its edit is about to make.

    Versions are never reused (a rollback makes a new one), so neither are ids: a facility removed
    and another added later are two facilities in the history, never one that "moved 109 km".
    Called under :data:`_EDIT_LOCK`."""
    return max((v.version for v in _store().versions()), default=0) + 1


@bp.post("/api/data/edits")
def edit():
    """Add, move, rename or remove one facility; each edit is a new data version with a note.

    JSON: ``{"action", "type", "id" (move/remove/rename), "name" (add/rename), "lon", "lat"
    (add/move), "note"}``. The point must lie in the region; its township is found from the
    current township polygons.
    """
    body = json_object()
    with _EDIT_LOCK:
        # the version this edit builds on, read under the lock (an edit just before in this process
        # may have made a new one since the request began); commit_layer refuses it if another
        # process has committed meanwhile
        _svc().reread_version()
        return _edit(body)


def _edit(body: dict):
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo import settings as geo_settings

    action = body.get("action")
    if action not in EDIT_ACTIONS:
        raise bad_param("action", action, "one of " + ", ".join(EDIT_ACTIONS), "以下之一：" + "、".join(EDIT_ACTIONS))
    refuse_unknown(body, ("action", "type", "note") + EDIT_KEYS[action], what_en=f"action {action}",
                   what_zh=f"操作 {action} ")
    type_key = body.get("type")
    if not isinstance(type_key, str) or not type_key:
        raise bad_param("type", type_key, "a facility type key", "设施类型代码")
    ft = _svc().get_type(type_key)
    note = edit_text(body.get("note"), "note", multiline=True)
    _check_base(body, action, ft)
    if action == "mark":
        return _mark(ft, body, note)
    if action.endswith("_site"):
        return _site(ft, body, action.removesuffix("_site"), note)
    region = _svc().region
    fac = region.facilities
    layer = register_scope.stamp_own_rows(fac[fac["facility_type"] == ft.key].copy(), region.provenance, ft.key)
    fid = body.get("id")
    if action != "add":
        _id_param(fid, "id", "a facility id (text)", "设施编号（文本）")
        if fid not in set(layer["id"].astype(str)):
            raise not_found("Facility", "设施", fid)
        hit = layer.loc[layer["id"].astype(str) == fid].iloc[0]
        # named as the planner knows it, its id after it (QA 28: "设施 welfare_home-0695 位于 房县")
        fname = textrules.without_refused(str(hit.get("name") or ""))[:60] if "name" in layer else ""
        auth.require_county(hit["county_code"], f"the facility {fname} ({fid})" if fname else f"facility {fid}",
                            f"设施“{fname}”（{fid}）" if fname else f"设施 {fid} ")
    point = None
    if action in ("add", "move"):
        lon = number(body.get("lon"), "lon", minimum=-180, maximum=180)
        lat = number(body.get("lat"), "lat", minimum=-90, maximum=90)
        if lon is None or lat is None:
            raise _lonlat_error(body)
        point = shapely.Point(lon, lat)
        town = township_at(region, lon, lat)
        auth.require_county(region.townships.loc[town, "county_code"], "this point", "该点位")
    name = body.get("name")
    if action in ("add", "rename"):
        name = _edit_name(name)
    ids = layer["id"].astype(str)
    # a version's note names the facility as the planner knows it, its id after it (the list named ids alone)
    zh_id, en_id = (f"{fname}（{fid}）", f"{fname} ({fid})") if action != "add" and fname else (str(fid), str(fid))
    gap = "" if zh_id.endswith("）") else " "  # "更名 x 为 y", but "更名 甲（x）为 y"
    if action == "add":
        n = _next_number()
        while f"edit-{ft.key}-{n:04d}" in set(ids):  # an id from before numbers followed versions
            n += 1
        row = {"id": f"edit-{ft.key}-{n:04d}", "facility_type": ft.key, "name": name, "township_code": town,
               "county_code": region.townships.loc[town, "county_code"], "synthetic": False,
               "source": "planner edit (web)", "source_file": "", "source_version": np.nan, "geometry": point}
        fields = _fields_param(body["fields"]) if body.get("fields") is not None else {}
        layer = pd.concat([layer, gpd.GeoDataFrame([row], geometry="geometry", crs=geo_settings.STORAGE_CRS)])
        if fields:  # its beds, address ... given with it (they were dropped without a word)
            layer = _apply_fields(layer, (layer["id"].astype(str) == row["id"]).to_numpy(), ft, fields)
        what = {"zh": f"新增 {name}（{row['id']}）", "en": f"added {name} ({row['id']})"}
    elif action == "move":
        i = ids == fid
        was = layer.loc[i, "geometry"].iloc[0]
        if was is not None and not was.is_empty and _metres(was, point) < 0.1:
            # (1e-13° once made a version that changed nothing, and a colleague's edit a needless 409)
            raise InputDataError("The facility is already at that point (less than 0.1 m away): nothing to change.",
                                 "设施已在该位置（相距不足 0.1 米），无需移动。", details={"parameter": "lon,lat"})
        layer.loc[i, "geometry"] = point
        layer.loc[i, "township_code"] = town
        layer.loc[i, "county_code"] = region.townships.loc[town, "county_code"]
        what = {"zh": f"移动 {zh_id}", "en": f"moved {en_id}"}
    elif action == "rename":
        if str(layer.loc[ids == fid, "name"].iloc[0]) == name:  # an empty version would only clutter the history
            raise InputDataError(f"“{name}” is already the facility's name: nothing to change.",
                                 f"设施名称已是“{name}”，无需修改。", details={"parameter": "name"})
        old_name = str(layer.loc[ids == fid, "name"].iloc[0])
        layer.loc[ids == fid, "name"] = name
        what = {"zh": f"更名 {zh_id}{gap}为 {name}", "en": f"renamed {en_id} to {name}"}
    elif action == "update":
        fields = _fields_param(body.get("fields"))
        before = layer.loc[ids == fid].drop(columns="geometry").iloc[0]
        layer = _apply_fields(layer, ids == fid, ft, fields)
        if _same_row(before, layer.loc[layer["id"].astype(str) == fid].drop(columns="geometry").iloc[0]):
            raise InputDataError(f"The facility already has these values ({fields_text(fields, 'en')}): nothing to change.",
                                 f"设施已是这些值（{fields_text(fields, 'zh')}），无需修改。",
                                 details={"parameter": "fields"})
        what = {"zh": f"修改 {zh_id}{gap}的属性（{fields_text(fields, 'zh')}）",
                "en": f"edited {en_id} ({fields_text(fields, 'en')})"}
    else:
        layer = layer[ids != fid]
        what = {"zh": f"删除 {zh_id}", "en": f"removed {en_id}"}
    # the audit entry names the facility, a rename with its name before and after (QA 27)
    if action == "rename":
        named = f"{old_name} → {name}"
    elif action == "add":
        named = name
    else:
        named = str(fac.loc[fac["id"].astype(str) == fid, "name"].iloc[0]) if (fac["id"].astype(str) == fid).any() else ""
    return _commit_edit(layer, ft, action, fid, what, note, row if action == "add" else None,
                        audit_name=textrules.without_refused(named)[:120])


def _metres(a, b) -> float:
    """Distance in metres between two lon/lat points (on the ellipsoid)."""
    from pyproj import Geod
    return abs(Geod(ellps="WGS84").inv(a.x, a.y, b.x, b.y)[2])


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and v == "")


def _same_value(a, b) -> bool:
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _same_row(before, after) -> bool:
    """Whether an update left a facility's row as it was (a field set to what it holds: unknown stays
    unknown whether it is written empty or null)."""
    return all(_same_value(before.get(k), after.get(k)) for k in set(before.index) | set(after.index))


def _check_base(body: dict, action: str, ft) -> None:
    """A 409 when the thing an edit changes has changed since ``base``, the data version the page showed
    (the map sends it): the facility itself for a facility, the layer for a mark or a planner's site.
    An edit without ``base`` (a script) is made on the current data, as before."""
    from geo.datasets import MARKS, SITES
    from web.errors import EditConflict

    base = body.get("base")
    if base is None:
        return
    # a JSON number written 1e3 is the whole number 1000, said so (it was echoed "1000.0": QA 26); text is
    # not taken (the map sends the number it was given)
    if isinstance(base, float) and version_number(base) is not None:
        base = version_number(base)
    if isinstance(base, bool) or not isinstance(base, int) or base < 0 or base > _svc().version():
        # (a version after the current one was read as "changed since": a 409 naming v10^30); quoted as typed and
        # cut, 1e308 not 1e+308, and no 300-digit integer in its details (QA 33)
        shown, kept = shown_version(base)
        err = bad_param("base", shown, f"the data version the page showed (a whole number up to v{_svc().version()})",
                        f"页面所示的数据版本号（不超过 v{_svc().version()} 的整数）")
        err.details["value"] = kept
        raise err
    if action == "mark":
        layer, row, what_en, what_zh = MARKS, None, "the candidates' marks", "候选点标记"
    elif action.endswith("_site"):
        layer, row, what_en, what_zh = SITES, None, "the planners' candidate sites", "规划人员添加的候选点"
    else:
        fid = body.get("id")
        layer, row = f"facilities:{ft.key}", fid if isinstance(fid, str) else None
        # named as the planner knows it (QA 18: "meal_service-0717"), its id after it
        fac = _svc().region.facilities
        name = str(fac.loc[row, "name"]) if row is not None and row in fac.index and "name" in fac else ""
        name = textrules.without_refused(name)[:60]
        what_en = f"the facility {name} ({row})" if name else f"facility {row}"
        what_zh = f"设施“{name}”（{row}）" if name else f"设施 {row} "
    if _store().changed_since(layer, base, row):
        cur = _svc().version()
        # who changed it, and when: for a facility the latest version since base that changed this facility
        # (QA 31: not the one that last wrote its type's layer, a colleague's edit of another facility); for
        # marks and sites the latest version that wrote the layer (QA 27: "他人" only)
        by = _who_changed(layer, base, row)
        # what happened to the facility (QA 28: "修改了" said of one a rollback had removed, named by its id)
        happened, hint_en, hint_zh = "changed", None, None
        if row is not None:
            then = _facility_at(base, row)
            now_here = row in fac.index
            if then is not None and not now_here:
                happened = "removed"
            elif then is None and now_here:
                happened = "added"
            if not name and then is not None and "name" in then:  # removed since: named as the page showed it
                name = textrules.without_refused(str(then["name"]))[:60]
                if name:
                    what_en, what_zh = f"the facility {name} ({row})", f"设施“{name}”（{row}）"
            if happened == "removed":
                hint_en = ("Reload the map: the facility is no longer in the current data (a rollback to a version "
                           "that holds it brings it back).")
                hint_zh = "请刷新地图：该设施已不在当前数据中（回退到包含它的版本可恢复）。"
        if by:
            # what that version did to the facility (the latest change made it what it is now)
            verb_en, verb_zh = _conflict_verbs(by, by.get("happened") or happened)
            who_en = by["author_en"]
            if by["author"] == ANONYMOUS_AUTHOR:  # our own words start the sentence; an account name stays as typed
                who_en = who_en[:1].upper() + who_en[1:]
            also = [v for v in by.get("changed_in_all") or [] if v != by["version"]]
            also_en = f"; {_listed_versions(also, 'en')} changed it too" if also else ""
            also_zh = f"，{_listed_versions(also, 'zh')} 也改动过它" if also else ""
            en = (f"{who_en} {verb_en.replace('{what}', what_en)} at {by['said_when']} (data version "
                  f"v{by['version']}{also_en}) after the page showed data version v{base} (now v{cur}): nothing was saved.")
            zh = (f"页面打开（数据版本 v{base}）后，{_zh_by(by['author_zh'])} {by['said_when']} {verb_zh}{what_zh}"
                  f"（数据版本 v{by['version']}{also_zh}，现为 v{cur}）：未保存。")
        else:
            en = (f"Someone else changed {what_en} after the page showed data version v{base} (now v{cur}): "
                  "nothing was saved.")
            zh = f"页面打开（数据版本 v{base}）后，他人已修改了{what_zh}（现为 v{cur}）：未保存。"
        raise EditConflict(en, zh,
                           hint_en=hint_en or "Reload the map to see their change, then make yours again.",
                           hint_zh=hint_zh or "请刷新地图查看他人的修改，再重新编辑。",
                           details={"parameter": "base", "base": base, "current": cur,
                                    **({"facility": row, "facility_name": name, "happened": happened}
                                       if row is not None else {}),
                                    **({"changed_by": by["author"], "changed_in": by["version"],
                                        "changed_at": by["when"], "change_kind": by.get("kind"),
                                        **({"changed_in_all": by["changed_in_all"]} if by.get("changed_in_all")
                                           else {})} if by else {})})


def _facility_at(version: int, fid: str):
    """Facility ``fid`` as data version ``version`` held it (a row), or None (absent, or unreadable)."""
    try:
        fac = _store().layers(version)["facilities"]
    except Exception:
        return None
    hit = fac[fac["id"].astype(str) == fid] if "id" in fac else fac.iloc[0:0]
    return hit.iloc[0] if len(hit) else None


def _conflict_verbs(by: dict, happened: str) -> tuple[str, str]:
    """(English with {what}, Chinese) for what version ``by`` did to the facility: removed, added or changed,
    by a rollback, an import or an edit."""
    kind, target = by.get("kind"), by.get("target")
    file = textrules.escaped(str(by.get("file") or ""))[:80]
    en_verb = {"removed": "removed", "added": "restored" if kind == "rollback" else "added",
               "changed": "changed"}[happened]
    zh_verb = {"removed": "移除了", "added": "恢复了" if kind == "rollback" else "加入了",
               "changed": "改回了" if kind == "rollback" else "修改了"}[happened]
    if kind == "rollback" and target is not None:
        back = " back" if happened == "changed" else ""
        return f"{en_verb} {{what}}{back} by rolling back to v{target}", f"回退到 v{target} 时{zh_verb}"
    if kind == "import" and file:
        return f"{en_verb} {{what}} by importing {file}", f"导入 {file} 时{zh_verb}"
    if kind == "edit" and happened == "removed":
        return "deleted {what}", "删除了"
    return f"{en_verb} {{what}}", zh_verb


def _who_changed(layer: str, base: int, row: str | None = None) -> dict | None:
    """The latest version after ``base`` that changed facility ``row`` of ``layer`` (an edit, an import, a
    rollback), with ``happened`` (what it did to the row: added, removed, changed) and ``changed_in_all``
    (every version since ``base`` that changed it); without a row (marks, sites) or when the facility's
    history cannot be read, the latest version that wrote ``layer``. Its number, author (in words) and
    time, or None.

    QA 31: the latest version that wrote the type's layer was named, a colleague's rename of another
    facility of the type, when a rollback between had changed this one."""
    try:
        rows = [v.to_dict() for v in _store().versions()]
    except Exception:  # the refusal is still a 409 without the names
        return None
    changes = []
    if row is not None and layer.startswith("facilities:"):
        try:
            changes = _store().row_changes(layer, base, row)
        except Exception:  # a file unreadable: said by the layer's history
            changes = []
    if changes:
        by_number = {r["version"]: r for r in rows}
        last = changes[-1]
        r = by_number.get(last["version"])
        if r is None:
            return None
        return {**_who_words(r), "happened": last["happened"], "changed_in_all": [c["version"] for c in changes]}
    hits = [r for r in rows if r["version"] > base and (
        layer in (r.get("layer") or "").split(",")
        or any(x.get("layer") == layer for x in r.get("replaced") or []))]
    if not hits:
        return None
    return _who_words(max(hits, key=lambda x: x["version"]))


def _listed_versions(numbers: list[int], lang: str) -> str:
    """"v3、v5" / "v3 and v5" / "v2, v3 and v5"."""
    vs = [f"v{n}" for n in numbers]
    if lang == "zh":
        return "、".join(vs)
    return vs[0] if len(vs) == 1 else ", ".join(vs[:-1]) + " and " + vs[-1]


def _who_words(r: dict) -> dict:
    """Version ``r`` (to_dict) as a conflict names it: number, author in words, time, kind, target, file."""
    author = r.get("author") or ""
    local = author == ANONYMOUS_AUTHOR
    when = str(r.get("created_iso") or "")[:16].replace("T", " ")
    edit = r.get("kind") == "edit"  # a desk server's import or rollback is "this computer", not "another edit"
    return {"version": r["version"], "author": author, "when": when, "said_when": _time_words(r), "kind": r.get("kind"),
            "target": r.get("target"), "file": r.get("source_name") if r.get("kind") == "import" else None,
            "author_zh": ("本机网页上的另一次编辑" if edit else "本机") if local
            else (textrules.escaped(author)[:60] or "他人"),
            "author_en": ("another edit on this computer's web page" if edit else "this computer") if local
            else (textrules.escaped(author)[:60] or "someone else")}


# -- who made a version, in words (QA 28, F6): a confirm's 409, a register's "replaces", an edit's 409 -------------
def _versions_by_number() -> dict[int, dict]:
    """Every version's row (to_dict) by number; {} when the store cannot be read (the message is still made)."""
    try:
        return {v.version: v.to_dict() for v in _store().versions()}
    except Exception:
        return {}


def _since_words(known: dict[int, dict], base: int, now: int) -> tuple:
    """The versions made after ``base`` up to ``now`` (``known``: _versions_by_number), in words: (all of them, the
    last five shown, their words in English and Chinese, how many earlier ones are not shown, in English and
    Chinese). A confirm's and a rollback's 409 say them alike."""
    since = [known[v] for v in sorted(known) if base < v <= now]
    shown = since[-5:]
    more_en = f"{len(since) - len(shown)} earlier change(s) and " if len(since) > len(shown) else ""
    more_zh = f"（另有 {len(since) - len(shown)} 项更早的修改）" if len(since) > len(shown) else ""
    by_en = "; ".join(_version_words(r, "en") for r in shown)
    by_zh = "；".join(_version_words(r, "zh") for r in shown)
    return since, shown, by_en, by_zh, more_en, more_zh


def _account_words(author: str, lang: str) -> str:
    """The account as typed (never sentence-cased); 本机 / this computer on a desk server (no accounts)."""
    if author == ANONYMOUS_AUTHOR:
        return t("ds_author_here", lang)
    return textrules.escaped(author or "")[:60] or pick("他人", "someone else", lang)


def _time_words(r: dict) -> str:
    """When a version was made: "21:10" today, "2026-12-05 21:10" before."""
    when = str(r.get("created_iso") or "")[:16].replace("T", " ")
    return when[11:] if when[:10] == time.strftime("%Y-%m-%d") else when


def _zh_by(who: str) -> str:
    """"wang 于", "本机于": a space after a Latin name only."""
    return f"{who} 于" if who and who[-1].isascii() else f"{who}于"


def _version_words(r: dict, lang: str) -> str:
    """What version ``r`` did, who and when: "wang 于 21:10 导入 f_welfare_city.csv（数据版本 v5）"."""
    who, when, v, kind = _account_words(r.get("author") or "", lang), _time_words(r), r["version"], r.get("kind")
    file = textrules.escaped(str(r.get("source_name") or ""))[:80]
    if kind == "rollback":
        zh, en = f"回退到 v{r.get('target')}", f"rolled back to v{r.get('target')}"
    elif kind == "import" and file:
        zh, en = f"导入 {file}", f"imported {file}"
    elif kind == "edit":
        zh, en = "在地图上编辑了数据", "edited the data on the map"
    else:
        zh, en = "更新了数据", "updated the data"
    if lang == "en":
        return f"{who} {en} at {when} (data version v{v})"
    return f"{_zh_by(who)} {when} {zh}（数据版本 v{v}）"


def _version_detail(r: dict) -> dict:
    return {"version": r["version"], "author": r.get("author") or "", "at": str(r.get("created_iso") or "")[:16],
            "kind": r.get("kind"), "file": r.get("source_name") if r.get("kind") == "import" else None}


def _imported_rows(now, type_key: str, region, versions: dict[int, dict]) -> list[dict]:
    """The planner's own rows among ``now`` (the facilities a register would replace), grouped by the data
    version each came in (its ``source_version``, else the version that stored the type's layer): who made it,
    when, from which file, how many rows. The sample's rows (示意) are not listed."""
    if not len(now):
        return []
    src = ((region.provenance.get("layers", {}).get("facilities") or {}).get("by_type") or {}).get(type_key) or {}
    stored = src.get("dataset_version")
    if not stored:
        return []
    # a sample facility edited on the map stays sample data (said as such by register_scope.synthetic_words)
    own = (~now["synthetic"].fillna(False).astype(bool)) if "synthetic" in now else pd.Series(True, now.index)
    row_v = (pd.to_numeric(now["source_version"], errors="coerce") if "source_version" in now
             else pd.Series(np.nan, now.index))
    counts: dict[int, int] = {}
    for o, v in zip(own.to_numpy(), row_v.to_numpy()):
        if o:
            key = int(v) if v == v else int(stored)
            counts[key] = counts.get(key, 0) + 1
    out = []
    for v in sorted(counts):
        r = versions.get(v) or {"version": v, "kind": None}
        out.append({**_version_detail(r), "rows": counts[v]})
    return out


def _imported_text(items: list[dict], versions: dict[int, dict], lang: str) -> str:
    """"13 处来自 li 于 21:08 导入的 f_welfare_zs.csv（数据版本 v2）…": whose rows confirming replaces."""
    if not items:
        return ""

    def said(i: dict) -> str:
        r = versions.get(i["version"]) or {"version": i["version"]}
        who, when, v, n = _account_words(r.get("author") or "", lang), _time_words(r), i["version"], i["rows"]
        file = textrules.escaped(str(r.get("source_name") or ""))[:80]
        if lang == "en":
            if r.get("kind") == "import" and file:
                return f"{n:,} from {file}, imported by {who} at {when} (data version v{v})"
            if r.get("kind") == "edit":
                return f"{n:,} edited on the map by {who} at {when} (data version v{v})"
            return f"{n:,} from data version v{v} ({who}, {when})"
        if r.get("kind") == "import" and file:
            return f"{n:,} 处来自{_zh_by(' ' + who if who[:1].isascii() else who)} {when} 导入的 {file}（数据版本 v{v}）"
        if r.get("kind") == "edit":
            return f"{n:,} 处为{_zh_by(' ' + who if who[:1].isascii() else who)} {when} 在地图上编辑的（数据版本 v{v}）"
        return f"{n:,} 处来自数据版本 v{v}（{who}，{when}）"

    parts = [said(i) for i in items[:6]]
    if lang == "en":
        return (f"Among those replaced are planners' own facilities, not sample data: {'; '.join(parts)}"
                f"{'; ...' if len(items) > 6 else ''}. Confirming replaces them with this file's rows (check with "
                "their author first if this file is older than their import).")
    return (f"被替换的设施中有规划人员导入或编辑的数据（非示意数据）：{'；'.join(parts)}{'等' if len(items) > 6 else ''}。"
            "确认后将以本文件的数据替换它们（如本文件早于其导入，请先与导入人核对）。")


def _fields_param(fields) -> dict:
    """The ``fields`` object of an update (or an add): some of :data:`EDIT_FIELDS`, else a 400."""
    if not isinstance(fields, dict) or not fields:
        raise bad_param("fields", fields, "an object with some of " + fields_text(EDIT_FIELDS, "en"),
                        "含以下字段的对象：" + fields_text(EDIT_FIELDS, "zh"))
    unknown = [k for k in fields if k not in EDIT_FIELDS]
    if unknown:  # name the field that is wrong, and the ones that can be edited, in words
        shown = ", ".join(f"“{textrules.escaped(str(k))[:40]}”" for k in unknown[:5])
        shown_zh = "、".join(f"“{textrules.escaped(str(k))[:40]}”" for k in unknown[:5])
        more_en, more_zh = (f" and {len(unknown) - 5} more", f" 等 {len(unknown)} 个") if len(unknown) > 5 else ("", "")
        raise InputDataError(
            f"Unknown field{'s' if len(unknown) > 1 else ''} {shown}{more_en} in fields; editable: "
            f"{', '.join(EDIT_FIELDS)}.",
            f"fields 中有未知字段{shown_zh}{more_zh}；可修改："
            + "、".join(f"{t('field_' + k, 'zh')}（{k}）" for k in EDIT_FIELDS) + "。",
            hint_en="Send only the attributes above; the name is changed with action rename, the place with move.",
            hint_zh="只发送上述属性；名称用 rename 修改，位置用 move 修改。",
            details={"parameter": "fields", "unknown": unknown, "editable": list(EDIT_FIELDS)})
    return fields


def _apply_fields(layer, rows, ft, fields: dict):
    """``layer`` with ``fields`` (checked here: text, or a capacity) set on ``rows``."""
    import pandas as pd

    for key, value in fields.items():
        if key == "capacity":  # the type's own capacity column (beds, day places ...): a count, or unknown
            column, count = _capacity_edit(ft, value)
            if column not in layer:
                layer[column] = np.nan
            layer[column] = pd.to_numeric(layer[column], errors="coerce")
            layer.loc[rows, column] = count
            if column == "plots" and "niches" in layer:  # the plots count a cemetery's niches already
                layer.loc[rows, "niches"] = np.nan
            continue
        text = edit_text(value, f"fields.{key}", label="field_" + key, multiline=key == "remark")
        if key not in layer:
            layer[key] = None
        layer.loc[rows, key] = text or None
    return layer


def _commit_edit(layer, ft, action: str, fid, what: dict, note: str, row: dict | None, audit_name: str = ""):
    """Commit an edited facility layer as a new version and answer it."""
    import geopandas as gpd

    from geo import settings as geo_settings

    ids = layer["id"].astype(str)
    if action in ("move", "rename", "update"):
        # changed in the version this edit makes, and on the map: an imported row no longer
        # reads as its file's, a sample row no longer as wholly synthetic (web/service.py words both)
        layer.loc[ids == fid, "source_version"] = np.nan
        if "edited_on_map" not in layer:
            layer["edited_on_map"] = False
        layer["edited_on_map"] = layers.edited_flags(layer["edited_on_map"])
        layer.loc[ids == fid, "edited_on_map"] = True
    gdf = gpd.GeoDataFrame(layer.reset_index(drop=True), geometry="geometry", crs=geo_settings.STORAGE_CRS)
    full_note = f"{what['zh']} / {what['en']}" + (f"：{note}" if note else "")
    version = _store().commit_layer(f"facilities:{ft.key}", gdf, author=_author(), note=full_note, kind="edit",
                                    base=_svc().version())
    auth.audit("edit", row["id"] if action == "add" else fid, action=action, type=ft.key, version=version,
               **({"name": audit_name} if audit_name else {}))
    return jsonify({"version": version, "action": action, "type": ft.key, "facilities": int(len(gdf))})


#: A capacity typed in the popup: a count with its unit word, as a register's cell may have it ("80张", "80 床位").
_CAPACITY_UNIT = re.compile(r"^(?P<n>.*[0-9０-９])[ 　]?(?:张床位|个床位|张床|床位|张|个|位|穴|格|床|人|处|份|日托位|助餐位|餐位"
                            r"|beds?|places?|plots?|niches?|seats?)$", re.IGNORECASE)


def _capacity_edit(ft, value) -> tuple[str, float]:
    """(column, count) of a capacity typed in the popup: a whole number up to the type's largest
    facility, with or without its unit word ("80张", full-width digits, as the importer reads a cell),
    or blank / null for unknown (NaN). A value that is no count is said in the popup's words, the value
    as typed (QA 27: "参数 fields.capacity="80张" 无效：应为整数。")."""
    from planner.register import CAPACITY_MAX

    if ft.capacity is None:  # sent, even as null: said as sent (a None here reads "missing", which it is not)
        raise bad_param("fields.capacity", "null" if value is None else value, f"no capacity: {ft.name_en} counts none",
                        f"无（{ft.name_zh}不计容量）")
    field = ft.capacity.field
    if value is None or (isinstance(value, str) and not value.strip()):
        return field, np.nan
    noun_zh, noun_en = t(f"capw_noun_{field}", "zh"), t(f"capw_noun_{field}", "en").lower()
    top = ft.capacity.max_per_site or CAPACITY_MAX.get(field, 100000)
    # as typed, quoted (text) or as JSON (true, a list), hidden and reversing characters escaped either way
    # (a no-break or thin space as \u00a0: "5 " looked right and the planner could not see what was wrong, QA 22)
    cut = (value[:40] + "…" if len(value) > 40 else value) if isinstance(value, str) else value
    shown_en = f'"{typed_number(textrules.escaped(cut))}"' if isinstance(value, str) else shown_value(value)
    shown_zh = f"“{typed_number(textrules.escaped(cut))}”" if isinstance(value, str) else shown_value(value)

    def refused(why_en: str, why_zh: str) -> InputDataError:
        return InputDataError(
            f"Capacity {shown_en} {why_en}: type the number of {noun_en} as a whole number (e.g. 80), or leave it "
            "blank when unknown.",
            f"容量{shown_zh}{why_zh}。容量请填整数（{noun_zh}数，如 80），或留空表示未知。",
            details={"parameter": "fields.capacity", "value": value if isinstance(value, (str, int, float)) else None,
                     "max": top})
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise refused("is not a number", "不是数字")
    text = value
    if isinstance(text, str):
        m = _CAPACITY_UNIT.match(text.strip(" 　"))  # the unit word as a register's cell may have it
        plain = number_text(m.group("n") if m else text)  # digits as web.params reads them (full width too)
        if plain is None:
            raise refused("is not a count", "不是个数")
        text = float(plain)
    # a JSON integer beyond 64 bits stays a Python int (np.isfinite raised on it: a 500, QA 29) and 2**64-1 read
    # as a float is not itself: ints are compared as they are, and an infinite float ("1e999") is too large
    if isinstance(text, float) and np.isnan(text):
        raise refused("is not a number", "不是数字")
    if isinstance(text, float) and np.isfinite(text) and text != int(text):
        raise refused("is not a whole number", "不是整数")
    if text < 0:
        raise refused("is negative", "为负数")
    if text > top:
        raise refused(f"is more than one {ft.name_en_in_sentence()} holds ({top:,.0f} at most; a wrong unit?)",
                      f"超过一处{ft.name_zh}的合理上限（至多 {top:,.0f}；单位是否有误？）")
    return field, float(int(text))


#: Longest facility or site name an edit takes: refused beyond it, never cut (as proposal names).
MAX_EDIT_NAME = 80
# The longest note, address, operator, phone or remark an edit takes (web/API.md) is geo.datasets.MAX_EDIT_TEXT:
# refused beyond it, never cut; `coverplan data --note` says the same limit.


def _refuse_controls(text: str, name: str, label: str | None, multiline: bool) -> None:
    """A 400 naming the field and the first control character in ``text`` (by its code and place)."""
    # the characters planner.textrules refuses: invisible or misleading in a popup, an export or the version
    # list (a name that shows as nothing, or reversed), or not storable at all (a lone surrogate)
    i = textrules.first_refused(text, multiline=multiline)
    if i is None:
        return
    code, at = f"U+{ord(text[i]):04X}", i + 1
    where_en = "" if multiline else "; line breaks and tabs only in a remark or a note"
    where_zh = "" if multiline else "；换行符和制表符仅可用于备注"
    shown = textrules.escaped(text, multiline=multiline)   # never echo the invisible characters themselves
    raise bad_param(name, shown, f"text without control characters (character {at} is {code}{where_en})",
                    f"不含控制字符的文本（第 {at} 个字符为 {code}{where_zh}）", label=label)


def edit_text(value, name: str, *, label: str | None = None, multiline: bool = False) -> str:
    """A note or a facility's address, operator, phone or remark as an edit sends it: text, stripped,
    at most MAX_EDIT_TEXT characters, no control characters; else a 400. A number is refused as PATCH
    /api/proposals refuses one: the page sends text, and 5 stored as "5" would hide a client's mistake."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_param(name, value, "text", "文本", label=label)
    text = value.strip()
    _refuse_controls(text, name, label, multiline)
    if len(text) > MAX_EDIT_TEXT:
        raise bad_param(name, text[:20] + "…", f"at most {MAX_EDIT_TEXT} characters (this one has {len(text)})",
                        f"不超过 {MAX_EDIT_TEXT} 个字符（现为 {len(text)} 个）", label=label)
    return text


def _edit_name(name, label: str = "edit_name_facility") -> str:
    """The name of an added or renamed facility (or candidate site: ``label``), stripped; else a 400."""
    if not isinstance(name, str) or not name.strip():
        raise bad_param("name", name, "a non-empty name", "非空名称", label=label)
    name = name.strip()
    _refuse_controls(name, "name", label, multiline=False)
    if len(name) > MAX_EDIT_NAME:
        raise bad_param("name", name[:20] + "…", f"a name of at most {MAX_EDIT_NAME} characters (this one has {len(name)})",
                        f"不超过 {MAX_EDIT_NAME} 个字符的名称（现为 {len(name)} 个）", label=label)
    return name


def _id_param(value, name: str, expected_en: str, expected_zh: str) -> None:
    """A 400 naming ``name`` when an edit's id is missing, null, empty or not text (a number, a list):
    no id was given, so "not found" (404) would mislead."""
    if not isinstance(value, str) or not value.strip():
        raise bad_param(name, value, expected_en, expected_zh)


def _mark(ft, body: dict, note: str):
    """Mark a candidate site required or forbidden for proposals (``mark`` = "" clears it);
    ``all_types: true`` makes the mark hold for every facility type."""
    from geo.datasets import MARKS
    from planner.marks import changed_marks

    cid, mark = body.get("candidate_id"), body.get("mark") or ""
    if not isinstance(mark, str):
        raise bad_param("mark", mark, "required, forbidden or empty (clear)", "required（必选）、forbidden（禁选）或空（取消）")
    all_types = body.get("all_types", False)
    if not isinstance(all_types, bool):
        raise bad_param("all_types", all_types, "true or false", "true 或 false")
    _id_param(cid, "candidate_id", "a candidate site id (text, e.g. from the map's candidate layer)",
              "候选点编号（文本，可在地图的候选点图层中查看）")
    auth.require_candidate_county(_svc().region, ft, cid)
    table, _, text = changed_marks(_svc().region, ft, cid, mark, all_types=all_types, note=note)
    full_note = f"{text['zh']} / {text['en']}" + (f"：{note}" if note else "")
    version = _store().commit_layer(MARKS, table, author=_author(), note=full_note, kind="edit",
                                    base=_svc().version())
    auth.audit("edit", cid, action="mark", mark=mark, type=ft.key, version=version)
    return jsonify({"version": version, "action": "mark", "type": ft.key, "candidate_id": cid, "mark": mark,
                    "scope": "all" if all_types else "type"})


def _site(ft, body: dict, action: str, note: str):
    """Add, move or remove a candidate site of the planner's own (e.g. land the bureau holds);
    ``all_types: true`` offers a new site to every facility type."""
    from geo.datasets import SITES
    from planner.marks import changed_sites

    sid, name, lon, lat = body.get("id"), body.get("name"), None, None
    all_types = body.get("all_types", False)
    if not isinstance(all_types, bool):
        raise bad_param("all_types", all_types, "true or false", "true 或 false")
    if action in ("add", "move"):
        lon = number(body.get("lon"), "lon", minimum=-180, maximum=180)
        lat = number(body.get("lat"), "lat", minimum=-90, maximum=90)
        if lon is None or lat is None:
            raise _lonlat_error(body)
    if action == "add":
        name = _edit_name(name, "edit_name_site")
    else:
        _id_param(sid, "id", "a candidate site id (text)", "候选点编号（文本）")
    region = _svc().region
    if action != "add":
        # a site offered to one type is moved or removed under that type (or any, for a site of every type)
        own = region.planner_sites
        row = own[own["id"] == sid] if own is not None and len(own) and "id" in own else None
        offered = str(row["facility_type"].iloc[0]) if row is not None and len(row) else None
        if offered not in (None, "*", ft.key):
            raise bad_param("type", ft.key, f"the type the site {sid} is offered to ({offered})",
                            f"该候选点所属的设施类型（{offered}）", label="facility_type")
        # the county its point lies in, whatever the type: among one type's candidates a site outside that
        # type's counties was not found and went unchecked (QA 36)
        auth.require_site_county(region, sid)
    if action in ("add", "move"):
        town = township_at(region, lon, lat)
        auth.require_county(region.townships.loc[town, "county_code"], "the new place", "新位置")
    sites, sid, text = changed_sites(region, action, site_id=sid, name=name or "", lon=lon, lat=lat,
                                     type_key="*" if all_types else ft.key, note=note, number=_next_number())
    full_note = f"{text['zh']} / {text['en']}" + (f"：{note}" if note else "")
    version = _store().commit_layer(SITES, sites, author=_author(), note=full_note, kind="edit",
                                    base=_svc().version())
    auth.audit("edit", sid, action=f"{action}_site", type=ft.key, version=version)
    return jsonify({"version": version, "action": f"{action}_site", "type": ft.key, "id": sid})

