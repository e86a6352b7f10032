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
    # data page (issue 14)
    "nav_data": ("数据管理", "Data"),
    "data_title": ("本单位数据：导入与版本", "Your data: imports and versions"),
    "data_intro": ("上传本单位的设施名录、乡镇边界或村庄点位：先校验（不写入任何数据），查看逐行问题和地图预览，确认后生成新的数据版本；"
                   "任何版本都可对比和回退，内置示意数据为版本 0，永不丢失。",
                   "Upload your facility register, township boundaries or village points: check first (nothing is "
                   "written), read the row-by-row report and the map preview, then confirm to create a new data "
                   "version. Any version can be compared and rolled back; the embedded illustrative data are version 0 "
                   "and are never lost."),
    "data_current": ("当前版本", "current version"),
    "data_import": ("导入文件", "Import a file"),
    "data_kind": ("数据类别", "Kind of data"),
    "data_kind_facilities": ("设施名录", "facility register"),
    "data_kind_townships": ("乡镇（街道）边界", "township boundaries"),
    "data_kind_villages": ("村（社区）点位", "village points"),
    "data_kind_rollback": ("回退", "rollback"),
    "data_kind_edit": ("编辑", "edit"),
    "data_type_from_file": ("按文件中的类型列", "from the file's type column"),
    "data_coords": ("坐标系", "Coordinates"),
    "data_coords_auto": ("自动识别（给出建议，不自动转换）", "detect (suggest, do not convert)"),
    "data_coords_wgs84": ("WGS84 / CGCS2000（GPS、天地图）", "WGS84 / CGCS2000 (GPS, Tianditu)"),
    "data_coords_gcj02": ("GCJ-02（高德、腾讯）", "GCJ-02 (Amap, Tencent)"),
    "data_coords_bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
    "data_encoding": ("文字编码", "Text encoding"),
    "data_encoding_auto": ("自动识别", "detect"),
    "data_file": ("文件", "File"),
    "data_formats": ("支持 Excel（xlsx）、CSV（UTF-8/GBK）、GeoJSON、Shapefile（zip）、GeoPackage、KML/KMZ",
                     "Excel (xlsx), CSV (UTF-8/GBK), GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ"),
    "data_check": ("校验（不写入）", "Check (writes nothing)"),
    "data_checking": ("正在校验…", "Checking…"),
    "data_pick_file": ("请先选择文件", "Pick a file first"),
    "data_versions": ("数据版本", "Data versions"),
    "data_version": ("版本", "Version"),
    "data_layer": ("图层", "Layer"),
    "data_source": ("来源文件", "Source file"),
    "data_author": ("操作人", "By"),
    "data_embedded": ("内置示意数据", "embedded illustrative data"),
    "data_diff": ("对比", "Compare"),
    "data_no_change": ("两个版本没有差别", "No difference"),
    "data_rollback": ("回退到此版本", "Roll back to this"),
    "data_rollback_confirm": ("确定回退到版本 {v}？将生成一个与其相同的新版本，历史记录保留。",
                              "Roll back to version {v}? A new version equal to it is created; history is kept."),
    "data_now_version": ("已生成数据版本 v{v}", "Now on data version v{v}"),
    "data_report": ("校验报告", "Validation report"),
    "data_report_xlsx": ("下载报告（Excel）", "Download report (Excel)"),
    "data_confirm": ("确认导入", "Confirm import"),
    "data_accepted": ("可导入", "accepted"),
    "data_refused": ("被拒绝", "refused"),
    "data_warnings": ("提醒", "warnings"),
    "data_columns": ("列对应", "columns"),
    "data_located_by_name": ("按名称定位", "placed by name"),
    "data_row": ("行号", "Row"),
    "data_column": ("列", "Column"),
    "data_severity": ("级别", "Level"),
    "data_message": ("问题与处理办法", "Problem and fix"),
    "data_sev_error": ("错误", "error"),
    "data_sev_warning": ("提醒", "warning"),
    "data_no_issues": ("没有发现问题", "No problems found"),
    "data_match": ("匹配到", "Matched to"),
    "data_version_label": ("数据版本", "data version"),
    "data_fix": ("处理办法", "Fix"),
    "data_crs": ("投影坐标系（可选）", "Projected CRS (optional)"),
    "data_crs_hint": ("如 EPSG:4546；文件带 .prj 时无需填写", "e.g. EPSG:4546; not needed with a .prj"),
    "data_candidates": ("可能是", "Candidates"),
    "edit_start": ("编辑设施", "Edit facilities"),
    "edit_done": ("结束编辑", "Stop editing"),
    "edit_hint": ("点击地图空白处新增设施；点击设施可移动、更名或删除。每次修改生成一个新的数据版本。",
                  "Click the map to add a facility; click a facility to move, rename or remove it. Each edit is a new data version."),
    "edit_new_name": ("设施名称：", "Facility name:"),
    "edit_note": ("修改说明（可留空）：", "Note on this edit (optional):"),
    "edit_move": ("移动", "Move"),
    "edit_rename": ("更名", "Rename"),
    "edit_remove": ("删除", "Remove"),
    "edit_move_hint": ("请在地图上点击新位置", "Click the new position on the map"),
    "edit_remove_confirm": ("确定删除“{name}”？（将生成新的数据版本，可回退）", "Remove “{name}”? (a new data version; it can be rolled back)"),
    "edit_saving": ("正在保存…", "Saving…"),
    "data_build_network": ("上传并构建路网", "Upload and build the network"),
    "data_kind_network": ("路网（OpenStreetMap .osm/.osm.pbf）", "road network (OpenStreetMap .osm/.osm.pbf)"),
    "data_network_building": ("正在构建路网（可能需要几分钟）…", "Building the road network (may take minutes)…"),
    "data_network_done": ("路网已加载：{nodes} 个节点、{edges} 条路段；数据版本 v{v}。各分析现可选“路网”方式。",
                          "Road network loaded: {nodes} nodes, {edges} edges; data version v{v}. Analyses can now use "
                          "the network mode."),
    "data_map_title": ("指定列对应关系", "Which column holds what"),
    "data_map_apply": ("按此对应重新校验", "Check again with these columns"),
    "data_map_note": ("同样表头的文件下次将自动按此对应读取。", "A file with the same headers will be read this way next time."),
    "data_map_columns": ("未能识别表头，请在下方指定各列的含义。", "The headers were not recognised: say which column holds what below."),
    "data_map_remembered": ("按上次为同样表头指定的列对应读取", "read with the column mapping chosen last time for these headers"),
    "proposal_old_version": ("本方案基于数据版本 v{v}，当前数据为 v{cur}。",
                             "This proposal was solved on data version v{v}; the current data are v{cur}."),
    "proposal_rerun": ("按当前数据重新计算并对比", "Solve again on the current data and compare"),
    "data_version_short": ("数据版本", "data"),
    "data_kind_embedded": ("内置", "embedded"),
    "data_field_name": ("名称", "name"), "data_field_type": ("类型", "type"),
    "data_field_township": ("乡镇", "township"), "data_field_village": ("村（社区）", "village"),
    "data_field_county": ("县区", "county"), "data_field_lon": ("经度", "longitude"),
    "data_field_lat": ("纬度", "latitude"), "data_field_id": ("编号", "id"),
    "data_field_address": ("地址", "address"), "data_field_code": ("区划代码", "code"),
    "data_field_coords": ("坐标系", "datum"), "data_field_built_year": ("建成年份", "year built"),
    "data_value": ("原值", "Value as written"),
    # (maps and proposals) end
})

# -- strings: datasets --
_STRINGS.update({
    "ds_version": ("数据版本", "Dataset version"),
    "ds_current": ("当前版本", "current version"),
    "ds_created": ("创建时间", "Created"),
    "ds_author": ("操作人", "Author"),
    "ds_kind": ("类型", "Kind"),
    "ds_layer": ("图层", "Layer"),
    "ds_rows": ("行数", "Rows"),
    "ds_source": ("源文件", "Source file"),
    "ds_status": ("状态", "Status"),
    "ds_kind_embedded": ("内置", "embedded"),
    "ds_kind_import": ("导入", "import"),
    "ds_kind_edit": ("编辑", "edit"),
    "ds_kind_rollback": ("回退", "rollback"),
    "ds_status_ok": ("正常", "ok"),
    "ds_status_missing": ("文件缺失", "files missing"),
    "ds_layer_townships": ("乡镇（街道）边界", "township boundaries"),
    "ds_layer_villages": ("村（社区）点位", "village points"),
    "ds_layer_facilities": ("设施名录", "facility register"),
    "ds_layer_population": ("人口表", "population table"),
    "ds_layer_network": ("路网", "road network"),
    "ds_rollback_to": ("恢复为版本 {v}", "restores version {v}"),
    "ds_embedded_note": ("内置默认数据（示意），不可删除", "embedded default (illustrative), cannot be deleted"),
    "ds_validated": ("校验结果：接受 {accepted} 行，拒绝 {refused} 行，警告 {warnings} 条",
                     "Validation: {accepted} rows accepted, {refused} refused, {warnings} warnings"),
    "ds_issue_more": ("……另有 {n} 条，请用 --json 查看全部", "… {n} more: --json lists them all"),
    "ds_dry_run": ("试运行：仅校验，未保存任何内容（当前仍为版本 {v}）。",
                   "Dry run: validated only, nothing saved (version {v} stays current)."),
    "ds_committed": ("已创建数据版本 {v}（{layer}，来自 {file}，{rows} 行），并设为当前版本。",
                     "Created dataset version {v} ({layer}, from {file}, {rows} rows); it is now current."),
    "ds_rolled_back": ("已创建数据版本 {v}：内容与版本 {target} 相同，并设为当前版本（历史记录保持不变）。",
                       "Created dataset version {v}, equal to version {target}; it is now current "
                       "(the history is kept)."),
    "ds_would_change": ("将产生的变化：", "Would change:"),
    "ds_changes": ("变化：", "Changes:"),
    "ds_diff_title": ("版本 {a} → 版本 {b} 的变化", "Changes from version {a} to version {b}"),
    "ds_no_change": ("无变化", "no change"),
    "ds_fac_added": ("新增设施", "facilities added"),
    "ds_fac_removed": ("移除设施", "facilities removed"),
    "ds_fac_moved": ("移动设施（超过10米）", "facilities moved (over 10 m)"),
    "ds_fac_changed": ("名称或类型改变的设施", "facilities renamed or retyped"),
    "ds_town_changed": ("边界改变的乡镇", "townships with changed boundaries"),
    "ds_town_requalified": ("边界未变、质量标记改变的乡镇", "townships with the same boundary, other quality flag"),
    "ds_vill_moved": ("点位移动的村（社区）", "villages moved"),
    "ds_pop_changed": ("人口改变的村（社区）", "villages with changed population"),
    "ds_area_change": ("面积 {a} → {b} km²，变动 {c} km²", "area {a} → {b} km², {c} km² changed hands"),
    "ds_moved_by": ("移动 {d} 米", "moved {d} m"),
    "ds_layers_changed": ("改变的图层", "layers changed"),
    "ds_no_rows": ("{file}：没有可导入的行（全部被拒绝或文件为空）。", "{file}: no rows to import (all refused, or empty)."),
    "ds_rows_refused": ("{file}：有 {n} 行被拒绝或被自动更正，整个文件未导入：",
                        "{file}: {n} row(s) refused or corrected automatically, so nothing was imported:"),
    "ds_partial_hint": ("请修改这些行后重新导入；或确认后加 --partial 只导入通过校验的行（先用 --dry-run 查看完整报告）。",
                        "Fix those rows and import again, or add --partial to import the accepted rows only "
                        "(--dry-run shows the whole report)."),
    "ds_sev_error": ("错误", "error"),
    "ds_sev_warning": ("警告", "warning"),
    "ds_row": ("第 {n} 行", "row {n}"),
    "ds_column": ("列", "column"),
    # (datasets) end
})

# -- strings: register import --
_STRINGS.update({
    "reg_non_numeric": ("{column}“{value}”不是有效的坐标", "{column} '{value}' is not a number"),
    "reg_missing_coord": ("缺少{column}（另一坐标已填写）", "{column} is missing (the other coordinate is given)"),
    "reg_fix_decimal": ("请填写十进制经纬度，如 110.78、32.63（或 110°46′48″）",
                        "Use decimal degrees, e.g. 110.78 and 32.63 (or 110°46′48″)"),
    "reg_projected": ("坐标（{lon}, {lat}）像是投影坐标（米），不是经纬度",
                      "coordinates ({lon}, {lat}) look projected (metres), not degrees"),
    "reg_fix_projected": ("请指定文件的坐标系（如 EPSG:4547），或换算为经纬度",
                          "State the file's coordinate system (e.g. EPSG:4547), or convert to lon/lat"),
    "reg_swapped": ("经纬度似乎写反了（经度 {lon}，纬度 {lat}），已交换后读取",
                    "longitude and latitude look swapped (lon {lon}, lat {lat}); read the other way round"),
    "reg_fix_swapped": ("请在原表中交换经度、纬度两列", "Swap the lon and lat columns in the file"),
    "reg_outside": ("点位（{lon:.5f}, {lat:.5f}）不在{region}范围内（距边界约 {km:.0f} 公里）",
                    "point ({lon:.5f}, {lat:.5f}) lies outside {region} (about {km:.0f} km from its boundary)"),
    "reg_fix_outside": ("请核对坐标；来自高德/腾讯地图的坐标请选择 gcj02，来自百度地图的请选择 bd09",
                        "Check the coordinates; from Amap/Tencent use coords gcj02, from Baidu bd09"),
    "reg_outside_township": ("点位落在{found}，而表中所填为{declared}（乡镇边界为近似示意）；按所填乡镇统计",
                             "the point lies in {found} but the row names {declared} (township boundaries are "
                             "approximate); the named township is used"),
    "reg_fix_check_place": ("请核对坐标或所属乡镇", "Check the coordinates or the township"),
    "reg_dup_id": ("编号“{value}”与第 {other} 行重复", "id '{value}' repeats row {other}"),
    "reg_fix_dup_id": ("每处设施的编号须唯一", "Give every facility its own id"),
    "reg_dup_name": ("与第 {other} 行同名，相距 {m:.0f} 米，可能重复登记",
                     "same name as row {other}, {m:.0f} m apart: probably listed twice"),
    "reg_fix_dup_name": ("如为同一设施，请删除其中一行", "If they are the same facility, delete one row"),
    "reg_unknown_type": ("未知的设施类型“{value}”", "unknown facility type '{value}'"),
    "reg_no_type": ("未填写设施类型", "no facility type given"),
    "reg_fix_type": ("可用类型：{known}", "Known types: {known}"),
    "reg_unknown_code": ("未知的乡镇代码“{value}”", "unknown township code '{value}'"),
    "reg_fix_code": ("请使用9位统计用区划代码（如420302001），或留空由坐标判断所属乡镇",
                     "Use the 9-digit NBS 2023 codes (e.g. 420302001), or leave it empty to place the facility "
                     "by its coordinates"),
    "reg_unknown_area_code": ("未知的区划代码“{value}”", "unknown area code '{value}'"),
    "reg_fix_area_code": ("请使用9位乡镇或12位村（社区）统计用区划代码",
                          "Use a 9-digit township or 12-digit village NBS code"),
    "reg_no_location": ("既没有坐标，也没有可用于定位的乡镇、村名或地址",
                        "no coordinates, and no township, village or address to place it by"),
    "reg_fix_location": ("请填写经纬度，或所属乡镇（街道）和村（社区）",
                         "Fill in lon/lat, or the township and the village"),
    "reg_county_unknown": ("县（市、区）“{value}”不在{region}", "county '{value}' is not in {region}"),
    "reg_township_unknown": ("找不到乡镇（街道）“{value}”", "no township '{value}' found"),
    "reg_village_unknown": ("找不到村（社区）“{value}”", "no village '{value}' found"),
    "reg_fix_pick": ("请从候选中选择，或核对名称", "Pick one of the candidates, or check the name"),
    "reg_ambiguous": ("“{value}”对应多个地点，无法确定", "'{value}' fits several places"),
    "reg_fix_ambiguous": ("请从候选中选择，或补充所属乡镇（街道）、县（市、区）",
                          "Pick one of the candidates, or add the township or county"),
    "reg_county_only": ("只能确定到县（市、区）“{value}”，范围太大无法定位",
                        "only the county '{value}' could be matched: too coarse to place"),
    "reg_fix_county_only": ("请补充所属乡镇（街道）或村（社区）", "Add the township or the village"),
    "reg_nothing": ("地名“{value}”未能匹配任何乡镇或村（社区）",
                    "the place '{value}' matches no township or village"),
    "reg_at_seat": ("找不到村（社区）“{value}”，已定位到乡镇驻地：{path}",
                    "village '{value}' not found: placed at the township seat, {path}"),
    "reg_at_seat_ambiguous": ("地址中的村（社区）无法唯一确定，已定位到乡镇驻地：{path}",
                              "the address fits several villages: placed at the township seat, {path}"),
    "reg_names_unmatched": ("所填地名未能匹配（{detail}）；按坐标确定所属乡镇",
                            "the place names were not matched ({detail}); the township is taken from the coordinates"),
    "reg_not_point": ("要素不是点（{kind}），取其内部中心点", "the feature is a {kind}, not a point: a point inside it is used"),
    "reg_no_name": ("未填写名称", "no name given"),
    "reg_fix_name": ("请填写设施名称", "Fill in the facility's name"),
    "reg_datum_unknown": ("未知坐标系“{value}”", "unknown coordinate system '{value}'"),
    "reg_fix_datum": ("请填写 wgs84、gcj02 或 bd09", "Use wgs84, gcj02 or bd09"),
    "reg_datum_suggest": ("坐标更像是 {datum}：换算为WGS84后，落在所填乡镇内的点由 {tb} 变为 {ta}，"
                          "落在{region}内的点由 {rb} 变为 {ra}（共 {n} 个点；乡镇边界为近似示意）",
                          "the coordinates look like {datum}: converted to WGS84, the points inside their named "
                          "township go from {tb} to {ta} and those inside {region} from {rb} to {ra} "
                          "({n} points; township boundaries are approximate)"),
    "reg_fix_datum_suggest": ("如确认，请以坐标系“{datum}”重新导入", "If so, import again with coords {datum}"),
    "reg_no_name_column": ("文件没有名称列，设施以编号命名", "the file has no name column: facilities are named by id"),
    "reg_method_coordinates": ("坐标", "coordinates"),
    "reg_method_located_by_name": ("按地名定位", "located by name"),
    # (register import) end
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


# -- strings: accounts --
_STRINGS.update({
})

# -- strings: hardening --
_STRINGS.update({
})

# -- strings: capacity --
_STRINGS.update({
})
