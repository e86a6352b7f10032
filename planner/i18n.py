"""Chinese-first UI strings with English translations, and the language choice.

Planners read Chinese; English is a switch (``?lang=en``, remembered in a
cookie). Every label, legend entry, table header and message goes through
:func:`t` so that a missing translation shows up as the key, not silently as
the other language.

It lives below the faces because both use it: the web pages and the offline
maps that ``coverplan map`` writes (planner/mapexport.py) speak the same words.
Each feature adds its strings in its own ``_STRINGS.update({...})`` block.
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
    "estimate_note_m": ("距离为直线距离×绕行系数估算（未用路网）",
                        "Distances estimated from straight-line distance × detour factor (no road network)"),
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
    "chart_standard_urban": ("城镇服务标准", "Urban standard"),
    "chart_standard_rural": ("农村服务标准", "Rural standard"),
    "unreachable_weight": ("不可达的需求权重", "Unreachable demand weight"),
    "download_chart": ("下载图表", "Download chart"),
    "units_covered_pct": ("已覆盖单元占比（%）", "Share of units covered (%)"),
    # (browser charts) end
})

# -- strings: print and briefing --
_STRINGS.update({
    "brief": ("简报", "Brief"),
    "brief_title": ("方案简报", "Proposal brief"),
    "brief_offline_map": ("导出离线地图", "Offline map"),
    "brief_print": ("打印", "Print"),
    "brief_print_hint": ("打印为 A4 纵向一页", "Prints on one A4 page, portrait"),
    "brief_generated": ("生成日期", "Generated"),
    "brief_saved": ("保存日期", "Saved"),
    "brief_params": ("方案参数", "Parameters"),
    "brief_urban": ("城镇", "urban"),
    "brief_rural": ("农村", "rural"),
    "brief_standard_urban": ("城镇服务标准", "Urban standard"),
    "brief_standard_rural": ("农村服务标准", "Rural standard"),
    "brief_is_estimate": ("出行成本为估算值", "Travel costs estimated"),
    "brief_key_numbers": ("主要指标（方案前后）", "Key numbers, before and after"),
    "brief_facilities": ("设施数量", "Facilities"),
    "brief_new_sites": ("新增站点", "New sites"),
    "brief_map": ("方案地图（方案后覆盖率）", "Map: coverage after the proposal"),
    "brief_sites": ("建议新址（共 {total} 处）", "Proposed sites ({total})"),
    "brief_sites_first": ("建议新址（前 {n} 处，共 {total} 处）", "Proposed sites (first {n} of {total})"),
    "brief_and_more": ("……另有 {n} 处，详见完整方案", "… and {n} more: see the full proposal"),
    "brief_no_sites": ("本方案未新增站点", "This proposal adds no sites"),
    "brief_targets_none": ("该设施类型无规划目标", "No plan targets for this facility type"),
    "brief_caveat": ("示意：本简报所用乡镇边界、村庄位置、人口分布与设施名录为近似或合成数据，"
                     "仅供讨论与方法检验，不作为最终决策依据；决策前请导入本单位权威数据。",
                     "示意 (illustrative): township boundaries, village locations, population split and the "
                     "facility register behind this brief are approximate or synthetic; for discussion only, "
                     "not a basis for decisions until your authoritative data are imported."),
    "brief_caveat_estimate": ("出行成本为直线距离×绕行系数的估算，非实际路网时间。",
                              "Travel costs are straight-line × detour-factor estimates, not road times."),
    # (print and briefing) end
})

# -- strings: facilities and plan package --
_STRINGS.update({
    "nav_facilities": ("设施名录", "Facilities"),
    "nav_plan": ("规划组合", "Plan package"),
    # existing-facility register page and its exports
    "fac_title": ("现有设施名录", "Existing facility register"),
    "fac_search": ("按名称或编号搜索", "Search name or ID"),
    "fac_id": ("编号", "ID"),
    "fac_township_code": ("乡镇代码", "Township code"),
    "fac_flag": ("示意", "Illustrative"),
    "fac_rows": ("显示 {n} 条，名录共 {total} 条", "{n} shown of {total} in the register"),
    "fac_by_type": ("按类型统计（当前筛选）", "By type (current filters)"),
    "fac_synthetic_note": ("本名录为合成的示例数据（示意），并非真实设施；请导入本单位设施名录后再作决策。",
                           "This register is a synthetic sample (示意, illustrative), not real facilities; "
                           "import your own register before deciding."),
    "fac_source_sample": ("coverplan 合成示例名录（示意）", "coverplan sample register (illustrative)"),
    "fac_export_synthetic": ("示意数据（合成示例，非真实设施）", "ILLUSTRATIVE DATA (synthetic sample, not real facilities)"),
    "fac_export_filters": ("筛选", "Filters"),
    "fac_export_date": ("导出日期", "Exported"),
    "fac_export_rows": ("共 {n} 条", "rows: {n}"),
    "fac_name_contains": ("名称或编号含“{q}”", 'name or ID contains "{q}"'),
    "fac_map_link": ("覆盖地图", "Coverage map"),
    # plan package page
    "plan_title": ("规划组合", "Plan package"),
    "plan_intro": ("勾选多个已保存的方案，查看它们同时实施后全部规划目标的完成情况。",
                   "Tick several saved proposals to see every plan target once all of them are built."),
    "plan_pick": ("选择方案", "Pick proposals"),
    "plan_same_type": ("同一设施类型的多个方案合并计算，相同点位只计一次。",
                       "Proposals of one facility type are combined; a site they share counts once."),
    "plan_none_picked": ("尚未选择方案：“组合后”一列与现状相同。",
                         "No proposal picked: the “after” column equals the current state."),
    "plan_no_proposals": ("尚无保存的方案，请先在“选址方案”页生成。",
                          "No saved proposals yet: create some on the Site proposals page."),
    "plan_summary": ("组合实施后 {n} / {m} 项目标达标（现状 {k} / {m} 项）",
                     "{n} of {m} targets met after the package (now {k} of {m})"),
    "plan_after": ("组合后", "After the package"),
    "plan_unchanged": ("不变", "unchanged"),
    "plan_missing": ("以下方案不存在（可能已删除），已忽略：", "These proposals no longer exist and are ignored:"),
    "plan_picked": ("已选 {n} 个方案", "Proposals picked: {n}"),
    "plan_clear": ("清除选择", "Clear"),
    "plan_sites_added": ("新增 {n} 处", "+{n} sites"),
    "plan_combined": ("{n} 个方案合并", "{n} proposals combined"),
    # (facilities and plan package) end
})

# -- strings: maps and proposals --
_STRINGS.update({
    "percentage_points": ("个百分点", "pt"),
    "sites_unit": ("处", "sites"),
    "units_unit": ("个单元", "units"),
    "compare_same_type": ("只能比较同一设施类型的方案", "Only proposals of the same facility type can be compared"),
    "standard_urban": ("城镇服务标准", "Urban standard"),
    "standard_rural": ("农村服务标准", "Rural standard"),
    "network_unavailable": ("本服务未加载路网，仅可用估算方式（启动时用 --network 指定路网后可选路网方式）。",
                            "No road network is loaded on this server: estimate only (start it with --network "
                            "to offer network mode)."),
    "note": ("备注", "Note"),
    "retry": ("重新提交", "Retry"),
    "jobs_ahead": ("前面还有 {n} 个", "{n} ahead"),
    "job_interrupted": ("已中断", "interrupted"),
    "job_lost": ("服务器已重启，该计算已中断。可点击“重新提交”以相同参数再算一次。",
                 "The server restarted and this calculation was lost. Click Retry to run it again with the same "
                 "parameters."),
    "server_unreachable": ("暂时无法连接服务器，正在重试…", "Cannot reach the server; retrying…"),
    "damaged": ("记录已损坏", "damaged record"),
    "no_match": ("没有符合筛选条件的方案", "No proposal matches the filters"),
    "weight_aged_60": ("60岁以上人口", "people aged 60+"),
    "weight_aged_65": ("65岁以上人口", "people aged 65+"),
    "weight_aged_80": ("80岁以上人口", "people aged 80+"),
    "weight_population": ("常住人口", "population"),
    "legend_share_units": ("乡镇覆盖率（按单元数）", "Township coverage (share of units)"),
    "beyond_by": ("超出标准", "beyond the standard by"),
    "clustered": ("已聚合", "clustered"),
    "cluster_legend": ("聚合的拟建点数（放大查看）", "clustered proposed sites (zoom in)"),
    "search_place": ("搜索乡镇、村（社区）", "Find a township or village"),
    "whole_city": ("全市", "Whole city"),
    "name_and_note": ("名称与备注", "Name and note"),
    "save": ("保存", "Save"),
    "saved": ("已保存", "Saved"),
    "rationale_click": ("（点击一行在地图上查看）", "(click a row to see it on the map)"),
    "why_here": ("选址理由", "Why here"),
    "solver_optimal": ("已证明最优", "proven optimal"),
    "solver_feasible": ("可行解，未证明最优", "feasible, not proven optimal"),
    "solver_time_limit": ("达到时间上限", "time limit reached"),
    "solver_infeasible": ("无可行解", "infeasible"),
    "exported_on": ("导出时间", "exported"),
    "saved_on": ("保存于", "saved"),
    "export_illustrative": ("示意：内置数据（乡镇边界、村庄位置、设施名录）为近似或合成，仅供方法检验",
                            "illustrative (示意): the embedded boundaries, village points and register are "
                            "approximated or synthetic"),
    "rows": ("行数", "rows"),
    "n_sites_lscp": ("全覆盖模型自行确定所需站点数", "set covering finds the number of sites itself"),
    "n_sites_auto_lscp": ("填写数量则按最大覆盖求解；留空则求全覆盖所需的最少站点",
                          "with a number: maximal covering; empty: fewest sites for full coverage"),
    "n_sites_hint_p": ("留空则用默认 {p} 处", "empty: the default of {p}"),
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
