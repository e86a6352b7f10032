"""Chinese-first UI strings with English translations, and the language choice.

Planners read Chinese; English is a switch (``?lang=en``, remembered in a
cookie). Every label, legend entry, table header and message goes through
:func:`t` so that a missing translation shows up as the key, not silently as
the other language.
"""
from __future__ import annotations

LANGS = ("zh", "en")
COOKIE = "coverplan_lang"

#: key -> (zh, en)
_STRINGS: dict[str, tuple[str, str]] = {
    # chrome
    "app_title": ("十堰市民政设施覆盖规划", "Shiyan civil-affairs facility coverage planner"),
    "app_short": ("覆盖规划", "Coverplan"),
    "bureau": ("十堰市民政局", "Shiyan Civil Affairs Bureau"),
    "nav_overview": ("总览", "Overview"),
    "nav_maps": ("覆盖地图", "Coverage maps"),
    "nav_townships": ("乡镇清单", "Township checklist"),
    "nav_proposals": ("选址方案", "Site proposals"),
    "nav_api": ("接口文档", "API"),
    "export_map": ("导出离线地图", "Download offline map"),
    "switch_lang": ("English", "中文"),
    "footer_note": ("本系统内置数据中，乡镇边界、村庄位置与设施名录均为示意（近似或合成），"
                    "仅用于演示与方法检验，请导入本单位权威数据后再作决策。",
                    "In the embedded data, township boundaries, village locations and the facility "
                    "register are illustrative (approximated or synthetic, 示意); import your "
                    "authoritative data before deciding."),
    "loading": ("加载中…", "Loading…"),
    "load_failed": ("数据加载失败", "Failed to load data"),
    "none": ("无", "none"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "back": ("返回", "Back"),
    # overview
    "overview_title": ("总览", "Overview"),
    "region_map": ("区域图：县区与乡镇（街道）", "Region map: counties and townships"),
    "provenance": ("数据来源与质量", "Data sources and quality"),
    "layer": ("图层", "Layer"),
    "count": ("数量", "Count"),
    "quality": ("质量", "Quality"),
    "source": ("来源", "Source"),
    "counties": ("县区", "Counties"),
    "townships": ("乡镇（街道）", "Townships"),
    "villages": ("村（社区）", "Villages / communities"),
    "facilities": ("设施", "Facilities"),
    "population": ("人口", "Population"),
    "targets": ("规划目标与进度", "Plan targets and progress"),
    "target": ("目标", "Target"),
    "progress": ("进度", "Progress"),
    "current": ("现状", "Current"),
    "seed_ref": ("工作要点条目", "Plan section"),
    "citywide_coverage": ("全市覆盖情况（按设施类型）", "Citywide coverage by facility type"),
    "facility_type": ("设施类型", "Facility type"),
    "standard": ("服务标准", "Service standard"),
    "covered_share": ("覆盖率", "Covered share"),
    "covered_units": ("已覆盖单元", "Covered units"),
    "units": ("单元数", "Units"),
    "open_map": ("查看地图", "Open map"),
    "planner_missing": ("规划计算模块尚未安装，暂只显示区域图。",
                        "The planning module is not available yet; only the region map is shown."),
    "coverage_by_county": ("各县区覆盖率", "Coverage by county"),
    # map
    "map_title": ("覆盖地图", "Coverage map"),
    "legend": ("图例", "Legend"),
    "legend_share": ("乡镇覆盖率（按需求权重）", "Township covered share (weighted)"),
    "covered_share_weighted": ("覆盖率（按需求权重）", "Covered share (weighted)"),
    "covered_share_units": ("覆盖率（按单元）", "Covered share (units)"),
    "existing_facilities": ("现有设施", "Existing facilities"),
    "service_areas": ("服务范围", "Service areas"),
    "uncovered_villages": ("未覆盖村（社区）", "Uncovered villages"),
    "covered_villages": ("已覆盖村（社区）", "Covered villages"),
    "uncovered_points": ("未覆盖需求点", "Uncovered demand points"),
    "covered_points": ("已覆盖需求点", "Covered demand points"),
    "county_boundaries": ("县区界", "County boundaries"),
    "township_polygons": ("乡镇（街道）范围", "Township areas"),
    "proposed_sites": ("建议新址", "Proposed sites"),
    "illustrative": ("示意", "illustrative"),
    "approx_layers": ("示意：乡镇边界为近似，村庄位置与设施名录为合成数据",
                      "示意 illustrative: township boundaries approximated, villages and facilities synthetic"),
    "estimate_note": ("出行时间为直线距离×绕行系数估算", "Travel times estimated from straight-line distance × detour factor"),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "county": ("县区", "County"),
    "township": ("乡镇（街道）", "Township"),
    "aged_60": ("60岁以上人口", "Population 60+"),
    "nearest_facility": ("最近设施", "Nearest facility"),
    "cost": ("出行成本", "Travel cost"),
    "minutes": ("分钟", "min"),
    "metres": ("米", "m"),
    "km": ("公里", "km"),
    "covered": ("已覆盖", "covered"),
    "uncovered": ("未覆盖", "not covered"),
    "weight": ("需求权重", "Demand weight"),
    "covered_weight": ("已覆盖权重", "Covered weight"),
    "no_data": ("无数据", "no data"),
    "no_demand": ("无需求单元", "no demand units"),
    "zoom_to": ("定位", "Zoom"),
    "basemap_none": ("无底图（离线）", "No basemap (offline)"),
    # checklist
    "checklist_title": ("乡镇（街道）覆盖清单", "Township coverage checklist"),
    "filter_county": ("县区", "County"),
    "filter_type": ("设施类型", "Facility type"),
    "filter_status": ("状态", "Status"),
    "all": ("全部", "all"),
    "status": ("状态", "Status"),
    "status_met": ("达标", "met"),
    "status_not_met": ("未达标", "not met"),
    "reason": ("说明", "Reason"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export XLSX"),
    "rows_shown": ("显示 {n} / {total} 行", "{n} of {total} rows"),
    "on_map": ("地图", "Map"),
    "sort_hint": ("点击表头排序", "Click a header to sort"),
    # proposals
    "proposals_title": ("选址方案", "Site proposals"),
    "new_proposal": ("生成新方案", "New proposal"),
    "model": ("模型", "Model"),
    "model_auto": ("自动（按设施规则）", "auto (from the type's rule)"),
    "model_mclp": ("最大覆盖（MCLP）", "maximal covering (MCLP)"),
    "model_lscp": ("全覆盖最少站点（LSCP）", "set covering (LSCP)"),
    "model_pmedian": ("总出行最短（p-中位）", "p-median"),
    "model_pcenter": ("最远距离最短（p-中心）", "p-center"),
    "n_sites": ("新增站点数", "Number of new sites"),
    "n_sites_hint": ("全覆盖模型可留空", "leave empty for set covering"),
    "standard_min": ("服务标准（分钟）", "Service standard (minutes)"),
    "standard_hint": ("留空则用设施类型的默认标准", "empty: the type's default"),
    "travel_mode": ("出行方式", "Travel mode"),
    "mode_estimate": ("估算（直线×绕行系数）", "estimate (straight line × detour)"),
    "mode_network": ("路网", "road network"),
    "proposal_name": ("方案名称", "Proposal name"),
    "submit": ("开始计算", "Run"),
    "cancel": ("取消", "Cancel"),
    "job_queued": ("排队中", "queued"),
    "job_running": ("计算中", "running"),
    "job_done": ("已完成", "done"),
    "job_failed": ("失败", "failed"),
    "job_cancelled": ("已取消", "cancelled"),
    "saved_proposals": ("已保存方案", "Saved proposals"),
    "created": ("创建时间", "Created"),
    "open": ("打开", "Open"),
    "delete": ("删除", "Delete"),
    "compare": ("对比所选", "Compare selected"),
    "compare_title": ("方案对比", "Compare proposals"),
    "compare_pick": ("请勾选两个方案进行对比", "Tick two proposals to compare"),
    "no_proposals": ("尚无保存的方案", "No saved proposals yet"),
    "proposal": ("方案", "Proposal"),
    "before": ("方案前", "Before"),
    "after": ("方案后", "After"),
    "change": ("变化", "Change"),
    "priority": ("优先序", "Priority"),
    "added_weight": ("新增覆盖权重", "Added covered weight"),
    "added_units": ("新增覆盖单元", "Added covered units"),
    "farthest_cost": ("最远服务对象成本", "Farthest served cost"),
    "nearest_existing": ("最近现有设施", "Nearest existing facility"),
    "rationale": ("选址理由", "Rationale"),
    "downloads": ("下载", "Downloads"),
    "cost_distribution": ("出行成本分布（方案前后）", "Travel cost distribution, before and after"),
    "metric": ("指标", "Metric"),
    "equity": ("公平性", "Equity"),
    "delete_confirm": ("确定删除该方案？", "Delete this proposal?"),
    "lon": ("经度", "Longitude"),
    "by_units": ("按单元", "units"),
    "by_weight": ("按需求权重", "weighted"),
    "lat": ("纬度", "Latitude"),
    "summary": ("摘要", "Summary"),
    "mean_cost": ("平均出行成本", "Mean travel cost"),
    "p90_cost": ("90%分位出行成本", "90th percentile travel cost"),
    "worst_served": ("服务最差的单元", "Worst-served units"),
    "assumptions": ("假设说明", "Assumptions"),
    "demand_units": ("需求单元", "Demand units"),
    "status_na": ("不适用", "n/a"),
    "townships_not_met": ("未达标乡镇", "Townships not met"),
    "scenic_areas": ("景区", "Scenic areas"),
    "q_official": ("官方", "official"),
    "q_approximate": ("近似", "approximate"),
    "q_synthetic": ("合成", "synthetic"),
    "q_derived": ("推算", "derived"),
    "q_census": ("普查", "census"),
    # errors
    "not_found": ("页面不存在", "Page not found"),
    "error": ("错误", "Error"),
}

# -- strings: browser charts --
_STRINGS.update({
    # (browser charts) end
})

# -- strings: print and briefing --
_STRINGS.update({
    # (print and briefing) end
})

# -- strings: facilities and plan package --
_STRINGS.update({
    # (facilities and plan package) end
})

# -- strings: maps and proposals --
_STRINGS.update({
    # (maps and proposals) end
})


def normalise(lang: str | None, default: str = "zh") -> str:
    """Map 'en-US', 'EN', 'zh_CN'... to one of :data:`LANGS`; fall back to ``default``."""
    if not lang:
        return default
    head = lang.strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else default


def t(key: str, lang: str = "zh", **kwargs) -> str:
    """Translate ``key``; unknown keys come back as themselves so they are visible."""
    pair = _STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**kwargs) if kwargs else text


def catalogue(lang: str) -> dict[str, str]:
    """Every string in one language, for the browser scripts."""
    return {k: (v[1] if lang == "en" else v[0]) for k, v in _STRINGS.items()}


def pick(zh: str | None, en: str | None, lang: str) -> str:
    """Choose between two data fields (e.g. ``name_zh`` / ``name_en``)."""
    return (en or zh or "") if lang == "en" else (zh or en or "")


def cost_text(value, unit: str, lang: str = "zh") -> str:
    """A travel cost for people: minutes as is, distances in km past 1,000 m."""
    if value is None:
        return "–"
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")):
        return "不可达" if lang == "zh" else "unreachable"
    if unit == "m":
        return f"{v / 1000:.1f} {t('km', lang)}" if v >= 1000 else f"{v:.0f} {t('metres', lang)}"
    return f"{v:.0f} {t('minutes', lang)}" if v >= 10 else f"{v:.1f} {t('minutes', lang)}"
