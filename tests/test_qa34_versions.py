"""QA 34: data versions saved before QA 33 listed every facility layer a whole-register import wrote.

Since QA 33 a commit lists only the layers whose rows differ (geo.datasets ``DatasetStore._differing``). Versions
made before kept listing all seven types on the Data page; the store corrects them once when it opens
(``DatasetStore._fixups``), and a version whose files cannot be read keeps its list.
"""
from __future__ import annotations

import sqlite3

from geo.datasets import FACILITIES, DatasetStore

FIX = "changed_layers_by_rows"


def _whole_register_import(tmp_path):
    """A store whose version 1 is a whole register (every type) with one day-care centre renamed, then listed as
    an older release listed it: every type's layer."""
    db = tmp_path / "p.sqlite"
    store = DatasetStore(db)
    fac = store.layers()[FACILITIES].copy()
    i = fac.index[fac["facility_type"].astype(str) == "day_care"][0]
    fac.loc[i, "name"] = "整表改名测试日间照料中心"
    v = store.commit_layer(FACILITIES, fac, note="whole register")
    assert store.version(v).layer == "facilities:day_care"  # as a commit lists it now
    every = sorted(f"{FACILITIES}:{x}" for x in fac["facility_type"].astype(str).unique())
    assert len(every) == 7
    with sqlite3.connect(db) as con:  # as an older release wrote it
        con.execute("UPDATE dataset_versions SET layer=? WHERE version=?", (",".join(every), v))
        con.execute("DELETE FROM dataset_fixups WHERE name=?", (FIX,))
    return db, v, every


def test_an_older_whole_register_version_lists_only_the_type_that_changed(tmp_path):
    db, v, every = _whole_register_import(tmp_path)
    assert DatasetStore.reader(db).version(v).layer == ",".join(every)  # a listing corrects nothing
    assert DatasetStore(db).version(v).layer == "facilities:day_care"
    # once: a list written after the correction is left as it is
    with sqlite3.connect(db) as con:
        con.execute("UPDATE dataset_versions SET layer=? WHERE version=?", (",".join(every), v))
    assert DatasetStore(db).version(v).layer == ",".join(every)


def test_a_version_whose_files_are_gone_keeps_its_list(tmp_path):
    db, v, every = _whole_register_import(tmp_path)
    for f in (tmp_path / "datasets").rglob(f"{v}/*"):
        if f.is_file() and "day_care" in f.name:
            f.write_bytes(b"not the layer")
    assert DatasetStore(db).version(v).layer == ",".join(every)
