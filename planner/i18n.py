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

import math
import re

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
    "footer_advice": ("仅用于演示与方法检验，请在“数据管理”导入本单位权威数据后再作决策。",
                      "For demonstration and method checks: import your authoritative data (Data page) before deciding."),
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
    "map_zoom_in": ("放大", "Zoom in"), "map_zoom_out": ("缩小", "Zoom out"), "map_layers": ("图层", "Layers"),
    "count": ("数量", "Count"),
    "quality": ("质量", "Quality"),
    "source": ("来源", "Source"),
    "counties": ("县区", "Counties"),
    "townships": ("乡镇（街道）", "Townships"),
    "villages": ("村（社区）", "Villages / communities"),
    "facilities": ("设施", "Facilities"),
    "population": ("人口", "Population"),
    "site_marks": ("候选点标记（必选/禁选）", "Candidate marks (required / forbidden)"),
    "planner_sites": ("规划人员添加的候选点", "Candidate sites added by planners"),
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
    "rows_shown1": ("显示 {n} / {total} 行", "{n} of {total} row"),
    "form_bt_target_missing": ("请填写新增床位数（整数，如 7136）。", "Enter the number of new beds, a whole number such as 7136."),
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
    "job_finish": ("停止并保存当前方案", "Stop and save the plan so far"),
    "job_finish_hint": ("停止求解，保存目前找到的最佳方案；方案页会注明它距可证明的最优值至多多少",
                        "Stop the solve and save the best plan found so far; its page says how far from the proven "
                        "best it can be at most"),
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
    "q_mixed": ("部分官方", "partly official"),
    # errors
    "not_found": ("页面不存在", "Page not found"),
    "error": ("错误", "Error"),
}

# -- strings: browser charts --
_STRINGS.update({
    "chart_standard_urban": ("城镇服务标准", "Urban standard"),
    "chart_standard_rural": ("农村服务标准", "Rural standard"),
    "unreachable_weight": ("不可达的需求权重", "Unreachable demand weight"),
    "mean_cost_reachable": ("平均出行成本（仅计可达单元）", "Mean travel cost (reachable units only)"),
    "checklist_on_estimate": ("本清单按估算方式（直线×绕行系数）衡量；按路网的覆盖见覆盖地图（出行方式选“路网”）。",
                              "This checklist is measured on the estimate (straight line × detour factor); coverage "
                              "on the road network is on the coverage map (travel mode \"road network\")."),
    "download_chart": ("下载图表", "Download chart"),
    "units_covered_pct": ("已覆盖单元占比（%）", "Share of units covered (%)"),
    # (browser charts) end
})

# -- strings: accounts and network note (QA4 fixes) --
_STRINGS.update({
    "network_unavailable_upload": (
        "本服务尚未加载路网，目前仅可用估算方式。可在“数据管理”页上传 OpenStreetMap 路网（.osm / .osm.pbf），"
        "或由管理员在启动服务时指定路网文件；加载后即可选择路网方式。",
        "No road network is loaded, so only the estimate mode is available. Upload an OpenStreetMap extract "
        "(.osm / .osm.pbf) on the Data page, or have the administrator start the server with a road network "
        "file; network mode can be chosen once one is loaded."),
    # (accounts and network note) end
})

# -- strings: the coverage map in network mode --
_STRINGS.update({
    "network_note": ("出行时间按路网计算（当前数据版本的路网）", "Travel times computed on the road network (the current data version's)"),
    "network_note_m": ("距离按路网计算（当前数据版本的路网）", "Distances computed on the road network (the current data version's)"),
    "network_unreachable": (
        "{n} 个需求单元离路网超过 1 公里，或与任何设施不在同一连通路网上，计为未覆盖。"
        "若所上传的路网只覆盖部分区域，请上传覆盖全市的路网，或改用估算方式。",
        "{n} demand units are more than 1 km from the road network, or not connected to any facility "
        "on it, and count as not covered. If the uploaded network covers only part of the region, "
        "upload one for the whole city or use the estimate mode."),
    "mode_estimate_short": ("估算", "estimate"),
    "data_network_reach": ("{near}/{total} 个村（社区）离路网不超过 1 公里。",
                           "{near} of {total} villages/communities are within 1 km of the network."),
    "data_network_partial": ("其余村（社区）在路网方式下计为不可达、未覆盖；若要分析全市，请上传覆盖全市的路网。",
                             "The others count as unreachable and not covered in network mode; to analyse "
                             "the whole city, upload a network that covers it."),
    # (network map) end
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
    "brief_caveat_estimate_m": ("距离为直线距离×绕行系数的估算，非实际路网距离。",
                                "Distances are straight-line × detour-factor estimates, not road distances."),
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
    "fac_capacity": ("容量", "Capacity"),
    "capacity_unknown_short": ("未知", "unknown"),
    "edit_capacity": ("容量（床位、日托位等的个数；不知道时留空）", "Capacity (number of beds, day places ...; blank when unknown)"),
    "field_capacity": ("容量", "capacity"),
    "fac_capacity_unit": ("容量单位", "Capacity unit"),
    "fac_capacity_unknown": ("未知", "unknown"),
    "fac_rows": ("显示 {n} 条，名录共 {total} 条", "{n} shown of {total} in the register"),
    "fac_by_type": ("按类型统计（当前筛选）", "By type (current filters)"),
    "fac_synthetic_note": ("本名录为合成的示例数据（示意），并非真实设施；请导入本单位设施名录后再作决策。",
                           "This register is a synthetic sample (示意, illustrative), not real facilities; "
                           "import your own register before deciding."),
    "fac_synthetic_part_note": ("本名录 {total} 处中有 {n} 处仍为合成的示例数据（示意），并非真实设施；其余为规划人员导入或编辑。",
                                "{n} of the register's {total} facilities are still a synthetic sample (示意, "
                                "illustrative), not real facilities; the rest were imported or edited by planners."),
    "fac_source_sample": ("coverplan 合成示例名录（示意）", "coverplan sample register (illustrative)"),
    "fac_export_synthetic": ("示意数据（合成示例，非真实设施）", "ILLUSTRATIVE DATA (synthetic sample, not real facilities)"),
    "fac_export_synthetic_some": ("含示意数据：{n} 行中 {k} 行为合成示例（见“示意”列）",
                                  "PARTLY ILLUSTRATIVE: {k} of the {n} rows are the synthetic sample (see the Illustrative column)"),
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
                         "No proposal picked: the \"After the package\" column equals the current state."),
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
    "plan_sites_upgraded_after": ("改造 {n} 处", "{n} upgraded"),
    "bt_phone_cols": ("手机上只显示分配前后的缺口和分配床位；按标准所需、现有床位、扩建和新建各列请在较宽的屏幕上查看。",
                      "On a phone: the shortfall before and after and the beds given; the beds needed, beds now, "
                      "enlargements and new sites show on a wider screen."),
    "plan_upgrades_done": ("所选改造方案的设施今年已改造，不重复计入", "the chosen upgrade's sites were upgraded this year "
                           "already and count once"),
    "plan_new_not_upgrades": ("所选方案只新建设施，新建不计入改造提升目标", "the proposals chosen only build new sites, "
                              "which do not count toward an upgrade target"),
    "plan_combined": ("{n} 个方案合并", "{n} proposals combined"),
    "plan_upgraded_also_converted": ("另有 {n} 处同时被转型，只计入转型目标",
                                     "{n} more chosen for upgrade are converted in the same package and count as "
                                     "conversions only"),
    "plan_sites_not_in_data": ("方案中有 {n} 处设施不在当前数据中（方案求解后数据已更换），不计入",
                               "{n} of the proposals' facilities are not in the current data (it changed after "
                               "they were solved): not counted"),
    "plan_built_not_converted": ("新建的 {n} 处不计入转型目标（只计由农村福利院转型的）",
                                 "the {n} new-built sites do not count: only rural welfare homes converted do"),
    # (facilities and plan package) end
})

# -- strings: maps and proposals --
_STRINGS.update({
    "percentage_points": ("个百分点", "pt"),
    "sites_unit": ("处", "sites"),
    "units_unit": ("个单元", "units"),
    "compare_same_type": ("只能比较同一设施类型的方案", "Only proposals of the same facility type can be compared"),
    "compare_no_upgrade": ("改造提升方案不能对比，请在其方案页查看", "Upgrade proposals are read on their own page, not compared"),
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
    "search_place": ("搜索乡镇、村（社区），可用拼音", "Find a place (name or pinyin)"),
    "whole_city": ("全市", "Whole city"),
    "name_and_note": ("名称与备注", "Name and note"),
    "save": ("保存", "Save"),
    "saved": ("已保存", "Saved"),
    "rationale_click": ("（点击一行在地图上查看）", "(click a row to see it on the map)"),
    "why_here": ("选址理由", "Why here"),
    "solver_optimal": ("已证明最优", "proven optimal"),
    "solver_feasible": ("可行解，未证明最优", "feasible, not proven optimal"),
    "solver_time_limit": ("达到时间上限", "time limit reached"),
    "solver_stopped": ("按要求提前停止并保存", "stopped early on request and saved"),
    "solver_infeasible": ("无可行解", "infeasible"),
    # A stopped solve still proves how far from the best possible it can be at most.
    "solver_gap": ("，距可证明的最优值至多 {gap}", "; at most {gap} from the proven best"),
    "solver_gap_tiny": ("，距可证明的最优值不到 0.01%", "; under 0.01% from the proven best"),
    # the gap itself, as `coverplan solve` prints it (gap_percent)
    "gap_under": ("不到 0.01%", "under 0.01%"),
    "gap_unknown": ("未知（无已证明的界）", "unknown (no proven bound)"),
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
    "data_rolled_back_to": ("回退到 v{v}", "back to v{v}"),
    "list_served_share": ("按容量服务", "by capacity"),
    "data_preview_sample": ("地图预览显示其中 {n} 个点（均匀抽取），共 {total} 个", "the map shows {n} of the {total} points (an even sample)"),
    "data_kind_edit": ("编辑", "edit"),
    "data_type_from_file": ("按文件中的类型列", "from the file's type column"),
    "data_coords": ("坐标系", "Coordinates"),
    "data_coords_auto": ("自动识别（给出建议，不自动转换）", "detect (suggest, do not convert)"),
    "data_coords_wgs84": ("WGS84 / CGCS2000（GPS、天地图）", "WGS84 / CGCS2000 (GPS, Tianditu)"),
    "data_coords_gcj02": ("GCJ-02（高德、腾讯）", "GCJ-02 (Amap, Tencent)"),
    "data_coords_bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
    "data_coords_assumed": ("未声明坐标系：各点已按 WGS84 / CGCS2000（GPS、天地图）读取，文件中也看不出是其他坐标系。"
                            "若坐标取自高德、腾讯（GCJ-02）或百度（BD-09）地图，请在上方“坐标系”中选择后重新校验，"
                            "否则各点将偏移：高德、腾讯坐标约 500 米，百度坐标约 1 公里以上。",
                            "No coordinate system was chosen: the points were read as WGS84 / CGCS2000 (GPS, Tianditu), "
                            "and nothing in the file points to another. If the coordinates come from Amap, Tencent "
                            "(GCJ-02) or Baidu (BD-09) maps, choose that under Coordinates above and check again; "
                            "otherwise every point will be off, by about 500 m for Amap or Tencent coordinates and 1 km or more for Baidu's."),
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
    # (qa10d: a county planner's file with rows outside his county; the report download's title)
    "data_blocked_short": ("不会导入：有 {n} 行不在您可修改的县区内", "nothing imported: rows outside the county you may change: {n}"),
    # (qa10d) end
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
    "edit_fields": ("编辑属性", "Edit details"),
    "edit_what": ("点击地图新增", "A click on the map adds"),
    "edit_add_facility": ("点击新增：现有设施", "Adds a facility"),
    "edit_add_site": ("点击新增：候选点（本类型）", "Adds a site (this type)"),
    "edit_add_site_all": ("点击新增：候选点（全部类型）", "Adds a site (all types)"),
    "edit_site_name": ("候选点名称（如：某某村闲置校舍）", "Name of the candidate site (e.g. the empty school of X village)"),
    "planner_site": ("规划人员添加", "added by a planner"),
    "field_address": ("地址", "Address"),
    "field_operator": ("运营单位", "Operator"),
    "field_phone": ("联系电话", "Phone"),
    "field_remark": ("备注", "Remark"),
    "candidate_site": ("候选点", "candidate site"),
    "candidate_sites": ("候选点", "Candidate sites"),
    "planner_mark": ("规划标记", "Planner's mark"),
    "mark_required": ("必选", "Required"),
    "mark_forbidden": ("禁选", "Forbidden"),
    "mark_all_types": ("适用于全部设施类型", "for every facility type"),
    "mark_set_required": ("设为必选", "Mark required"),
    "mark_set_forbidden": ("设为禁选", "Mark forbidden"),
    "mark_clear": ("取消标记", "Clear mark"),
    "marks_count": ("必选 {r} · 禁选 {f}", "{r} required · {f} forbidden"),
    "marks_unmatched": ("有 {n} 个规划标记不对应本类型的候选点（例如该乡镇已有设施），未被使用。",
                        "{n} planner marks name no candidate site of this type (e.g. its township already has one) and were not used."),
    "ds_sites_changed": ("规划人员添加的候选点变化", "planner-added candidate sites changed"),
    "ds_layer_planner_sites": ("规划人员添加的候选点", "planner-added candidate sites"),
    "ds_marks_changed": ("候选点标记变化", "candidate-site marks changed"),
    "marks_in_form": ("本类型有 {r} 个必选、{f} 个禁选候选点，方案将遵守这些标记（在覆盖图上编辑）。",
                      "This type has {r} required and {f} forbidden candidate sites; the proposal keeps to them (edit them on the coverage map)."),
    "edit_remove": ("删除", "Remove"),
    "edit_move_hint": ("请在地图上点击新位置", "Click the new position on the map"),
    "edit_remove_confirm": ("确定删除“{name}”？（将生成新的数据版本，可回退）", "Remove \"{name}\"? (a new data version; it can be rolled back)"),
    "edit_saving": ("正在保存…", "Saving…"),
    "data_build_network": ("上传并构建路网", "Upload and build the network"),
    "data_kind_network": ("路网（OpenStreetMap .osm/.osm.pbf 或 GraphML .graphml）",
                          "road network (OpenStreetMap .osm/.osm.pbf or GraphML .graphml)"),
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
    "targets_on_current": ("以下目标进度按当前数据（v{cur}）加上本方案的站点计算；方案前后对比的数字基于方案所用的数据版本 v{v}，二者可能不一致。",
                           "These targets are measured on the current data (v{cur}) with this proposal's sites added; "
                           "the proposal's before/after figures are on the data version it was solved on (v{v}), so the "
                           "two can differ."),
    "proposal_rerun": ("按当前数据重新计算并对比", "Solve again on the current data and compare"),
    "data_version_short": ("数据版本", "data"),
    "data_kind_embedded": ("内置", "embedded"),
    "data_field_name": ("名称", "name"), "data_field_type": ("类型", "type"),
    "data_field_township": ("乡镇", "township"), "data_field_village": ("村（社区）", "village"),
    "data_field_county": ("县区", "county"), "data_field_lon": ("经度", "longitude"),
    "data_field_lat": ("纬度", "latitude"), "data_field_id": ("编号", "id"),
    "data_field_address": ("地址", "address"), "data_field_code": ("区划代码", "code"),
    "data_field_operator": ("运营单位", "operator"), "data_field_phone": ("联系电话", "phone"),
    "data_field_remark": ("备注", "remark"),
    "data_rechecking": ("数据已更新，正在按当前数据重新校验…", "The data changed: checking the file again on the current data…"),
    "data_rechecked": ("已按当前数据重新校验：请查看下方报告后再确认。", "Checked again on the current data: read the report below, then confirm."),
    "data_field_capacity": ("容量（床位等）", "capacity (beds ...)"),
    "data_field_capacity_unit": ("容量单位", "capacity unit"),
    "data_field_synthetic": ("示意（是/否）", "illustrative (示意, yes/no)"),
    "data_change_mapping": ("更改列对应", "Change the column mapping"),
    "admin_self_role_title": ("不能取消自己的管理员角色：请由另一位管理员修改",
                              "You cannot remove your own administrator role: ask another administrator to change it"),
    "admin_self_disable_title": ("不能停用自己的账号：请由另一位管理员操作",
                                 "You cannot disable your own account: ask another administrator to do it"),
    "edit_typed_name": ("（您输入的名称：“{name}”）", '(The name you typed: "{name}".)'),
    "edit_theirs_shown": ("他人修改的{fields}已显示在上方", "a colleague's change of the {fields} is shown above"),
    "edit_other_county_point": ("该点位在{county}，不在你负责的县区内，不能在此新增设施。",
                                "This point is in {county}, outside your county: you cannot add a facility here."),
    "edit_other_county": ("该设施不在你负责的县区内，不能编辑。", "This facility is outside your county: you cannot edit it."),
    "data_change_mapping_hint": ("为各字段选择文件中的列，然后重新校验（选择会被记住，用于同样表头的文件）。",
                                 "Choose the file's column for each field, then check again (the choice is "
                                 "remembered for files with the same headers)."),
    "data_field_coords": ("坐标系", "datum"), "data_field_built_year": ("建成年份", "year built"),
    "data_value": ("原值", "Value as written"),
    "data_problem": ("问题", "Problem"),
    "added_weight_aged_60": ("新增覆盖60岁以上人口", "Added covered people aged 60+"),
    "added_weight_aged_65": ("新增覆盖65岁以上人口", "Added covered people aged 65+"),
    "added_weight_aged_80": ("新增覆盖80岁以上人口", "Added covered people aged 80+"),
    "added_weight_population": ("新增覆盖常住人口", "Added covered population"),
    "added_weight_units": ("新增覆盖需求单元", "Added covered demand units"),
    # which share a proposal's coverage is: weighted as the type weighs its demand
    "share_by_aged_60": ("覆盖率（按60岁以上人口）", "Covered share (people aged 60+)"),
    "share_by_aged_65": ("覆盖率（按65岁以上人口）", "Covered share (people aged 65+)"),
    "share_by_aged_80": ("覆盖率（按80岁以上人口）", "Covered share (people aged 80+)"),
    "share_by_population": ("覆盖率（按常住人口）", "Covered share (population)"),
    "share_by_units": ("覆盖率（按单元）", "Covered share (units)"),
    "cli_synthetic_inputs": ("示意：所用的村（社区）点位或设施名录含合成或近似数据，结果仅供讨论。",
                             "illustrative (示意): the village points or the facility register used here include "
                             "synthetic or approximate data; for discussion only."),
    "edit_name_facility": ("设施名称", "Facility name"), "edit_name_site": ("候选点名称", "Candidate site name"),
    "data_field_beds": ("床位数", "beds"), "data_field_day_places": ("日托位", "day places"),
    "data_field_plots": ("墓穴", "plots"), "data_field_niches": ("格位", "niches"),
    "data_field_meal_places": ("助餐位", "meal places"), "data_field_upgraded_year": ("改造年份", "year upgraded"),
    "data_field_lonlat": ("经纬度", "lon, lat"), "data_field_township_code": ("乡镇代码", "township code"),
    "data_replace_confirm": ("{text}\n\n确定导入？", "{text}\n\nImport?"),
    # the saved list's compare hint follows the ticks (QA 21)
    "compare_ready": ("已勾选两个方案，点击“对比所选”查看对比", "Two proposals ticked: choose Compare selected"),
    "compare_one_more": ("再勾选一个同类型的方案即可对比", "Tick one more proposal of the same type to compare"),
    "compare_too_many": ("只能对比两个方案，请取消多余的勾选", "Only two can be compared: untick the others"),
    # a solve's time against its limit while it runs (QA 21: a sized proposal sat at 20% for a minute)
    "job_solve_clock": ("已用 {s} 秒，最多 {limit} 秒", "{s} s of at most {limit} s"),
    # (maps and proposals) end
})

# -- strings: datasets --
_STRINGS.update({
    "ds_version": ("数据版本", "Data version"),
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
    "ds_layer_site_marks": ("候选点必选/禁选标记", "candidate-site marks"),
    "ds_rollback_to": ("恢复为版本 {v}", "restores version {v}"),
    "ds_embedded_note": ("内置默认数据（示意），不可删除", "embedded default (illustrative), cannot be deleted"),
    "ds_validated": ("校验结果：接受 {accepted} 行，拒绝 {refused} 行，警告 {warnings} 条",
                     "Validation: {accepted} rows accepted, {refused} refused, {warnings} warnings"),
    "ds_issue_more": ("……另有 {n} 条，请用 --json 查看全部", "… {n} more: --json lists them all"),
    "ds_dry_run": ("试运行：仅校验，未保存任何内容（当前仍为版本 {v}）。",
                   "Dry run: validated only, nothing saved (version {v} stays current)."),
    "ds_committed": ("已创建数据版本 {v}（{layer}，来自 {file}，{rows} 行），并设为当前版本。",
                     "Created data version {v} ({layer}, from {file}, {rows} rows); it is now current."),
    "ds_rolled_back": ("已创建数据版本 {v}：内容与版本 {target} 相同，并设为当前版本（历史记录保持不变）。",
                       "Created data version {v}, equal to version {target}; it is now current "
                       "(the history is kept)."),
    "ds_unchanged": ("本文件的数据与当前版本 {v} 完全相同：无需导入，未生成新版本。",
                     "This file holds exactly the data of the current version {v}: nothing to import, no new "
                     "version is made."),
    "ds_would_change": ("将产生的变化：", "Would change:"),
    "ds_changes": ("变化：", "Changes:"),
    "ds_diff_title": ("版本 {a} → 版本 {b} 的变化", "Changes from version {a} to version {b}"),
    "ds_no_change": ("无变化", "no change"),
    "ds_fac_added": ("新增设施", "facilities added"),
    "ds_fac_removed": ("移除设施", "facilities removed"),
    "ds_fac_moved": ("移动设施（超过10米）", "facilities moved (over 10 m)"),
    "ds_fac_capacity": ("容量变化的设施", "facilities with a changed capacity"),
    "ds_fac_changed": ("名称或类型改变的设施", "facilities renamed or retyped"),
    "ds_town_changed": ("边界改变的乡镇", "townships with changed boundaries"),
    "ds_town_requalified": ("边界未变、质量标记改变的乡镇", "townships with the same boundary, other quality flag"),
    "ds_vill_moved": ("点位移动的村（社区）", "villages moved"),
    "ds_pop_changed": ("人口改变的村（社区）", "villages with changed population"),
    "ds_area_change": ("面积 {a} → {b} km²，变动 {c} km²", "area {a} → {b} km², {c} km² changed hands"),
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
    "reg_fix_projected": ("请给出文件的坐标系：在“数据管理”页面的“投影坐标系”一栏填写，或在命令行使用 --crs（十堰所在的 "
                          "CGCS2000 3度带为 EPSG:4546，网络地图米制坐标为 EPSG:3857）；或换算为经纬度",
                          "Give the file's coordinate system: the Projected CRS field on the Data page, or --crs on "
                          "the command line (Shiyan's CGCS2000 3-degree zone is EPSG:4546, web-map metres "
                          "EPSG:3857); or convert to lon/lat"),
    "reg_swapped_kept": ("经纬度似乎写反了（经度 {lon}，纬度 {lat}）：此处不自动改正，请在文件中改正",
                         "longitude and latitude look swapped (lon {lon}, lat {lat}): not corrected here; correct the file"),
    "reg_swapped": ("经纬度似乎写反了（经度 {lon}，纬度 {lat}），已交换后读取",
                    "longitude and latitude look swapped (lon {lon}, lat {lat}); read the other way round"),
    "reg_fix_swapped": ("请在原表中交换经度、纬度两列", "Swap the lon and lat columns in the file"),
    "reg_fix_swapped_row": ("请在原表中交换本行的经度、纬度两个值（其他行无误）",
                            "Swap this row's longitude and latitude in the file (the other rows are right)"),
    "reg_fix_unconfirmed": ("分析命令不采用未经确认的自动更正；“数据管理”页面（点击确认后）和 coverplan data import "
                            "facilities {file} --partial 列出后才采用",
                            "An analysis takes no automatic correction unconfirmed; the Data page (on its Confirm) "
                            "and coverplan data import facilities {file} --partial take it after listing it"),
    "reg_outside": ("点位（{lon:.5f}, {lat:.5f}）不在{region}范围内（距边界约 {km:.0f} 公里）",
                    "point ({lon:.5f}, {lat:.5f}) lies outside {region} (about {km:.0f} km from its boundary)"),
    "reg_fix_outside": ("请核对坐标；来自高德/腾讯地图的坐标请选择 gcj02，来自百度地图的请选择 bd09",
                        "Check the coordinates; for coordinates from Amap/Tencent set the coordinate system to gcj02 (the "
                        "page's coordinate choice, or --coords gcj02), from Baidu to bd09"),
    "reg_outside_township": ("点位落在{found}，而表中所填为{declared}（乡镇边界为近似示意）；按所填乡镇统计",
                             "the point lies in {found} but the row names {declared} (township boundaries are "
                             "approximate); the named township is used"),
    "reg_fix_check_place": ("请核对坐标或所属乡镇", "Check the coordinates or the township"),
    "reg_dup_id": ("编号“{value}”与第 {other} 行重复", "id '{value}' repeats row {other}"),
    "reg_fix_dup_id": ("每处设施的编号须唯一", "Give every facility its own id"),
    "reg_dup_name": ("与第 {other} 行同名，相距 {m:.0f} 米，可能重复登记",
                     "same name as row {other}, {m:.0f} m apart: probably listed twice"),
    "reg_fix_dup_name": ("如为同一设施，请删除其中一行", "If they are the same facility, delete one row"),
    "reg_dup_row": ("与第 {other} 行名称、类型、位置均相同：同一设施登记了两次，本行不导入（否则其床位等容量会重复计算）",
                    "same name, type and place as row {other}: one facility listed twice; this row is not imported "
                    "(its beds would count twice)"),
    "reg_fix_dup_row": ("删除重复的一行；如确为两处设施，请核对其坐标", "Delete the copy; if they are two facilities, check "
                        "their coordinates"),
    "reg_unknown_type": ("未知的设施类型“{value}”", "unknown facility type '{value}'"),
    "reg_no_type": ("未填写设施类型", "no facility type given"),
    "reg_fix_type": ("可用类型：{known}", "Known types: {known}"),
    "reg_unknown_code": ("未知的乡镇代码“{value}”", "unknown township code '{value}'"),
    "reg_code_digits": ("乡镇代码“{value}”有 {n} 位数字，应为 9 位（或 12 位）",
                        "township code '{value}' has {n} digits; it should have 9 (or 12)"),
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
    "reg_fix_check_name": ("请核对名称（本区域内没有相近的地名可选）", "Check the name (no similar place name in the region to pick)"),
    "reg_picked": ("已按规划人员的选择定位到：{value}", "Placed where the planner picked: {value}"),
    "reg_pick_unknown": ("所选地点代码“{value}”不存在", "The picked place code '{value}' does not exist"),
    "data_pick": ("选用", "Use this"),
    "data_pick_hint": ("点击候选地点即可为该行定位，报告将重新生成。", "Click a candidate place to put the row there; the report is checked again."),
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
    "reg_name_too_long": ("名称过长（{n} 个字符）：{value}", "name too long ({n} characters): {value}"),
    "reg_name_control": ("名称含{what}（第 {at} 个字符为 {char}）：{value}",
                         "the name holds {what} (character {at} is {char}): {value}"),
    "reg_fix_name_control": ("请删去该字符后重新上传（名称中不能有换行、文字方向控制符等不可见字符，地图编辑同此规则）",
                             "Delete the character and upload again (a name may not hold line breaks, text-direction "
                             "controls or other invisible characters, as in a map edit)"),
    "reg_synthetic_unclear": ("{column}“{value}”不是“是”或“否”，该行按规划人员的实际数据导入",
                              "{column} '{value}' is neither yes nor no; the row is imported as the planner's own data"),
    "reg_fix_synthetic_unclear": ("示意数据填“是”，实际数据填“否”或留空", "Write yes for sample data (示意), no or nothing for real data"),
    "reg_synthetic_text": ("{column}写有“示意”（{value}），但该行未标为示意数据：按规划人员的实际数据导入",
                           "{column} says 示意 (illustrative: {value}) but the row is not marked as sample data: "
                           "imported as the planner's own data"),
    "reg_fix_synthetic_text": ("如为示意数据，请增加“示意”列并填“是”；如为实际数据，请改正该字段",
                               "If it is sample data, add an Illustrative (示意) column saying yes; if it is real, correct the field"),
    "reg_text_control": ("{column}含{what}（第 {at} 个字符为 {char}），已删去该字符后导入：{value}",
                         "{column} holds {what} (character {at} is {char}); imported without it: {value}"),
    "reg_fix_name_too_long": ("名称不超过 {max} 个字符；备注等内容请放在其他列", "Keep the name within {max} characters; put remarks in another column"),
    "reg_datum_unknown": ("未知坐标系“{value}”", "unknown coordinate system '{value}'"),
    "reg_fix_datum": ("请填写 wgs84（也可写 GPS、天地图、CGCS2000、2000国家大地坐标系、EPSG:4326 或 EPSG:4490）、"
                      "gcj02（也可写 高德、腾讯、火星坐标）或 bd09（也可写 百度）；投影坐标（如 百度墨卡托、高斯-克吕格 3度带）"
                      "和 北京54、西安80 坐标不能按行指定",
                      "Use wgs84 (or GPS, Tianditu, CGCS2000, EPSG:4326 or EPSG:4490), gcj02 (or Amap, Tencent, "
                      "'Mars coordinates') or bd09 (or Baidu), or their Chinese names; projected coordinates (Baidu "
                      "Mercator, Gauss-Kruger zones) and Beijing 54 or Xi'an 80 cannot be given row by row"),
    "reg_datum_suggest": ("坐标更像是 {datum}：换算为WGS84后，落在所填乡镇内的点由 {tb} 变为 {ta}，"
                          "落在{region}内的点由 {rb} 变为 {ra}（共 {n} 个点；乡镇边界为近似示意）",
                          "The coordinates look like {datum}: converted to WGS84, the points inside their named "
                          "township go from {tb} to {ta} and those inside {region} from {rb} to {ra} "
                          "({n} points; township boundaries are approximate)"),
    "reg_datum_suggest_ids": ("坐标更像是 {datum}：文件中 {n} 处设施与现有名录编号相同，按 WGS84 读取时与现有位置相距中位约 "
                              "{d0} 米，换算为 WGS84 后约 {d1} 米",
                              "The coordinates look like {datum}: {n} facilities of the file have the ids of the "
                              "current register; read as WGS84 they lie a median of about {d0} m from their current "
                              "places, converted to WGS84 about {d1} m"),
    "reg_fix_datum_suggest": ("如确认，请把坐标系选为“{datum}”（命令行 --coords {code}）后重新校验导入",
                              "If so, check again with the coordinates set to {datum} (--coords {code} on the "
                              "command line)"),
    "reg_none": ("无", "none"),
    "reg_not_text": ("该值是对象或列表（{value}），不是文字或数字", "the value is an object or a list ({value}), not text or a number"),
    "reg_fix_not_text": ("请在文件中把该属性写成文字或数字", "Write the property as text or a number in the file"),
    "reg_method_coordinates": ("坐标", "coordinates"),
    "reg_method_located_by_name": ("按地名定位", "located by name"),
    # (QA11 register reading, qa11g) start
    "reg_more_candidates": ("另有 {n} 处可能的地点未列出：请在该行补充{cols}以缩小范围",
                            "{n} more possible places are not listed: add the {cols} to the row to narrow them down"),
    "reg_more_candidates_check": ("另有 {n} 处可能的地点未列出：请核对名称",
                                  "{n} more possible places are not listed: check the name"),
    "reg_column_shadowed": ("{what}与{used}是同一项内容，只读取了{used}",
                            "{what} gives the same field as {used}; only {used} was read"),
    "reg_fix_column_shadowed": ("请删去或重命名多余的一列，或在“数据管理”页面的列对应关系中选择要读取的列",
                                "Delete or rename the extra column, or choose the column to read in the column "
                                "mapping on the Data page"),
    "reg_col_county": ("县区", "county"),
    "reg_col_township": ("乡镇（街道）", "township"),
    "reg_outside_no_km": ("点位（{lon}, {lat}）不是有效的经纬度：纬度 {lat} 超出 ±90，无法计算与{region}的距离",
                          "point ({lon}, {lat}) is not a valid longitude/latitude: latitude {lat} is beyond ±90, "
                          "so its distance from {region} cannot be computed"),
    "reg_fix_outside_no_km": ("请核对坐标：经度在前、纬度在后，纬度须在 -90 到 90 之间",
                              "Check the coordinates: longitude first, latitude second, and latitude "
                              "between -90 and 90"),
    "reg_fix_swapped_layer": ("请在原图层中改正该点：经度在前、纬度在后",
                              "Correct the point in the layer: longitude first, latitude second"),
    "reg_county_disagrees": ("所填县区“{value}”与坐标不符：点位在{found}；按坐标确定所属乡镇",
                             "the county given, '{value}', does not match the coordinates: the point lies in "
                             "{found}; the township is taken from the coordinates"),
    "reg_fix_check_county": ("请核对坐标或所填县区", "Check the coordinates or the county"),
    # (QA11 register reading, qa11g) end
    # (register import) end
})


def normalise(lang: str | None, default: str = "zh") -> str:
    """Map 'en-US', 'EN', 'zh_CN'... to one of :data:`LANGS`; fall back to ``default``."""
    if not lang:
        return default
    head = lang.strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGS else default


#: An English count placed straight before its noun ("{accepted} rows", "{n} row(s)"): singular for 1, plural
#: otherwise ("1 rows accepted ... 1 warnings" was the import summary's, QA 26). Chinese counts have no plural.
_EN_COUNTED = re.compile(r"\{(\w+)\} (row|warning|error)(?:s|\(s\))(?![\w(])")


def _one(value) -> bool:
    return not isinstance(value, bool) and (value == 1 or str(value).strip() == "1")


def _counted(text: str, kwargs: dict) -> str:
    return _EN_COUNTED.sub(lambda m: "{%s} %s%s" % (m.group(1), m.group(2), "" if _one(kwargs.get(m.group(1))) else "s"),
                           text)


def t(key: str, lang: str = "zh", **kwargs) -> str:
    """Translate ``key``; unknown keys come back as themselves so they are visible. An English count of rows,
    warnings or errors takes the singular for 1 ("1 row accepted", "1 warning")."""
    pair = _STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    if not kwargs:
        return text
    if lang == "en":
        text = _counted(text, kwargs)
    return text.format(**kwargs)


def gap_percent(gap, lang: str = "zh") -> str:
    """A solve's relative gap to the proven best as a percentage: "1.23%"; "0.00%" when none is left (a
    float's rounding, 2e-16, is none); "under 0.01%" for a gap that would round to nothing (the words of
    :func:`solver_gap_text`); "unknown (no proven bound)" when no bound was proven."""
    try:
        g = float(gap)
    except (TypeError, ValueError):
        g = math.nan
    if not math.isfinite(g) or g < 0:
        return t("gap_unknown", lang)
    if g < 1e-9:
        return "0.00%"
    if g < 5e-5:
        return t("gap_under", lang)
    return f"{100 * g:.2f}%"


def solver_gap_text(solver: dict, lang: str = "zh") -> str:
    """", at most 0.13 % from the proven best" for a solve that stopped short of a proof, else ""."""
    gap = solver.get("mip_gap")
    if solver.get("status") == "optimal" or not isinstance(gap, (int, float)) or not 0 <= gap < 1:
        return ""
    # a gap that rounds to nothing is still a gap: "under 0.01%", never "at most 0.00%"
    if gap < 5e-5:
        return t("solver_gap_tiny", lang)
    return t("solver_gap", lang, gap=f"{100 * gap:.2f}%")


def catalogue(lang: str) -> dict[str, str]:
    """Every string in one language, for the browser scripts."""
    return {k: (v[1] if lang == "en" else v[0]) for k, v in _STRINGS.items()}


def pick(zh: str | None, en: str | None, lang: str) -> str:
    """Choose between two data fields (e.g. ``name_zh`` / ``name_en``)."""
    return (en or zh or "") if lang == "en" else (zh or en or "")


def share_text(share) -> str:
    """"72.7%"; a share short of full never reads "100.0%" (99.96% of the people served is not all
    of them), nor a share above nothing "0.0%"."""
    if share is None or not math.isfinite(float(share)):
        return "–"
    x = 100 * float(share)
    text = f"{x:.1f}%"
    if (text == "100.0%" and x < 100) or (text == "0.0%" and x > 0):
        text = f"{x:.2f}%"
        if text == "100.00%":
            text = "<100%"
        elif text == "0.00%":
            text = ">0%"
    return text


def fields_text(keys, lang: str) -> str:
    """Facility attributes (geo.datasets.EDIT_FIELDS keys) as the popup labels them: "地址、联系电话" / "address,
    phone": the Data page's diff and edits and `coverplan data` say them alike."""
    from geo.datasets import EDIT_FIELDS

    order = [k for k in EDIT_FIELDS if k in keys] + [k for k in keys if k not in EDIT_FIELDS]
    words = [t("field_" + k, lang) if k in EDIT_FIELDS else str(k) for k in order]
    return "、".join(words) if lang == "zh" else ", ".join(w.lower() for w in words)


def with_unit(label: str, unit: str | None, lang: str = "zh") -> str:
    """A label with what it counts or measures after it: 平均出行成本（分钟）/ Mean cost (min);
    the label alone without a unit. One place for the bracket every table, chart and export uses."""
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


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
    "auth_login": ("登录", "Log in"),
    "auth_login_note": ("本服务器供多个单位共用，请使用管理员分配的账号登录。",
                        "This server is shared by several bureaus: log in with the account your administrator gave you."),
    "auth_name": ("用户名", "User name"),
    "auth_password": ("密码", "Password"),
    "auth_wrong": ("用户名或密码不正确。", "Wrong user name or password."),
    "auth_logout": ("退出", "Log out"),
    "auth_change_password": ("修改密码", "Change password"),
    "auth_password_note": ("首次登录或密码被重置后，须先把一次性密码改为您自己的密码（至少 8 个字符）。",
                           "After the first login or a reset, replace the one-time password with your own "
                           "(at least 8 characters)."),
    "auth_password_note_own": ("新密码至少 8 个字符；修改后，您在其他浏览器或设备上的登录将失效。",
                               "The new password needs at least 8 characters; once changed, your logins in other "
                               "browsers or devices end."),
    "auth_password_current": ("当前密码", "Current password"),
    "auth_password_new": ("新密码", "New password"),
    "auth_password_again": ("再次输入新密码", "New password again"),
    "auth_viewer_tip": ("您的账号只有查看权限，不能修改数据或方案。", "Your account may view only; it cannot change data or proposals."),
    "auth_citywide_tip": ("只有市级规划人员或管理员可以上传路网。", "Only a city-wide planner or an administrator may upload a road network."),
    "role_viewer": ("查看者", "viewer"),
    "role_planner": ("规划人员", "planner"),
    "role_admin": ("管理员", "administrator"),
    "nav_admin": ("账号管理", "Accounts"),
    "admin_title": ("账号与审计日志", "Accounts and audit log"),
    "admin_users": ("用户", "Users"),
    "admin_role": ("角色", "Role"),
    "admin_add_user": ("新增用户", "Add a user"),
    "admin_add": ("新增", "Add"),
    "admin_add_note": ("系统生成一次性密码，仅显示一次，请当面或电话告知本人；首次登录须修改。县区只对规划人员有效（空 = 全市）。",
                       "A one-time password is generated and shown once: give it to the person directly; it must be "
                       "changed at first login. A county applies to planners only (empty = whole city)."),
    "admin_onetime": ("一次性密码（仅显示一次）", "One-time password (shown once)"),
    "admin_active": ("正常", "active"),
    "admin_disabled": ("已停用", "disabled"),
    "admin_must_change": ("待修改密码", "must change password"),
    "admin_disable": ("停用", "Disable"),
    "admin_enable": ("启用", "Enable"),
    "admin_reset": ("重置密码", "Reset password"),
    "admin_reset_done": ("已重置密码", "Password reset"),
    "admin_saved": ("已保存", "Saved"),
    "admin_audit": ("审计日志", "Audit log"),
    "admin_action": ("操作", "Action"),
    "admin_object": ("对象", "Object"),
    "admin_detail": ("详情", "Details"),
    "admin_time": ("时间", "Time"),
    "admin_filter": ("筛选", "Filter"),
    "admin_prev": ("上一页", "Previous"),
    "admin_next": ("下一页", "Next"),
    "audit_login": ("登录成功", "login"),
    "audit_login_failed": ("登录失败", "login failed"),
    "audit_login_locked": ("登录被锁定", "login locked"),
    "audit_logout": ("退出登录", "logout"),
    "audit_password_changed": ("修改密码", "password changed"),
    "audit_password_reset": ("重置密码", "password reset"),
    "audit_user_added": ("新增用户", "user added"),
    "audit_user_disabled": ("停用用户", "user disabled"),
    "audit_user_enabled": ("启用用户", "user enabled"),
    "audit_user_changed": ("修改角色/县区", "role or county changed"),
    "audit_import_confirmed": ("确认导入", "import confirmed"),
    "audit_network_uploaded": ("上传路网", "road network uploaded"),
    "audit_edit": ("编辑设施", "facility edit"),
    "audit_rollback": ("回退数据版本", "data rollback"),
    "audit_proposal_started": ("提交方案计算", "proposal solve started"),
    "audit_proposal_saved": ("保存方案", "proposal saved"),
    "audit_proposal_renamed": ("修改方案名称/备注", "proposal renamed"),
    "audit_proposal_deleted": ("删除方案", "proposal deleted"),
    "audit_job_cancelled": ("取消计算", "job cancelled"),
    "audit_job_finished": ("提前停止计算并保存方案", "job stopped early, plan saved"),
    "audit_refused": ("被拒绝的操作（超出权限）", "refused (beyond the account's rights)"),
})

# -- strings: hardening --
_STRINGS.update({
})

# -- strings: capacity --
_STRINGS.update({
    # register checks
    "cap_not_number": ("{column}“{value}”不是整数，该设施按容量未知导入",
                       "{column} '{value}' is not a whole number; the facility is imported with its capacity unknown"),
    "cap_negative": ("{column}“{value}”为负数，该设施按容量未知导入",
                     "{column} '{value}' is negative; the facility is imported with its capacity unknown"),
    "cap_implausible": ("{column}“{value}”不合理：单处设施不超过 {limit}，可能是单位错误或填入了合计数",
                        "{column} '{value}' is implausible: one facility has at most {limit}; a wrong unit "
                        "or a total typed into the row?"),
    "cap_fix_number": ("请填写不小于0的整数（如 60 或 60张），不知道时留空",
                       "Write a whole number >= 0 (e.g. 60), or leave it blank when unknown"),
    "cap_not_counted": ("{column}“{value}”：此类设施不计容量，该值未导入", "{column} '{value}': this type counts no "
                        "capacity, so the value is not imported"),
    # a day-care centre's 床位数 without 日托位 (planner.register other_units)
    "cap_other_unit": ("{column}“{value}”：{type}的容量按{unit}计，本行未填{unit}，其容量记为未知（该值按原列保存，不计为{unit}）",
                       "{column} '{value}': a {type}'s capacity is counted in {unit}, which this row does not give, so "
                       "its capacity is unknown (the value is kept in its column, not counted as {unit})"),
    "cap_fix_other_unit": ("如这些实为{unit}，请填在“{header_zh}”列", "If these are {unit}, give them in a column headed "
                           "'{header_en}' or '{header_zh}'"),
    "cap_fix_unit": ("请核对单位（床位数按张、墓穴按个），每处设施填一行",
                     "Check the unit (beds, plots) and give one row per facility"),
    # checklist and overview
    "cap_ratio_col": ("容量/千人（标准）", "Capacity per 1,000 (standard)"),
    "cap_shortfall_col": ("容量缺口", "Capacity shortfall"),
    "cap_ratio_export": ("容量/千人（示意）", "Capacity per 1,000 (illustrative)"),
    "cap_standard_export": ("容量标准/千人", "Standard per 1,000"),
    "cap_no_capacity": ("—", "—"),
    # the overview's bed-target breakdown (/api/beds)
    "bt_title": ("床位指标分解", "Breaking a bed target down"),
    "bt_hint": ("输入全市（或所选县区）年度新增养老床位指标，按“最大缺口率最小”分配到各乡镇（先扩建现有设施，其余新建）。",
                "Give the city's (or the chosen county's) new elderly-care beds for the year: they go to the "
                "townships so that the largest shortfall ratio is as small as it can be (existing facilities "
                "enlarged first, the rest new)."),
    "bt_target": ("新增床位数", "New beds"),
    "bt_placeholder": ("如 7136", "e.g. 7136"),
    "bt_run": ("分解", "Break down"),
    "bt_running": ("正在分解…", "Breaking down…"),
    "bt_summary": ("已分配 {allocated} 张；最大缺口率 {before} → {after}；全市床位 {supply} → {after_beds}，按标准应有 {required}。",
                   "{allocated} beds given out; largest shortfall ratio {before} → {after}; beds citywide {supply} → "
                   "{after_beds}, {required} needed by the standard."),
    "bt_summary_one": ("已分配 {allocated} 张；最大缺口率 {before} → {after}；全市床位 {supply} → {after_beds}，按标准应有 {required}。",
                       "{allocated} bed given out; largest shortfall ratio {before} → {after}; beds citywide {supply} → "
                       "{after_beds}, {required} needed by the standard."),
    "bt_col_allocated": ("分配床位", "Beds given"),
    "bt_col_enlarge": ("其中扩建现有", "Of which enlarging"),
    "bt_col_new": ("其中新建", "Of which new"),
    "bt_col_sites": ("新建处数（估）", "New sites (est.)"),
    "bt_col_before": ("分配前缺口（各乡镇之和）", "Shortfall before (sum of townships)"),
    "bt_col_after": ("分配后缺口（各乡镇之和）", "Shortfall after (sum of townships)"),
    "bt_gap_note_county": ("缺口按乡镇计算后相加：一个乡镇多出的床位不抵另一乡镇的缺口，所以可能大于本县区按标准应有床位与现有床位之差。",
                           "Shortfalls are counted per township and added up: beds to spare in one township do not "
                           "fill another's gap, so they can be larger than the county's required beds less its "
                           "existing ones."),
    "bt_gap_note": ("缺口按乡镇计算后相加：一个乡镇多出的床位不抵另一乡镇的缺口，所以大于上表按县区合计的缺口（上表中县内各乡镇的盈余与缺口相抵）。",
                    "Shortfalls are counted per township and added up: beds to spare in one township do not fill "
                    "another's gap, so they are larger than the county shortfalls in the table above (which net "
                    "the townships of a county)."),
    "cap_beds_title": ("每千名60岁以上老人养老床位（按县）", "Beds per 1,000 people aged 60+, by county"),
    "cap_beds_now": ("现有床位", "Beds now"),
    "cap_beds_needed": ("按标准应有", "Needed by the standard"),
    "cap_per_1000": ("每千人", "Per 1,000"),
    "cap_standard": ("标准", "Standard"),
    "cap_shortfall": ("缺口", "Shortfall"),
    "cap_citywide": ("全市", "Citywide"),
    "cap_section": ("条目", "Section"),
    "cap_synthetic_note": ("床位数为示例名录的合成数据（示意），乡镇以下人口为普查分解（示意）；标准：{source}",
                           "Bed counts are the sample register's synthetic data (示意) and populations below "
                           "county level are derived (示意); standard: {source}"),
    "cap_derived_note": ("床位数取自已导入的名录，乡镇以下人口为普查分解（示意）；标准：{source}",
                         "Bed counts are the imported register's; populations below county level are derived (示意); "
                         "standard: {source}"),
    "cap_partial_note": ("床位数中{types}为示例名录的合成数据（示意），其余取自已导入的名录；乡镇以下人口为普查分解（示意）；标准：{source}",
                         "Bed counts of {types} are the sample register's synthetic data (示意), the others the "
                         "imported register's; populations below county level are derived (示意); standard: {source}"),
    "approx_lead": ("示意：", "示意: "),
    "approx_towns": ("乡镇边界为近似", "township boundaries approximated"),
    "approx_villages": ("村庄位置为合成数据", "village locations synthetic"),
    "approx_facilities": ("设施名录为合成数据", "facility register synthetic"),
})

# -- strings: capacity web --
_STRINGS.update({
    # units of capacity and the people a standard is stated per
    # one of each, after "1" in English (Chinese counts have no plural)
    "capw_unit1_beds": ("张床位", "bed"), "capw_unit1_day_places": ("个日托位", "day place"),
    "capw_unit1_plots": ("个墓穴/格位", "plot"), "capw_unit1_meal_places": ("个助餐位", "meal place"),
    "capw_unit_beds": ("张床位", "beds"),
    "capw_unit_day_places": ("个日托位", "day places"),
    "capw_unit_plots": ("个墓穴/格位", "plots"),
    "capw_unit_meal_places": ("个助餐位", "meal places"),
    "capw_basis_aged_60": ("名60岁以上老人", "people aged 60+"),
    "capw_basis_aged_65": ("名65岁以上老人", "people aged 65+"),
    "capw_basis_aged_80": ("名80岁以上老人", "people aged 80+"),
    "capw_basis_population": ("人", "people"),
    # map layers
    "capw_layer_capacity": ("供需（容量/标准）", "Capacity (supply / standard)"),
    "capw_layer_access": ("可达性（E2SFCA）", "Accessibility (E2SFCA)"),
    "capw_layer_beds": ("每千名60岁以上老人床位（按县）", "Beds per 1,000 aged 60+ (by county)"),
    "capw_layer_upgrades": ("改造提升候选", "Upgrade candidates"),
    "capw_legend_ratio": ("容量/按标准应有", "Capacity ÷ required by the standard"),
    "capw_supply": ("现有容量", "Supply"),
    "capw_demand": ("需求人数", "Demand"),
    "capw_required": ("按标准应有", "Required by the standard"),
    "capw_per_1000": ("每千人", "Per 1,000"),
    "capw_standard_short": ("（标准）", "(standard)"),
    "capw_ratio_to_standard": ("达标率", "Share of the standard"),
    "capw_shortfall": ("缺口", "Shortfall"),
    # the page a form with a stale security token gets (web/security.py)
    "csrf_form_title": ("表单已失效", "This form has expired"),
    "csrf_form_message": ("已拒绝：此表单的安全令牌（CSRF）缺失或无效，因此未执行任何操作。通常是因为打开本页之后，"
                          "您在其他标签页或窗口中登录、退出或修改了密码。请重新打开本页后再试。",
                          "Refused: this form's security token (CSRF) is missing or invalid, so nothing was done. This "
                          "happens when you signed in, signed out or changed your password in another tab or window after "
                          "this page was opened. Load the page again and try once more."),
    "csrf_form_signed_in": ("您当前以 {name} 的身份登录。", "You are signed in as {name}."),
    "csrf_form_signed_out": ("您当前未登录。", "You are not signed in."),
    "csrf_form_reload": ("重新打开本页", "Load the page again"),
    "csrf_form_continue": ("以 {name} 的身份继续", "Continue as {name}"),
    "csrf_form_sign_in": ("登录", "Sign in"),
    "capw_cap_unknown": ("未填容量（按 0 计）", "No capacity stated (as 0)"),
    "capw_access_value": ("可达性指数（每千人）", "Access (per 1,000 within reach)"),
    "capw_sites_in_reach": ("服务半径内设施", "Facilities within reach"),
    "capw_method": ("方法", "Method"),
    # upgrade candidates on the map
    "capw_upgrade_run": ("计算改造候选", "Find candidates"),
    "capw_upgrade_hint": ("在现有设施中选出改造提升（或转型）后新增服务最多的 K 处；数据来源见结果下的说明。",
                          "Chooses the K existing facilities whose upgrade (or conversion) serves the most "
                          "additional demand; the notes under the result say which data are illustrative (示意)."),
    "capw_upgrade_running": ("正在计算…", "Calculating…"),
    "capw_upgrade_result": ("{n} 处；服务 {before} → {after} / {demand} {basis}",
                            "{n} facilities; served {before} → {after} of {demand} {basis}"),
    "capw_convert_into": ("转型为{role}", "convert into {role}"),
    "brief_added_served": ("新增服务", "Serves more"),
    "brief_capacity_change": ("容量（改造前→后）", "Capacity (before → after)"),
    "capw_capacity_before": ("改造前容量", "Capacity before"),
    "capw_capacity_after": ("改造后容量", "Capacity after"),
    # what a site adds given the other chosen sites upgraded (planner.upgrades): the column says its basis,
    # so the per-site figures need not add up to the total's gain
    "capw_added_served": ("新增服务人数（其他选中点位已改造时）", "Serves more (given the others upgraded)"),
    "capw_added_sum_note": ("“新增服务人数”按其他选中点位均已改造（或转型）时计算，各行相加为 {sum}，不等于总新增 {total}：选中的点位相互分担需求，不能相加。",
                            "\"Serves more\" is each site's figure given the others upgraded (or converted): the rows add up to {sum}, "
                            "not the {total} added in all, as the chosen sites share the demand; do not add them."),
    # the proposal form
    "capw_kind": ("方案类型", "Kind of proposal"),
    "capw_kind_location": ("新建选址（覆盖）", "New sites (coverage)"),
    "capw_kind_sized": ("新建选址（规模与预算）", "New sites with sizes and a budget"),
    "capw_kind_upgrade": ("改造提升现有设施", "Upgrade existing facilities"),
    "capw_sizes": ("规模档次", "Sizes"),
    "capw_sizes_hint": ("{unit}；默认 {sizes}，造价 {costs} 万元（示意）", "{unit}; default {sizes}, costing {costs} × 10,000 yuan (illustrative)"),
    "capw_costs": ("各档造价（万元）", "Cost per size (10,000 yuan)"),
    "capw_costs_hint": ("可不填：按类型默认造价（示意）插值", "Optional: the type's illustrative costs, interpolated"),
    "capw_budget_sites": ("预算：新址数", "Budget: new sites"),
    "capw_budget_cost": ("预算：总造价（万元）", "Budget: total cost (10,000 yuan)"),
    "capw_budget_hint": ("填写新址数或总造价；都不填时按 {p} 处", "Give a number of sites or a total cost; neither: {p} sites"),
    "capw_k": ("改造数量 K", "How many (K)"),
    "capw_convert": ("转型（如转为区域性中心）", "Convert (e.g. into regional centres)"),
    # a saved sized or upgrade proposal
    "model_sized_single_source_mip": ("规模选址（单一来源整数规划）", "sizes and sites (single-source MIP)"),
    "model_upgrade_mip": ("改造提升选择（整数规划）", "upgrade choice (MIP)"),
    "capw_sized_title": ("新址规模与服务分配", "Sizes of the new sites and who they serve"),
    "capw_size": ("规模", "Size"),
    "capw_size_cost": ("规模 · 造价（万元，示意）", "Size · cost (10,000 yuan, illustrative)"),
    "capw_cost": ("造价（万元，示意）", "Cost (10,000 yuan, illustrative)"),
    "capw_cost_each": ("每处 {cost}，共 {n} 处", "{cost} each, {n} sites"),
    "capw_cost_each1": ("每处 {cost}，共 {n} 处", "{cost} each, {n} site"),  # "1 sites" (QA 25)
    "capw_load": ("服务人数", "Served"),
    "capw_utilisation": ("使用率", "Utilisation"),
    "capw_n_villages": ("分配村（社区）数", "Number of villages assigned"),
    "capw_assigned_villages": ("分配的村（社区）", "Villages assigned"),
    "capw_capacity_summary": ("按容量的服务情况", "Served through capacity"),
    "capw_served": ("已服务", "Served"),
    "capw_served_share": ("服务比例", "Share served"),
    "capw_unserved_villages": ("未服务的村（社区）", "Villages not served"),
    "capw_unserved_people": ("未服务人数", "People not served"),
    "capw_remaining_shortfall": ("剩余容量缺口", "Remaining shortfall"),
    "capw_shortfall_note": ("剩余容量缺口按服务标准内未获服务的需求换算：既含设施已满的地方，也含标准内没有设施可达的村（社区），"
                            "因此可能大于“供需”图层按各地现有容量与需求相抵算出的缺口。",
                            "The remaining shortfall converts the demand left unserved within the standard: where "
                            "facilities are full, and also villages no facility reaches within it, so it can exceed "
                            "the Capacity layer's shortfall, which sets each place's capacity against its demand."),
    "capw_total_cost": ("新址总造价（万元，示意）", "Cost of the new sites (10,000 yuan, illustrative)"),
    "capw_budget": ("预算", "Budget"),
    "capw_existing_title": ("现有设施的使用率", "Existing facilities' utilisation"),
    "capw_by_county": ("按县：剩余缺口", "By county: remaining shortfall"),
    "capw_upgrade_title": ("改造提升的设施（按优先顺序）", "Facilities to upgrade, in priority order"),
    "capw_convert_title": ("转型的设施（按优先顺序）", "Facilities to convert, in priority order"),
    "capw_chosen": ("选中", "Chosen"),
    "capw_limit": ("每县上限", "Limit per county"),
    "capw_sites_n": ("{n} 处", "{n} sites"),
    "capw_show_villages": ("查看", "show"),
    "capw_wan": ("万元", "× 10,000 yuan"),
    "capw_village_names": ("分配的村（社区）名单", "Names of the villages assigned"),
    # what an upgrade or conversion proposal is called where a new-site one says "new sites"
    "capw_n_upgraded": ("改造提升设施数", "Facilities upgraded"),
    "capw_n_converted": ("转型设施数", "Facilities converted"),
    "capw_upgraded_tag": ("改造提升", "upgraded"),
    "capw_converted_tag": ("转型", "converted"),
    "capw_upgrade_by_county": ("各县区改造提升设施", "Upgrades by county"),
    "capw_convert_by_county": ("各县区转型设施", "Conversions by county"),
    "brief_upgraded_sites": ("改造提升设施（共 {total} 处）", "Facilities to upgrade ({total})"),
    "brief_converted_sites": ("转型设施（共 {total} 处）", "Facilities to convert ({total})"),
    "n_sites_col": ("站点数", "Sites"),
    "capw_upgraded_sites": ("拟改造提升设施", "Facilities to upgrade"),
    "capw_converted_sites": ("拟转型设施", "Facilities to convert"),
    "search_no_match": ("没有匹配的乡镇或村（社区）", "No township or village matches"),
    "beyond_standard_units": ("其中超出服务标准的单元", "Of which beyond the standard"),
    "beyond_standard_title": ("最远的服务对象超出服务标准：{n} 个单元仍未覆盖", "The farthest served are beyond the standard: {n} units stay uncovered"),
    "time_limit_label": ("计算时限（秒）", "Time limit (s)"),
    "form_too_small": ("不能小于 {min}。", "Must be at least {min}."),
    "form_too_large": ("不能大于 {max}。", "Must be at most {max}."),
    "form_whole_number": ("请填写整数。", "Enter a whole number."),
    # "e.g. 12.5" was said of whole-number fields too (K, sites: QA 27): an example every number field takes
    "form_not_a_number": ("请填写数字（如 8），不要包含字母或单位。", "Enter a number (e.g. 8), without letters or units."),
    # the proposal form's own checks of what the server refuses (QA 21), said before anything is sent
    "form_sizes_bad": ("请填写 1 至 {n} 个大于 0 的数，以逗号分隔，如 30,60,100。",
                       "Enter 1 to {n} numbers above 0 separated by commas, e.g. 30,60,100."),
    "form_size_too_big": ("{value} 超过单处设施的合理规模：每处最多 {max} {unit}。",
                          "{value} is more than any single facility holds: at most {max} {unit} a site."),
    "form_costs_bad": ("请填写大于 0 的造价，以逗号分隔，如 300,500,750。",
                       "Enter costs above 0 separated by commas, e.g. 300,500,750."),
    "form_size_twice": ("规模 {value} 重复：给出造价时每个规模只能填一次。", "Size {value} is given twice: with costs, give each size once."),
    "form_costs_count": ("每个规模填一个造价：共 {n} 个。", "Give one cost per size: {n} in all."),
    "form_budget_min": ("不能少于一处站点的造价：{cost} 万元（规模 {size}）。",
                        "Must be at least the cost of one site: {cost} × 10,000 yuan (size {size})."),
})


# -- strings: English pages (county names, plan sections, API reference) --
_STRINGS.update({
    # the targets of a per-village register attribute (charity funds...) have no facility type
    "tgt_village_attribute": ("村（社区）项目", "Village/community programme"),
    "rows_header": ("图层行数", "Rows in layer"),
    # geo.datasets._rows_taken: a register replaces its layer whole; boundaries and village points only the units given
    "rows_header_tip": ("该版本写入的行数：设施名录按整个图层计（整体替换）；乡镇边界、村点按文件中给出的单元计（只替换这些单元）",
                        "The rows this version wrote: a register's whole layer (it replaces the layer); for township "
                        "boundaries or village points, the units the file gives (only those are replaced)"),
    "api_doc_title": ("接口文档", "API reference"),
    "api_doc_intro": ("本页说明 coverplan 的 JSON 接口：网页上显示的所有内容都可以由脚本取得。"
                      "以下参考文档为英文；接口本身的提示信息中英文俱全（message_zh / message_en），"
                      "请求时加 ?lang=zh 即返回中文。",
                      "The JSON API behind every page of coverplan: whatever the browser shows can also be "
                      "fetched by a script. Messages come in both languages (message_zh / message_en); "
                      "?lang=en answers in English."),
    "api_doc_contents": ("目录", "Contents"),
    # a filter's first option and a popup's row label start a line: capitalised in English
    "all_option": ("全部", "All"),
    "covered_label": ("已覆盖", "Covered"),
})
# (English pages) end

# -- strings: QA4 page fixes (header 示意, provenance, checklist search, compare) --
_STRINGS.update({
    "facilities_partly_sample": ("设施（{total} 类中 {n} 类仍为示例）", "Facilities ({n} of {total} types still the sample)"),
    "illustrative_layers": ("示意（近似或合成）：{layers}", "Illustrative (approximate or synthetic): {layers}"),
    "layer_list_sep": ("、", ", "),
    "fac_src_planner": ("规划人员提供的名录：{items}", "The planner's own register: {items}"),
    "fac_src_mixed": ("部分为规划人员导入或编辑、其余仍为合成示例（示意）：{items}",
                      "partly imported or edited by planners, the rest still the synthetic sample (illustrative): {items}"),
    "fac_src_sample": ("其余类型仍为 coverplan 合成示例（示意）：{items}",
                       "other types are still the coverplan synthetic sample (illustrative): {items}"),
    "tw_text_contains": ("乡镇、代码或县区含“{q}”", 'township, code or county contains "{q}"'),
    "tw_search_ph": ("乡镇 / 代码 / 县区", "Township / code / county"),
    "cap_na_title": ("本乡镇不单独比较容量：无此类需求人口，或此类设施按县配置、服务全县（容量在县级比较）",
                     "No capacity comparison for this township: it has no demand of this kind, or the type is "
                     "provided per county and serves the whole county (compared per county)"),
    "cmp_pick_two": ("请先在“选址方案”列表中勾选同一设施类型的两个方案，再点“对比所选”。",
                     "Tick two proposals of the same facility type in the Site proposals list, then choose "
                     "Compare selected."),
    "cmp_to_list": ("前往选址方案列表", "Go to the site proposals list"),
    "map_source": ("来源", "Source"),
    "map_src_planner": ("规划人员提供（{file}，数据版本 {v}）", "planner-supplied ({file}, data version {v})"),
    "cmp_same_twice": ("两次选择的是同一个方案，无法与自身对比。请在“选址方案”列表中勾选两个不同的方案，再点“对比所选”。",
                       "Both choices are the same proposal: it cannot be compared with itself. Tick two different "
                       "proposals in the Site proposals list, then choose Compare selected."),
})
# (QA4 page fixes) end

# -- strings: QA4 import fixes (assumed CRS) --
_STRINGS.update({
    "reg_crs_assumed": ("文件没有给出坐标系（如缺少 .prj 文件）；因坐标值都在经纬度范围内，已按WGS84/CGCS2000经纬度读取",
                        "the file states no coordinate system (e.g. no .prj file); as its values are all in degree "
                        "range, they were read as WGS84/CGCS2000 lon/lat"),
    "reg_fix_crs_assumed": ("如坐标不是WGS84/CGCS2000经纬度，请在“数据管理”页面的“投影坐标系”一栏（命令行用 --crs）填写文件的"
                            "坐标系（如 EPSG:4546），或将 .prj 文件一并压缩后重新上传",
                            "If they are not WGS84/CGCS2000 lon/lat, give the file's coordinate system in the "
                            "Projected CRS field on the Data page (--crs on the command line), e.g. EPSG:4546, or zip "
                            "the .prj file with the layer, and upload again"),
})
# (QA4 import fixes) end

# -- strings: QA6 proposal fixes (fixe) --
_STRINGS.update({
    "capw_added_alone": ("单独改造时新增", "Serves more if upgraded alone"),
    "plan_sites_col": ("站点", "Sites"),
    "plan_sites_new": ("新增 {n} 处", "{n} new"),
    "plan_sites_upgraded": ("改造 {n} 处", "{n} upgraded"),
    "plan_sites_converted": ("转型 {n} 处", "{n} converted"),
    "edit_done_after_reload": ("已保存，现为数据版本 v{v}。", "Saved: now on data version v{v}."),
    "brief_cluster_key": ("聚合的拟建点（气泡中数字为点数）", "clustered proposed sites (the number counts them)"),
})
# (QA6 proposal fixes) end

# -- strings: QA7 fixes (qa7b) --
_STRINGS.update({
    "cost_saving_col": ("cost_saving（{weight}×{unit}）", "cost_saving ({weight} × {unit})"),
    "cost_saving_per_unit": ("需求单元", "demand units"),
})
# (QA7 fixes, qa7b) end

# -- strings: QA7 proposal fixes (qa7c) --
_STRINGS.update({
    "proposal_scope": ("范围：{name}（本县区的需求、设施与候选点）",
                       "Scope: {name} (the county's demand, facilities and candidate sites)"),
})
# (QA7 proposal fixes, qa7c) end

# -- strings: QA22 scope fixes (qa22 scope) --
_STRINGS.update({
    # the proposal form's 范围 (sent as ``county``) and the bed-target card's
    "scope_hint": ("选择县区时，只按该县区的需求、现有设施与候选点求解。",
                   "With a county, the proposal is solved on that county's demand, facilities and candidate sites only."),
    "scope_locked": ("您的账号限于 {county}：方案只能为本县区制定。",
                     "Your account is limited to {county}: its proposals are for that county only."),
    "bt_county_hint": ("选择县区时，输入的是该县区自己的新增床位指标，只在其乡镇（街道）间分配。",
                       "With a county, the number is that county's own new beds, given out over its townships only."),
    "bt_summary_county": ("已分配 {allocated} 张；最大缺口率 {before} → {after}；{county}床位 {supply} → {after_beds}，按标准应有 {required}。",
                          "{allocated} beds given out; largest shortfall ratio {before} → {after}; beds in {county} "
                          "{supply} → {after_beds}, {required} needed by the standard."),
    "bt_summary_county_one": ("已分配 {allocated} 张；最大缺口率 {before} → {after}；{county}床位 {supply} → {after_beds}，按标准应有 {required}。",
                              "{allocated} bed given out; largest shortfall ratio {before} → {after}; beds in {county} "
                              "{supply} → {after_beds}, {required} needed by the standard."),
    "bt_county_total": ("{county}合计", "{county}, total"),
    # the compare page: which proposal the change is subtracted from
    "cmp_change_b_minus_a": ("变化（B − A）", "Change (B − A)"),
})
# (QA22 scope fixes, qa22 scope) end

# (QA8 data fixes, qa8g)
_STRINGS.update({
    "src_edited_import": ("规划人员提供（{file}），在地图上修改（数据版本 {v}）",
                          "planner-supplied ({file}), changed on the map (data version {v})"),
    "data_formats_network": ("支持 OpenStreetMap 路网（.osm、.osm.pbf）或 GraphML（.graphml）",
                             "OpenStreetMap road network (.osm, .osm.pbf) or GraphML (.graphml)"),
})
# (QA8 data fixes, qa8g) end

# -- strings: QA8 proposal fixes (qa8f) --
_STRINGS.update({
    "proposal_network_note": ("出行时间按路网计算", "Travel times on the road network"),
    "proposal_network_note_m": ("距离按路网计算", "Distances on the road network"),
    # a network proposal's targets are measured on the road network while one is loaded (web.pages)
    "targets_on_estimate": ("当前没有加载路网，规划目标按估算方式（直线×绕行系数）衡量，与按路网计算的前后对比口径不同。",
                            "No road network is loaded now, so the targets are measured on the estimate (straight "
                            "line × detour factor), not on the road network of the before/after figures."),
    "targets_on_network": ("规划目标与前后对比同样按路网衡量。",
                           "Targets are measured on the road network, as the before/after figures are."),
    "scope": ("范围", "Scope"),
    "scope_city": ("全市", "Whole city"),
    "scope_not_comparable": ("范围不同，不可比", "different scopes: not comparable"),
    "mode_not_comparable": ("出行方式不同，不可比", "different travel modes: not comparable"),
    "site_unit_one": ("处", "site"),
    "unit_unit_one": ("个单元", "unit"),
})
# (QA8 proposal fixes, qa8f) end

# -- strings: QA8 map/CLI fixes (qa8h) --
_STRINGS.update({
    # the map legend's supply scale, titled for the layer that is on ({std}: the standard's figure)
    "capw_legend_beds": ("每千名60岁以上老人床位（标准 {std} 张）", "Beds per 1,000 aged 60+ (standard: {std})"),
    "capw_legend_beds_ratio": ("每千名60岁以上老人床位/标准", "Beds per 1,000 aged 60+ ÷ the standard"),
    "capw_legend_access": ("可达性指数/标准", "Accessibility ÷ the standard"),
    "capw_legend_mixed": ("占标准的比例（各已开图层）", "Share of the standard (layers on)"),
})
# (QA8 map/CLI fixes, qa8h) end

# -- strings: QA9 data fixes (qa9d) --
_STRINGS.update({
    # a facility row changed or added on the map, without saying who: an administrator edits too,
    # and the row does not record the editor's role
    "src_map_added": ("在地图上添加（数据版本 {v}）", "added on the map (data version {v})"),
    "src_map_edited": ("在地图上修改（数据版本 {v}）", "changed on the map (data version {v})"),
    "src_map_edited_sample": ("示例数据（示意），在地图上修改（数据版本 {v}）",
                              "sample data (illustrative), changed on the map (data version {v})"),
})
# (QA9 data fixes, qa9d) end

# -- strings: QA10 display fixes (qa10c) --
_STRINGS.update({
    # `coverplan coverage`: which share each figure is, and what the weight counts
    "cli_cov_units": ("按单元数：已覆盖 {covered} / {units} 个需求单元（{pct}）",
                      "By units: {covered} / {units} demand units covered ({pct})"),
    "cli_cov_weighted": ("按{weight}加权：已覆盖 {covered} / {total} 人（{pct}）",
                         "Weighted by {weight}: {covered} / {total} people covered ({pct})"),
    "cli_cov_counties": ("各县区：单元占比 = 已覆盖单元 / 需求单元（即网页“各县区覆盖率”图的数字）；"
                         "加权覆盖率按{weight}计",
                         "By county: unit share = covered units / demand units (the figures of the web's "
                         "coverage-by-county chart); weighted share by {weight}"),
    "cli_cov_counties_units": ("各县区：单元占比 = 已覆盖单元 / 需求单元（即网页“各县区覆盖率”图的数字）",
                               "By county: unit share = covered units / demand units (the figures of the web's "
                               "coverage-by-county chart)"),
    "cli_col_unit_share": ("单元占比", "unit share"),
    "cli_col_weighted": ("按{weight}", "by {weight}"),
    "cli_col_uncovered": ("未覆盖单元", "uncovered units"),
    # checklist export: the unit of a column whose unit depends on the facility type
    "weight_units_count": ("需求单元数", "demand units"),
    "weight_unit_col": ("需求权重单位", "Demand weight unit"),
    "cap_unit_col": ("容量缺口单位", "Capacity shortfall unit"),
    # the checklist download's per-1,000 columns named by what they count, when the rows share it (web.exports)
    "ratio_unit_col": ("每千人容量的单位", "Per-1,000 capacity unit"),
    "cap_ratio_export_of": ("{unit}（示意）", "{unit} (illustrative)"),
    "cap_standard_export_of": ("{unit}（标准）", "{unit} (standard)"),
})
# (QA10 display fixes, qa10c) end

# -- strings: QA11 export fixes (qa11e) --
_STRINGS.update({
    # a proposed site's units: the whole that "of which beyond the standard" is a part of
    "site_served_units": ("由该点服务的单元（以其为最近设施）", "Units it serves (its nearest facility)"),
    "site_served_of_beyond": ("其中 {n} 个超出服务标准", "of which {n} beyond the standard"),
    # offline map export: what a weighted share is weighted by, and the data drawn
    "covered_share_by": ("覆盖率（按{w}）", "Covered share (by {w})"),
    "data_version_row": ("数据版本", "Data version"),
    "site_popup_hint": ("点击地图上的乡镇、设施或点位查看详情", "Click a township, facility or site for its figures"),
    "legend_share_by": ("乡镇覆盖率（按{w}）", "Township covered share (by {w})"),
})
# (QA11 export fixes, qa11e) end

# -- strings: QA11 register fixes (qa11f) --
_STRINGS.update({
    # the register's 来源 of a row added or changed on the map: the popup's words, and who made that version
    "fac_source_map": ("在地图上添加或修改", "added or changed on the map"),
    "fac_src_author": ("{text}，操作人 {author}", "{text}, by {author}"),
    # the register table's column for the attributes a planner edits in the popup
    "fac_details": ("容量、地址等", "Capacity, address etc."),
})
# (QA11 register fixes, qa11f) end

# -- strings: QA11 page fixes (qa11h) --
_STRINGS.update({
    # a capacity ratio names what it counts and per whom: "每千名60岁以上老人日托位" (capw_basis_*, capw_noun_*)
    "capw_per_1000_of": ("每千{basis}{unit}", "{unit} per 1,000 {basis}"),
    "capw_noun_beds": ("床位", "Beds"),
    "capw_noun_day_places": ("日托位", "Day places"),
    "capw_noun_plots": ("墓穴/格位", "Plots"),
    "capw_noun_meal_places": ("助餐位", "Meal places"),
    # the plan package's targets table as a file
    "plan_export_proposals": ("所选方案：{names}", "proposals: {names}"),
    "plan_export_none": ("未选择方案（组合后与现状相同）", "no proposal picked (after the package = now)"),
    "plan_col_met_now": ("现状是否达标", "Met now"),
    "plan_col_met_after": ("组合后是否达标", "Met after the package"),
    "plan_col_note": ("说明", "Note"),
    # not the page's "+5 sites": a cell starting with "+" reads as a formula and gets a leading '
    "plan_export_sites_added": ("新增 {n} 处", "{n} sites added"),
    "plan_col_illustrative": ("示意（含合成数据）", "Illustrative (synthetic inputs)"),
    "plan_export_unknown": ("以下方案不存在（可能已删除）：{ids}。", "These proposals do not exist (perhaps deleted): {ids}."),
    "plan_export_unknown_hint": ("请从地址中删去它们，或在“规划组合”页重新勾选方案后再导出。",
                                 "Remove them from the address, or pick the proposals again on the plan package page, then export."),
})
# (QA11 page fixes, qa11h) end

# -- strings: QA19 page fixes (qa19p) --
_STRINGS.update({
    # a page left open after its login ended (logged out elsewhere, the account disabled): its fetches get 401
    "password_changed_notice": ("密码已修改。", "Your password was changed."),
    "session_ended": ("登录已失效（可能已在别处退出或账号已停用），本页的数据无法再加载或保存。",
                      "Your login has ended (logged out elsewhere, or the account was disabled): this page can no "
                      "longer load or save data."),
    "session_login_again": ("重新登录后回到本页", "Log in again and come back to this page"),
    # a new data version (a colleague's import or edit) while a page shows an older one
    "data_changed_notice": ("数据已更新为 v{v}（本页显示的是 v{shown}，可能是他人导入或编辑了数据）。",
                            "The data are now version {v} (this page shows v{shown}: a colleague may have imported "
                            "or edited data)."),
    "data_changed_reload": ("刷新本页", "Reload this page"),
    # a proposal the user may not change or delete (web/auth.py may_manage_proposal): its controls are off
    "auth_manage_tip": ("只有方案的创建者、管理员或同一范围的规划人员可以修改或删除此方案",
                        "Only its author, an administrator or a planner of the same scope may change or delete "
                        "this proposal"),
    "auth_rerun_tip": ("您只能重新求解本县区范围的方案。", "You may re-run only the proposals of your county."),
    # a county planner cannot roll back (rollback is city-wide): the import's "a rollback brings them back" is not his
    "data_rollback_county_note": ("回退只能由管理员或全市范围的规划人员操作：如需恢复，请联系他们。",
                                  "Only an administrator or a city-wide planner can roll back: ask one if the rows "
                                  "need restoring."),
    # the mean and percentile travel costs are weighted by the type's demand weight: said under their tables
    "cost_weight_note": ("平均出行成本与90%分位出行成本均{w}。", "Mean and 90th percentile travel costs are {w}."),
    "cost_weight_aged_60": ("按60岁以上人口加权", "weighted by people aged 60+"),
    "cost_weight_aged_65": ("按65岁以上人口加权", "weighted by people aged 65+"),
    "cost_weight_aged_80": ("按80岁以上人口加权", "weighted by people aged 80+"),
    "cost_weight_population": ("按常住人口加权", "weighted by resident population"),
    "cost_weight_units": ("按需求单元计算（每个单元同等计）", "taken over the demand units, each counted equally"),
})
# (QA19 page fixes, qa19p) end
# -- strings: QA20 import fixes (qa20i) --
_STRINGS.update({
    # 建成年份 / 改造年份 that is no year (planner.register.read_year): the facility is imported, the year left empty
    "reg_year_unreadable": ("{column}“{value}”不是年份，该设施按年份未知导入",
                            "{column} '{value}' is not a year; the facility is imported with the year unknown"),
    "reg_year_excel_serial": ("{column}“{value}”不是年份，像是Excel日期的序列号（即 {day}），该设施按年份未知导入",
                              "{column} '{value}' is not a year but looks like an Excel date serial number "
                              "({day}); the facility is imported with the year unknown"),
    "reg_year_early": ("{column}“{value}”早于 {min} 年，不像是建成或改造年份，该设施按年份未知导入",
                       "{column} '{value}' is before {min}, not a plausible year; the facility is imported with "
                       "the year unknown"),
    "reg_year_future": ("{column}“{value}”晚于今年（{max} 年），尚未建成或改造，该设施按年份未知导入",
                        "{column} '{value}' is after this year ({max}): not built or upgraded yet; the facility is "
                        "imported with the year unknown"),
    "reg_fix_year": ("请填写四位数年份（如 2025），也可填日期（2025-06-01）或“2025年”；年份须在 {min} 年至 {max} 年之间；"
                     "如该列在Excel中显示为数字，请将单元格格式设为日期或直接填写年份",
                     "Write a four-digit year (e.g. 2025) or a date (2025-06-01); the year must lie "
                     "between {min} and {max}. If Excel shows the column as numbers, format the cells as dates or "
                     "type the year"),
    # a 坐标 column (lon and lat in one cell) whose cell holds one number
    "reg_lonlat_single": ("{column}“{value}”只有一个数，而该列须同时填写经度和纬度",
                          "{column} '{value}' holds one number, but the column needs both longitude and latitude"),
    "reg_fix_lonlat_single": ("请在一个单元格中填写“经度,纬度”（如 110.78,32.63），或分成“经度”“纬度”两列；"
                              "如表头为两行（“坐标”下分“经度”“纬度”），请检查第二行表头是否完整",
                              "Write 'lon,lat' in the cell (e.g. 110.78,32.63), or use two columns, longitude and "
                              "latitude (headed lon and lat); with a two-row header (a coordinates heading over "
                              "longitude and latitude), check that the second header row is complete"),
    # a code column Excel turned into a number in scientific notation (4.20302E+08)
    "reg_code_scientific": ("{column}“{value}”被Excel变成了科学计数法的数字，代码的位数已丢失",
                            "{column} '{value}' was turned into a number in scientific notation by Excel: the "
                            "code's digits are lost"),
    "reg_fix_code_scientific": ("请在原工作簿中把该列的单元格格式设为“文本”，重新填入完整代码（如 420302001）后再导出；"
                                "导出的CSV上传前不要再用Excel打开保存",
                                "In the original workbook, format the column as Text, type the full codes again "
                                "(e.g. 420302001) and export the file again; do not open the exported CSV in Excel "
                                "before uploading"),
    # a longitude (latitude) with a minus sign that lies in the region without it
    "reg_negative_coord": ("{which}为负数（{value}）：去掉负号后点位在{region}范围内，负号应是误加的",
                           "the {which} is negative ({value}): without the minus sign the point lies in {region}; "
                           "the minus sign looks like a typo"),
    "reg_fix_negative_coord": ("请删去{which}前的负号（中国的经度为东经、纬度为北纬，均为正数）",
                               "Delete the minus sign before the {which} (longitudes east and latitudes north, as in "
                               "China, are positive)"),
})
# (QA20 import fixes, qa20i) end
# -- strings: QA20 page fixes (qa20pa) --
_STRINGS.update({
    # the column-mapping card of a register without a type column: the type of all its rows, chosen there
    "data_map_type_hint": ("文件没有类型列时，在此选择全部设施的类型；选择后“类型”一列可不指定。",
                           "When the file has no type column, choose the type of all its facilities here; the "
                           "type column can then be left empty."),
    # /admin and POST /api/admin/users on a server that asks for no login (web/auth.py open_mode_text)
    "admin_open_title": ("本服务器不要求登录", "This server does not ask for logins"),
    "admin_open_auto": ("本服务器只在本机地址（{host}）上监听，启动时未加 --auth required，因此不要求登录："
                        "打开本应用的人都以本机管理员身份使用，没有人会用这里的账号登录。",
                        "This server listens on this computer's address only ({host}) and was not started with "
                        "--auth required, so it does not ask for logins: whoever opens the app is the local "
                        "administrator, and nobody signs in with the accounts here."),
    "admin_open_forced": ("本服务器启动时加了 --auth open，因此不要求登录：打开本应用的人都以本机管理员身份使用，"
                          "没有人会用这里的账号登录。",
                          "This server was started with --auth open, so it does not ask for logins: whoever opens "
                          "the app is the local administrator, and nobody signs in with the accounts here."),
    "admin_open_embedded": ("本服务器不是由 coverplan serve 启动的（未给出监听地址），且未设 AUTH=\"required\"，因此不要求登录："
                            "打开本应用的人都以本机管理员身份使用，没有人会用这里的账号登录。",
                            "This server was not started by coverplan serve (no listening address was given) and "
                            "AUTH is not \"required\", so it does not ask for logins: whoever opens the app is the "
                            "local administrator, and nobody signs in with the accounts here."),
    "admin_open_effect": ("账号只在要求登录的服务器上生效：启动时加 --auth required，或在默认的 --auth auto 下"
                          "监听本机以外的地址（如 --host 0.0.0.0）。",
                          "Accounts take effect only on a server that asks for logins: one started with "
                          "--auth required, or listening beyond this computer (e.g. --host 0.0.0.0) under the "
                          "default --auth auto."),
    "admin_open_add_off": ("本服务器不要求登录，不能在此新增账号（见页首说明）。",
                           "This server does not ask for logins: no account can be added here (see the note at the "
                           "top)."),
    "admin_open_refused": ("因此本页不新增账号、不重置密码（其一次性密码在本服务器上无处使用）。如需为要求登录的服务器"
                           "预先准备账号，请在命令行使用 coverplan users add（与服务器使用同一数据库，--db）。",
                           "So this page adds no account and resets no password (their one-time passwords could not "
                           "be used on this server). To prepare accounts for a server that asks for logins, use "
                           "coverplan users add on the command line (on the server's database, --db)."),
    # the plan package: the data version each proposal was solved on (/plan, its CSV/XLSX)
    "plan_col_version": ("数据版本", "Data version"),
    "plan_version_tip": ("方案求解时所用的数据版本；当前数据为 v{cur}",
                         "The data version the proposal was solved on; the current data are v{cur}"),
    "plan_version_not_current": ("不是当前数据", "not the current data"),
    "plan_after_versions": ("方案求解所用数据：{versions}（当前 v{cur}）", "proposals solved on data {versions} "
                            "(current: v{cur})"),
    "plan_after_versions_current": ("方案基于当前数据 v{cur}", "proposals solved on the current data (v{cur})"),
    "plan_after_versions_same": ("方案求解所用数据：{versions}，与当前数据 v{cur} 相同（回退）",
                                 "proposals solved on data {versions}, the same as the current v{cur} (a rollback)"),
    "plan_version_stale": ("所选方案中，以下方案不是在当前数据（v{cur}）上求解的：{list}。组合后的数字是把这些方案的"
                           "站点加到当前数据的设施上算出的，可能与各方案页上按当时数据算出的前后对比不一致；"
                           "如需一致，请在方案页按当前数据重新计算。",
                           "Proposals picked that were not solved on the current data (v{cur}): {list}. The figures "
                           "after the package add their sites to the current data's facilities, so they can differ "
                           "from the before/after figures each proposal's page shows on the data it was solved on; "
                           "to make them agree, solve those proposals again on the current data (on their pages)."),
    "plan_col_versions": ("方案所用数据版本", "Proposals' data versions"),
    "plan_export_stale": ("其中{list}不是在当前数据 v{cur} 上求解的：组合后的数字把其站点加到当前数据上计算",
                          "{list} not solved on the current data v{cur}: the figures after the package add their "
                          "sites to the current data"),
})
# (QA20 page fixes, qa20pa) end

# -- strings: QA20 page fixes (qa20pb) --
_STRINGS.update({
    # the saved-proposal list: where and on which data each row was solved
    "list_scope_data": ("范围 · 数据", "Scope · data"),
    "list_outdated": ("非当前数据", "older data"),
    "list_outdated_tip": ("本方案基于数据版本 v{v}，当前数据为 v{cur}：其前后对比的数字与当前数据上的方案不可直接比较；"
                          "可在方案页按当前数据重新计算。",
                          "Solved on data version v{v}; the current data are v{cur}: its before/after figures do not "
                          "compare with proposals on the current data. Its page can solve it again on the current data."),
    # a proposal's page: the name cannot be saved empty
    "proposal_name_empty": ("方案名称不能为空", "The name cannot be empty"),
    # the township checklist's 示意 badge, explained under the heading
    "checklist_illustrative_note": ("本清单的覆盖情况按村（社区）点位及其人口、设施名录计算，结果仅为示意。",
                                    "The covered shares in this checklist are computed from village points, their "
                                    "populations and the facility register, so they are illustrative."),
})
# (QA20 page fixes, qa20pb) end

# -- strings: QA23 page fixes (qa23p) --
_STRINGS.update({
    # /api-doc on the Chinese page: the reference below is English (web/API.md), said before it
    "api_doc_en_note": ("说明：下方的接口参考为英文原文，未译成中文。其中的地址、参数名、字段名和错误代码在中英文界面下完全相同，"
                        "可直接照用。本文档供技术人员用脚本读取数据、批量计算或与其他系统对接；日常规划工作在各页面上完成即可，"
                        "无需阅读本文档。",
                        "Note: the API reference below is in English only. Its addresses, parameter names, field "
                        "names and error codes are the same in both languages. It is for technical staff who fetch "
                        "data with scripts, run batches or connect other systems; day-to-day planning is done on the "
                        "pages and does not need it."),
    # POST /account/password on a server that asks for no login (web/auth.py open_mode_text)
    "password_open_refused": ("因此本服务器上没有密码可修改，未作任何更改。如需为要求登录的服务器设置账号密码，请在命令行使用 "
                              "coverplan users passwd（与服务器使用同一数据库，--db）。",
                              "So there is no password to change on this server: nothing was changed. To set an "
                              "account's password for a server that asks for logins, use coverplan users passwd on "
                              "the command line (on the server's database, --db)."),
    # /proposals/compare: what its address takes (a=&b=, or ids=a,b), said when it is given something else
    "cmp_unknown_params": ("对比页不使用地址中的参数 {names}。对比页的地址写作 /proposals/compare?a=方案编号&b=方案编号"
                           "（或 ?ids=方案编号,方案编号），两个方案须为同一设施类型的已保存方案。",
                           "The compare page does not read {names} in its address. Write the address as "
                           "/proposals/compare?a=ID&b=ID (or ?ids=ID,ID) with the IDs of two saved proposals of "
                           "the same facility type."),
    "cmp_ids_two": ("参数 ids 须为以英文逗号分隔的两个方案编号（?ids=方案编号,方案编号），此处为 {n} 个。",
                    "The ids parameter takes two proposal IDs separated by a comma (?ids=ID,ID); it has {n}."),
    "cmp_ids_and_ab": ("请只用一种写法给出两个方案：?a=方案编号&b=方案编号，或 ?ids=方案编号,方案编号，不要同时使用。",
                       "Give the two proposals one way only: ?a=ID&b=ID, or ?ids=ID,ID, not both."),
    # the map's place search on a narrow box (a phone): the placeholder that fits (map.js addSearch)
    "search_place_short": ("搜索地名或拼音", "Place or pinyin"),
})
# (QA23 page fixes, qa23p) end

# -- strings: QA23 bed breakdown (qa23b) --
_STRINGS.update({
    # the bed card's column of beds too few for a new site of their own (planner.beds: beds_to_place)
    "bt_col_place": ("待安排床位（不足一处）", "Beds to place (too few for a site)"),
    # a county proposal's page and brief: the plan's targets beside it are the city's (proposal.html)
    "targets_city_suffix": ("（全市）", " (whole city)"),
    # the card's rows are rounded one by one, its totals once (beds.js)
    "bt_round_note": ("各数取整到张；合计由未取整的数相加后取整，可能与各行之和相差一两张。",
                      "Figures are rounded to whole beds; a total adds the unrounded figures, so it may differ "
                      "from the sum of its rows by a bed or two."),
})

# -- strings: QA 24 web fixes (qa24w) --
_STRINGS.update({
    # the travel-cost chart's last bar holds every cost beyond the charted range (web/charts.py open_end_labels)
    "chart_open_end_note": ("最后一档“≥ {lo}”不封顶：含出行成本在 {lo}及以上的全部需求（最远 {max}）。",
                            "The last bar, \"≥ {lo}\", is open-ended: it counts all demand {lo} or more away "
                            "(the farthest {max})."),
    # the map legend's band while it has rows below its bottom edge (map.js foldableLegend)
    "legend_more": ("下方还有更多", "More below"),
    # the map's upgrade card: one facility chosen (capacity_map.js); Chinese counts have no plural
    # the plan's "after" notes of one site (planner.targets after_notes); Chinese counts have no plural
    "plan_export_sites_added_one": ("新增 {n} 处", "{n} site added"),
    "plan_upgraded_also_converted_one": ("另有 {n} 处同时被转型，只计入转型目标",
                                         "{n} more chosen for upgrade is converted in the same package and counts as "
                                         "a conversion only"),
    "plan_sites_not_in_data_one": ("方案中有 {n} 处设施不在当前数据中（方案求解后数据已更换），不计入",
                                   "{n} of the proposals' facilities is not in the current data (it changed after "
                                   "they were solved): not counted"),
    "plan_built_not_converted_one": ("新建的 {n} 处不计入转型目标（只计由农村福利院转型的）",
                                     "the {n} new-built site does not count: only rural welfare homes converted do"),
    "capw_upgrade_result_one": ("{n} 处；服务 {before} → {after} / {demand} {basis}",
                                "{n} facility; served {before} → {after} of {demand} {basis}"),
})

# -- strings: QA 25 sized / upgrade web fixes (qa25f4) --
_STRINGS.update({
    # a budget of one site (web/templates/_sized_proposal.html, brief.html): "Budget 1 sites" (QA 25)
    "capw_sites_n1": ("{n} 处", "{n} site"),
    # a conversion's columns (page and downloads) say converted, not upgraded (QA 25)
    "capw_added_served_converted": ("新增服务人数（其他选中点位已转型时）", "Serves more (given the others converted)"),
    "capw_added_alone_converted": ("单独转型时新增", "Serves more if converted alone"),
    # the upgrade brief's notes under its sites: what its numbers rest on (QA 25)
    "brief_notes": ("说明", "Notes"),
})

# F1 (accounts and login), QA 27 items 1, 4, 10: login locks on /admin, confirmations, sign-out notice
_STRINGS.update({
    "admin_locks": ("登录限制", "Login locks"),
    "admin_locks_note": ("登录失败次数过多时，账号（在某地址）会被锁定，或某地址的所有登录会被暂停；到期自动解除，也可在此提前解除。",
                         "Too many failed logins lock an account (from one address) or pause every login from an "
                         "address; each ends by itself, or lift it here."),
    "admin_lock_what": ("对象", "Locked"),
    "admin_lock_kind": ("类型", "Kind"),
    "admin_lock_left": ("剩余", "Time left"),
    "admin_lift": ("解除", "Lift"),
    "admin_lifted": ("已解除：{what}", "Lifted: {what}"),
    "admin_confirm_lift": ("解除对 {what} 的限制？", "Lift the lock on {what}?"),
    "lock_kind_name": ("账号锁定", "account locked"),
    "lock_kind_address": ("地址暂停", "address paused"),
    "lock_kind_password": ("密码修改锁定", "password change locked"),
    "lock_kind_all": ("全部限制", "all locks"),
    "audit_lock_lifted": ("解除登录限制", "login lock lifted"),
    "admin_confirm_reset": ("重置 {name} 的密码？其登录将立即失效。", "Reset the password of {name}? His sessions end at once."),
    "admin_confirm_disable": ("停用 {name}？其登录将立即失效。", "Disable {name}? His sessions end at once."),
    "admin_disabled_done": ("已停用 {name}，其会话已结束", "{name} disabled; his sessions ended"),
    "admin_enabled_done": ("已启用 {name}，可以重新登录", "{name} enabled; he may log in again"),
    "admin_reset_done_name": ("已重置 {name} 的密码，其会话已结束", "Password of {name} reset; his sessions ended"),
    "admin_saved_name": ("已保存 {name} 的角色和县区", "Role and county of {name} saved"),
    "admin_self_reset_title": ("不能在此重置自己的密码：请用页首的“修改密码”（/account/password）",
                               "You cannot reset your own password here: use \"Change password\" (/account/password)"),
    "auth_signed_out": ("您已退出。", "You have signed out."),
    "auth_logout_confirm": ("要退出登录吗？", "Sign out?"),
})

# -- fixer F4, QA 27 items 1, 2, 5: provenance labels per layer and type; unknown capacity on the checklist
_STRINGS.update({
    "approx_villages_some": ("{k}/{n} 个村庄位置为合成数据（已导入 {m} 个）",
                             "{k} of {n} village locations synthetic ({m} imported)"),
    "approx_population": ("县以下人口分布为按规则推算", "population split below county level derived"),
    "approx_facilities_of": ("{types}的设施名录为合成示例", "facility registers of {types} synthetic (the sample)"),
    "prov_imported_villages": ("村庄位置取自已导入的{file}（数据版本 {v}）",
                               "village locations from the imported {file} (data version {v})"),
    "prov_file_version": ("{file}，数据版本 {v}", "{file}, data version {v}"),
    "prov_version": ("规划人员数据，数据版本 {v}", "the planner's data, data version {v}"),
    "prov_imported_register": ("设施名录取自已导入的名录（{where}）", "facility register imported ({where})"),
    "prov_imported_registers": ("已导入的设施名录：{list}", "imported registers: {list}"),
    "prov_paren": ("（{x}）", " ({x})"),
    "prov_export_approx": ("示意：{items}，仅供方法检验", "illustrative (示意): {items}"),
    "prov_brief_approx": ("示意：本简报所用数据中，{items}，仅供讨论与方法检验，不作为最终决策依据；决策前请导入本单位权威数据",
                          "示意 (illustrative) in the data behind this brief: {items}; for discussion only, not a "
                          "basis for decisions until your authoritative data are imported"),
    "cap_unknown_cell": ("容量未知（{n} 处）", "capacity unknown ({n})"),
    "cap_lower_bound_title": ("{n}/{total} 处设施未填写容量，按 0 计：比值为下限，缺口为上限",
                              "{n} of {total} facilities state no capacity, counted as 0: the ratio is a lower "
                              "bound, the shortfall an upper bound"),
    "cap_lower_bound_mark": ("（{n} 处容量未知）", " ({n} capacity unknown)"),
    "fac_register_row": ("设施名录", "Facility register"),
    "fac_register_cli": ("{file}（--facilities 所指文件）", "{file} (the --facilities file)"),
    "fac_register_sample": ("coverplan 合成示例（示意）", "coverplan synthetic sample (示意)"),
    "map_src_sample_row": ("coverplan 合成示例（示意）", "coverplan synthetic sample (示意)"),
    "map_src_planner_nofile": ("规划人员提供（数据版本 {v}）", "planner-supplied (data version {v})"),
    "q_loc_official_pop_derived": ("位置已导入；人口为推算（示意）", "location imported; population derived (示意)"),
})

# -- F6, QA 27 item 2/5: the CLI's service-standard line and notes --
_STRINGS.update({
    "cli_standard_within": ("服务标准：{standard}以内为已覆盖", "Service standard: covered within {standard}"),
    "cli_standard_inside": ("服务标准：辖区内有设施即为已覆盖", "Service standard: covered when a facility lies inside the area"),
})

# -- F2, QA 27 items 1/3/4/6: the author of a proposal, a job cut off by a restart, the network note for those
# who may not upload one --
_STRINGS.update({
    "proposal_owner": ("创建者", "Made by"),
    "proposal_owner_unknown": ("（未记录）", "(not recorded)"),
    "network_unavailable_ask": (
        "本服务尚未加载路网，目前仅可用估算方式。上传路网须由市级规划人员或管理员进行：如需路网方式，"
        "请联系他们在“数据管理”页上传 OpenStreetMap 路网（.osm / .osm.pbf）。",
        "No road network is loaded, so only the estimate mode is available. A road network can be uploaded by a "
        "city-wide planner or an administrator only: to use network mode, ask one of them to upload an "
        "OpenStreetMap extract (.osm / .osm.pbf) on the Data page."),
    "job_restored": ("服务器重启前提交的计算", "a calculation started before the server restarted"),
    "job_dismiss": ("关闭", "Dismiss"),
})

# -- F6, QA 27 item 1: `coverplan targets --proposal` on proposals of other data versions --
_STRINGS.update({
    "targets_version_unknown": ("{name} 未记录求解所用的数据版本（由较早的 coverplan 写出）：组合后的数字把其站点加到当前数据 v{cur} 上计算",
                                "{name} does not record the data version it was solved on (written by an earlier "
                                "coverplan): the figures after add its sites to the current data v{cur}"),
    "targets_sites_forbidden": ("{name} 中有 {n} 处站点所在的候选点现已标为禁选：{sites}；组合后的数字仍计入这些站点，"
                                "请在当前数据上重新求解该方案",
                                "{name}: {n} sites stand on candidate sites now marked forbidden: {sites}; the figures "
                                "after still count them: solve the proposal again on the current data"),
    "targets_sites_forbidden_one": ("{name} 中有 {n} 处站点所在的候选点现已标为禁选：{sites}；组合后的数字仍计入该站点，"
                                    "请在当前数据上重新求解该方案",
                                    "{name}: {n} site stands on a candidate site now marked forbidden: {sites}; the "
                                    "figures after still count it: solve the proposal again on the current data"),
})

# -- F3a, QA 27 items 1-5: a county's register replaces its counties only; the mapping card; capacity edits;
# comparing any two versions --
_STRINGS.update({
    "data_replace_city": ("替换全市该类设施", "Replace the whole city's facilities of the type"),
    "data_replace_city_hint": ("不勾选时只替换文件各行所在县区的该类设施，其他县区的保持不变。",
                               "Unticked, only the counties the file's rows lie in are replaced; the other "
                               "counties' facilities stay unchanged."),
    "data_map_change_status": ("请在下方更改列对应，然后重新校验。", "Change the column mapping below, then check again."),
    "edit_capacity_bad": ("容量请填整数（如 80 或 80张），或留空表示未知。",
                          "Type the capacity as a whole number (e.g. 80), or leave it blank when unknown."),
    "edit_fields_kept": ("您填写的内容已保留：再次点“编辑属性”即可改正后重新提交。",
                         "What you typed is kept: click \"Edit details\" again to correct it and send it again."),
    "data_compare_from": ("对比版本", "Compare version"),
    "data_compare_to": ("与", "with"),
    "data_compare_same": ("请选择两个不同的版本。", "Choose two different versions."),
    "data_sev_note": ("说明", "note"),
})

# -- fixer F4, QA 27 item 2 (more): the sample's registers counted when many
_STRINGS.update({
    "approx_facilities_n": ("{total} 类设施中 {n} 类的设施名录为合成示例", "{n} of {total} facility types' registers synthetic (the sample)"),
})

# -- fixer F4, QA 27 item 2 (more): a type's register imported for part of the city
_STRINGS.update({
    "approx_facilities_part": ("设施名录部分为合成示例（其余取自已导入的名录：{where}）",
                               "facility register partly synthetic (the sample; the rest imported: {where})"),
})

# -- F2, QA 27 item 5: a sized proposal's empty site table says so --
_STRINGS.update({
    "capw_no_new_sites": ("未新建站点。", "No new site."),
})

# session 6: the web checklist export's uncovered-units column (the CLI's has had it)
_STRINGS.update({
    "uncovered_units": ("未覆盖单元", "Uncovered units"),
})

# session 6: a register imported for some counties only, among all types (the overview's map note, exports)
_STRINGS.update({
    "approx_facilities_part_of": ("部分导入的设施名录（其余县区为合成示例）：{list}",
                                  "registers partly imported (the other counties synthetic, the sample): {list}"),
})
# -- fixer F4, QA 28 items 4 and 10: every interrupted calculation listed with its start; Dismiss kept on the server
_STRINGS.update({
    "job_restored_many": ("服务器重启前提交的计算，已中断：", "Calculations cut off by a server restart:"),
    "job_restored_started": ("开始于 {time}", "started {time}"),
    "job_restored_cut": ("因服务器重启而中断", "cut off by a server restart"),
    "job_restored_ran": ("中断前至少已运行 {s} 秒", "it had run at least {s} s"),
    "job_dismiss_failed": ("无法关闭：{why}", "Could not dismiss it: {why}"),
    "audit_job_dismissed": ("关闭已中断的计算", "interrupted job dismissed"),
})

# -- fixer F2, QA 28 item 4: the bed-target card's summary says the beds left unallocated --
_STRINGS.update({
    "bt_summary_left": ("已分配 {allocated} / {target} 张（{left} 张未分配：各乡镇缺口已全部补足，其余超出标准）；"
                        "最大缺口率 {before} → {after}；全市床位 {supply} → {after_beds}，按标准应有 {required}。",
                        "{allocated} of {target} beds given out ({left} not allocated: every township's gap is closed, the rest is "
                        "beyond the standard); largest shortfall ratio {before} → {after}; beds citywide {supply} → "
                        "{after_beds}, {required} needed by the standard."),
    "bt_summary_county_left": ("已分配 {allocated} / {target} 张（{left} 张未分配：各乡镇缺口已全部补足，其余超出标准）；"
                               "最大缺口率 {before} → {after}；{county}床位 {supply} → {after_beds}，按标准应有 {required}。",
                               "{allocated} of {target} beds given out ({left} not allocated: every township's gap is closed, "
                               "the rest is beyond the standard); largest shortfall ratio {before} → {after}; beds in "
                               "{county} {supply} → {after_beds}, {required} needed by the standard."),
})

# -- fixer F1, QA 28 items 1-3: the brief's per-size costs row is illustrative as the total's row is
_STRINGS.update({
    "capw_costs_illustrative": ("各档造价（万元，示意）", "Cost per size (10,000 yuan, illustrative)"),
})

# -- fixer F2, QA 29 items 4-5: a sized proposal's default budget (CLI), the brief's solver status
_STRINGS.update({
    "capw_budget_usual": ("未给出 --budget 或 --budget-cost：按该类型的常用新建数 {n} 处求解（与网页相同）；"
                          "可用 --budget 或 --budget-cost 指定预算。",
                          "Neither --budget nor --budget-cost was given: solved for the type's usual number of new "
                          "sites, {n} (as on the web); give --budget or --budget-cost to set the budget."),
})

# -- fixer F3, QA 29 items 2, 8, 11: the plan targets table's numeric columns (web /plan/targets.xlsx, CLI targets --out)
_STRINGS.update({
    "plan_col_target_value": ("目标值", "Target value"),
    "plan_col_progress_now": ("现状进度", "Progress now"),
    "plan_col_progress_after": ("组合后进度", "Progress after the package"),
})


def share_number_format(text: str) -> str | None:
    """The XLSX number format that shows a share as :func:`share_text` wrote it ("72.7%" -> "0.0%", "99.96%" ->
    "0.00%"), or None where no format can ("<100%", ">0%", "–"): such a cell keeps the text."""
    if not text.endswith("%") or not text[:1].isdigit():
        return None
    return "0%" if "." not in text else "0." + "0" * (len(text) - text.index(".") - 2) + "%"

# -- fixer F1, QA 29 item 1: the offline proposal maps' scope row and what the CLI's map does not know
_STRINGS.update({
    "map_scope_county": ("{name}（本县区的需求、设施与候选点）", "{name} (the county's demand, facilities and candidate sites)"),
    "map_file_date": ("方案文件日期", "Proposal file dated"),
    "map_scope_unrecorded": ("全市（方案文件未记录范围，按全市计算）",
                             "whole city (the proposal file records no scope; computed for the whole city)"),
    "map_version_differs": ("v{now}（方案求解于 v{solved}：按当前数据计算）",
                            "v{now} (the proposal was solved on v{solved}: computed on the current data)"),
})

# -- fixer F1, QA 29 item 1 (cont.): a proposal file that records no model
_STRINGS.update({
    "model_unrecorded": ("方案文件未记录", "not recorded in the proposal file"),
})

# -- fixer F1, offline maps: a sized proposal's site popup names how many people its size can serve
_STRINGS.update({
    "map_site_capacity_people": ("可服务人数", "Can serve"),
})

# -- fixer F2, CLI proposal files and `targets --out`: the name, time, scope and data version a file records (as the
# web's downloads of a saved proposal do) and the web's plan package notes
_STRINGS.update({
    "f2_targets_file": ("{file}（{about}）", "{file} ({about})"),
    "f2_about_sep": ("，", ", "),
    "f2_version_unrecorded": ("未记录数据版本", "data version not recorded"),
    "f2_version_unrecorded_short": ("未记录", "not recorded"),
})

# -- fixer F6, the plan package's upgrade-target note when the package converts homes (planner.targets after_notes):
# a conversion counts toward the conversion target, never the upgrade target, and new sites toward neither
_STRINGS.update({
    "f6_plan_new_and_converted_not_upgrades": (
        "所选方案新建设施，并转型 {n} 处：新建不计入改造提升目标，转型的 {n} 处只计入转型目标",
        "the proposals chosen build new sites and convert {n} facilities: new sites do not count toward an upgrade "
        "target, and the {n} converted count toward the conversion target only"),
    "f6_plan_new_and_converted_not_upgrades_one": (
        "所选方案新建设施，并转型 {n} 处：新建不计入改造提升目标，转型的 {n} 处只计入转型目标",
        "the proposals chosen build new sites and convert {n} facility: new sites do not count toward an upgrade "
        "target, and the one converted counts toward the conversion target only"),
    "f6_plan_converted_not_upgrades": (
        "所选方案另转型 {n} 处，只计入转型目标，不计入改造提升目标",
        "the package also converts {n} facilities: they count toward the conversion target, not the upgrade target"),
    "f6_plan_converted_not_upgrades_one": (
        "所选方案另转型 {n} 处，只计入转型目标，不计入改造提升目标",
        "the package also converts {n} facility: it counts toward the conversion target, not the upgrade target"),
})

# -- fixer F4, a point far outside the region (no datum's offset: the digits, swapped columns, the projected CRS or
# another region's rows) and the Data page's Confirm turned off when the check says the confirm would be refused
_STRINGS.update({
    "f4_fix_outside_far": (
        "该点距{region}约 {km} 公里，远大于坐标系的偏差（高德/腾讯 GCJ-02、百度 BD-09 与 WGS84 相差不到 1.5 公里），"
        "更换坐标系无济于事。请核对：经度、纬度是否有数字写错或两者填反；如为投影坐标，所选投影坐标系（带号、中央经线）"
        "是否正确；该行是否为其他地区的设施（如是请删去）",
        "The point is about {km} km from {region}, far more than a datum's offset (Amap/Tencent GCJ-02 and Baidu "
        "BD-09 lie under 1.5 km from WGS84): another coordinate system will not bring it in. Check whether the "
        "longitude or latitude has a wrong digit or the two are swapped; for projected coordinates, whether the "
        "projected CRS chosen (zone, central meridian) is right; and whether the row is another region's facility "
        "(if so, delete it)"),
    "f4_data_confirm_blocked": ("无法确认：导入将被拒绝（原因见报告开头）",
                                "Confirm is off: the import would be refused (the reason opens the report)"),
})

# -- fixer F5: township boundaries imported, named by file and data version in the 示意 summaries
_STRINGS.update({
    # {where}: every file and data version the boundaries came in (planner.maplayers.township_sources, F10)
    "f5_prov_imported_towns": ("乡镇边界取自已导入的{where}", "township boundaries from the imported {where}"),
    "f5_approx_towns_some": ("{k}/{n} 个乡镇边界为近似（{m} 个取自已导入的{where}）",
                             "{k} of {n} township boundaries approximated ({m} from the imported {where})"),
    "f5_planner_data": ("规划人员数据", "the planner's data"),
})

# -- fixer F8, CLI: `propose --sizes ''` takes the type's own sizes (as the web's blank field), a sized --gap raised to
# the least one is said, and `access` says the people below the standard and with no access beside its mean
_STRINGS.update({
    "f8_sizes_default": ("--sizes 留空：按该类型的默认规模 {sizes} 计算（与网页规模栏留空时相同）",
                         "--sizes left empty: the type's own sizes {sizes} are used (as the web does when its sizes "
                         "field is left blank)"),
    "f8_gap_raised": ("--gap {given} 小于带 --sizes 时的最小差距 {min}：已按 {min} 求解（更小的差距可能要求解数小时）",
                      "--gap {given} is below the least gap a sized proposal takes, {min}: solved at {min} (a smaller "
                      "gap can take hours to close)"),
    "f8_access_mean": ("全市平均（约为全市容量除以总需求，会掩盖局部缺口）：每千{basis} {mean} {unit}（标准 {standard}）",
                       "citywide mean (about the city's places over its whole demand, which hides local gaps): "
                       "{mean} {unit} per 1,000 {basis} (standard {standard})"),
    "f8_access_gaps": ("低于标准：{below} {who}（占需求 {below_share}）；其中完全无可达：{none}（{none_share}），"
                       "分布在 {units} {villages}",
                       "below the standard: {below} {who} ({below_share} of the demand); of them with no access at "
                       "all: {none} ({none_share}), in {units} {villages}"),
    "f8_villages": ("个村（社区）", "villages"),
    "f8_village1": ("个村（社区）", "village"),
})

# -- fixer F9: the validation report's download says what the page shows above its table (a summary: counts,
# skipped rows, encoding, CRS and datum, column mapping, what confirming replaces, why it would be refused)
_STRINGS.update({
    "f9_summary": ("概况", "Summary"),
    "f9_file": ("文件", "File"),
    "f9_rows": ("读取行数", "Rows read"),
    "f9_accepted": ("可导入", "Accepted"),
    "f9_refused": ("被拒绝", "Refused"),
    "f9_warnings": ("提醒", "Warnings"),
    "f9_skipped": ("略过的行（合计、表尾、重复行或已关闭的设施）", "Skipped rows (totals, footers, repeated rows or closed facilities)"),
    "f9_skipped_short": ("已略过", "skipped"),
    "f9_skipped_row1": ("{n} 行（第 {rows} 行）", "{n} (row {rows})"),
    "f9_skipped_rows": ("{n} 行（第 {rows} 行）", "{n} (rows {rows})"),
    "f9_located_by_name": ("按名称定位", "Placed by name"),
    "f9_outside_county": ("不在您可修改的县区内", "Outside the county you may change"),
    "f9_crs": ("坐标参照系（CRS）", "CRS"),
    "f9_datum": ("坐标系", "Datum"),
    "f9_columns": ("列对应（文件列 → 字段）", "Columns (file → field)"),
    "f9_checked_on": ("校验依据的数据版本", "Checked on data version"),
    "f9_replaces": ("确认导入将替换", "Confirming replaces"),
    "f9_identical": ("与当前数据相同", "Same as the current data"),
    "f9_blocked": ("无法确认导入", "Confirm refused"),
})

# -- fixer F10: the township boundaries named by every file and data version they came in
_STRINGS.update({
    "f10_file_version_paren": ("{file}（数据版本 {v}）", "{file} (data version {v})"),
})

# -- fixer F11: one default proposal name for the web and the CLI (planner.proposals.default_name: ``tail`` the
# web's time or the CLI's file name) and one overlap note for the plan targets (planner.targets.overlap_notes)
_STRINGS.update({
    "f11_name_location": ("{type}·{model}·{n}处·{tail}", "{type} · {model} · {n} sites · {tail}"),
    "f11_name_location_one": ("{type}·{model}·{n}处·{tail}", "{type} · {model} · {n} site · {tail}"),
    "f11_name_cover": ("{type}·{model}·{tail}", "{type} · {model} · {tail}"),
    "f11_name_sized": ("{type}·规模{sizes}·{tail}", "{type} · sizes {sizes} · {tail}"),
    "f11_name_upgrade": ("{type}·改造提升{k}处·{tail}", "{type} · upgrade {k} · {tail}"),
    "f11_name_convert": ("{type}·转型{k}处·{tail}", "{type} · convert {k} · {tail}"),
    "f11_overlap": ("“{a}”与“{b}”选中了相同的 {n} 处设施（{names}）：同一设施不能既提档升级又转型，只计入转型目标。",
                    "\"{a}\" and \"{b}\" choose the same {n} facilities ({names}): one facility cannot be both "
                    "upgraded and converted, so it counts as converted only."),
    "f11_overlap_one": ("“{a}”与“{b}”选中了相同的 {n} 处设施（{names}）：同一设施不能既提档升级又转型，只计入转型目标。",
                        "\"{a}\" and \"{b}\" choose the same {n} facility ({names}): one facility cannot be both "
                        "upgraded and converted, so it counts as converted only."),
})

# -- fixer F12: the offline map's legend folds to its heading (planner.mapexport)
_STRINGS.update({
    "f12_legend_fold": ("点按标题折叠或展开图例", "Tap the heading to fold or unfold the legend"),
})

# -- QA 30: a confirmed file's validation report says which version it made and what it replaced
_STRINGS.update({
    "qa30_made_version": ("确认后生成的数据版本", "Data version it made"),
    "qa30_replaced_said": ("确认前的说明（替换范围）", "What it replaced, as said before the confirm"),
})

# -- QA 31: the offline map's title box folds to its first figures on a phone
_STRINGS.update({
    "qa31_title_more": ("更多数字 ▸", "More figures ▸"),
    "qa31_title_less": ("收起 ▴", "Fewer figures ▴"),
    "audit_user_renamed": ("修改用户名", "user renamed"),
    "admin_rename": ("改名", "Rename"),
    "admin_rename_prompt": ("{name} 的新用户名：", "New user name for {name}:"),
    "admin_renamed_done": ("已将 {name} 改名为 {new}；其方案、角色、县区和登录会话不变", "Renamed {name} to {new}; "
                           "the account's proposals, role, county and sessions stay"),
})

# -- fixer QA31-F7: a register's sources said once per imported file, the map edits and additions counted once
_STRINGS.update({
    "qa31f7_version": ("数据版本 {v}", "data version {v}"),
    "qa31f7_versions": ("数据版本 {vs}", "data versions {vs}"),
    "qa31f7_when_inner": ("，{vs}", ", {vs}"),
    "qa31f7_when_paren": ("（{vs}）", " ({vs})"),
    "qa31f7_edited": ("其中 {n} 处在地图上修改{when}", "{n} of them changed on the map{when}"),
    "qa31f7_edited_alone": ("{n} 处在地图上修改{when}", "{n} changed on the map{when}"),
    "qa31f7_added": ("{n} 处在地图上添加{when}", "{n} added on the map{when}"),
    "qa31f7_added_more": ("另有 {n} 处在地图上添加{when}", "{n} more added on the map{when}"),
})

# -- QA 31: an upgrade's and a conversion's cluster bubbles gather existing facilities, not proposed sites
_STRINGS.update({
    "cluster_legend_upgraded": ("聚合的拟改造提升设施数（放大查看）", "clustered facilities to upgrade (zoom in)"),
    "cluster_legend_converted": ("聚合的拟转型设施数（放大查看）", "clustered facilities to convert (zoom in)"),
    "brief_cluster_key_upgraded": ("聚合的拟改造提升设施（气泡中数字为设施数）",
                                   "clustered facilities to upgrade (the number counts them)"),
    "brief_cluster_key_converted": ("聚合的拟转型设施（气泡中数字为设施数）",
                                    "clustered facilities to convert (the number counts them)"),
})

# -- fixer QA31-F3: the data page's "Rows in layer" means one thing on every row (web/data.py _rows_of_version)
_STRINGS.update({
    "qa31_rows_tip": ("该版本之后图层中的行数（回退：所恢复图层的行数）；导入的版本在其下另注文件的行数",
                      "The rows the layer holds after this version (a rollback: the layers it restored); under an "
                      "import, the rows of its file"),
})

# -- fixer QA32-FC: a login ended by an administrator says why at its next request (web/auth.py _session_ended)
_STRINGS.update({
    "qa32fc_ended_disabled": ("您的账号已被管理员停用，本次登录已结束。如需继续使用，请联系管理员。",
                              "Your account was disabled by an administrator, which ended this login. Contact your "
                              "administrator if you need it again."),
    "qa32fc_ended_reenabled": ("管理员曾停用您的账号，本次登录因此结束；账号现已重新启用，请重新登录。",
                               "This login ended when an administrator disabled your account; the account has been "
                               "enabled again since: log in again."),
    "qa32fc_ended_reset": ("管理员已重置您的密码，本次登录已结束。请用管理员告知的新密码（一次性密码）登录，登录后须设置自己的密码。",
                           "An administrator reset your password, which ended this login. Log in with the new "
                           "one-time password your administrator gives you; you will then set your own."),
    "qa32fc_ended_changed": ("您的密码已被修改（在其他会话中或由管理员修改），本次登录已结束。请用新密码登录。",
                             "Your password was changed (in another session or by an administrator), which ended "
                             "this login. Log in with the new password."),
})

# -- fixer QA32-FB: `coverplan restore` in the audit log (cli/backup.py writes it); the qa32fb_* keys are the words
# for its details (backup_created, backup_versions, dropped_versions, dropped_proposals, dropped_proposal_names)
_STRINGS.update({
    "audit_restore": ("恢复备份", "backup restored"),
    "qa32fb_created": ("备份时间 {v}", "backup of {v}"),
    "qa32fb_versions": ("备份中有 {n} 个数据版本", "data versions in the backup: {n}"),
    "qa32fb_dropped_versions": ("丢弃了备份之后的数据版本 {vs}", "data versions made after the backup dropped: {vs}"),
    "qa32fb_no_dropped_versions": ("未丢弃数据版本", "no data version dropped"),
    "qa32fb_dropped_proposals": ("丢弃了 {n} 个方案", "proposals dropped: {n}"),
    "qa32fb_dropped_names": ("（{names}）", " ({names})"),
})

# -- fixer QA32-FA: a register without a capacity (address ...) column keeps the current facilities' values
# (planner.register _Rows.keep_current / kept_notes)
_STRINGS.update({
    "qa32fa_no_capacity": ("文件没有{noun}（容量）列", "the file has no {noun} (capacity) column"),
    "qa32fa_kept_capacity": ("{n} 处现有设施保留原{noun}（共 {total} {unit}{unknown}）",
                             "{n} current {facilities} {keep} {their} {noun} ({total} in all{unknown})"),
    "qa32fa_kept_unknown": ("；其中 {n} 处原即未知", "; {n} of them {had} none known"),
    "qa32fa_new_capacity": ("{n} 处新设施{noun}未知", "{n} new {facilities} {have} {noun} unknown"),
    "qa32fa_noun_beds": ("床位", "beds"), "qa32fa_unit_beds": ("张", "beds"),
    "qa32fa_noun_day_places": ("日托位", "day places"), "qa32fa_unit_day_places": ("个", "day places"),
    "qa32fa_noun_plots": ("墓穴/格位", "burial places"), "qa32fa_unit_plots": ("个", "burial places"),
    "qa32fa_noun_meal_places": ("助餐位", "meal places"), "qa32fa_unit_meal_places": ("个", "meal places"),
    "qa32fa_no_details": ("文件没有{fields}列", "the file has no column for {fields}"),
    "qa32fa_kept_details": ("{n} 处现有设施保留原有的{fields}", "{n} current {facilities} {keep} {their} values"),
    "qa32fa_new_details": ("{n} 处新设施没有这些信息", "{n} new {facilities} {have} none"),
    "qa32fa_kept_synthetic": ("{n} 处设施沿用的是示意设施的数据：导入后仍标为示意数据",
                              "{n} {facilities} {keep} values of sample (示意) facilities: once imported "
                              "{they} {stay} labelled synthetic (示意)"),
})

# -- fixer QA32-FF: an upload's report says what the confirm changes (web/data.py _upload_changes, data.js), and a
# version's file rows name the totals/footer rows skipped
_STRINGS.update({
    "qa32ff_changes_title": ("确认后的变化", "What the confirm changes"),
    "qa32ff_changes_none": ("确认后没有新增、移除、移动、更名或属性变化的设施。",
                            "On confirm, no facility is added, removed, moved, renamed or otherwise changed."),
    "qa32ff_changes_more": ("另有 {n} 处未列出（确认后可在数据版本比较中查看）",
                            "{n} more not listed (compare the versions after the confirm)"),
})

# -- fixer QA32-FD: the bed-target card's rows add up to its total row (planner.beds.whole_beds)
_STRINGS.update({
    "qa32fd_whole_note": ("各数取整到张：合计为全市（或本县区）的数取整，各行按最大余数法分配，各行之和等于合计。",
                          "Figures are whole beds: the total is the city's (or the county's) figure rounded, shared "
                          "over the rows by largest remainder, so the rows add up to the total exactly."),
})

# -- fixer QA32-FE: a saved proposal is outdated when the data it was solved on changed (web.proposals.data_state),
# and the plan page's list says each proposal's scope
_STRINGS.update({
    "qa32fe_data_unaffected": ("基于数据版本 v{v} 求解；此后的数据变化（{layers}）不涉及本方案所用的数据，结果仍适用"
                               "（当前数据为 v{cur}）。",
                               "Solved on data version v{v}; the data changed since ({layers}), but not the data "
                               "this proposal was solved on: its figures still hold (the current data are v{cur})."),
    "qa32fe_data_same": ("基于数据版本 v{v} 求解，其数据与当前数据 v{cur} 相同。",
                         "Solved on data version v{v}, which holds the same data as the current v{cur}."),
    "qa32fe_changed": ("此后已更改：{layers}", "changed since: {layers}"),
    "qa32fe_unaffected_short": ("所用数据未变", "its data unchanged"),
    "qa32fe_after_versions_unaffected": ("方案求解所用数据：{versions}；此后的数据变化不涉及这些方案所用的数据（当前 v{cur}）",
                                         "proposals solved on data {versions}; the changes since do not touch the "
                                         "data they use (current: v{cur})"),
    "qa32fe_scope": ("范围", "Scope"),
})


# -- QA 32: the lead's own keys
_STRINGS.update({
    "ds_author_here": ("本机", "this computer"),
    "bt_still_short": ("分配后各乡镇（街道）合计仍缺 {n} 张（一个乡镇多出的床位不抵另一乡镇的缺口）。",
                       "After it, townships are still {n} beds short in all (one township's spare beds do not fill "
                       "another's gap)."),
    "ds_validated_skipped": ("（文件共 {rows} 行，其中 {skipped} 行为合计、表尾、重复行或已关闭的设施，已略过）",
                             " (the file's {rows} rows include {skipped} totals, footer or repeated rows or closed "
                             "facilities, skipped)"),
})

# -- fixer QA32-FB2: what `coverplan restore` says of the accounts (the advice; the words are QA32-FB3's), the audit
# entries it carries forward, and an upload's 409 after a restore (web/data.py)
_STRINGS.update({
    "qa32fb2_advice": ("如有账号是出于安全原因在备份之后停用或修改密码的，请立即重新停用或重设密码"
                       "（coverplan users disable / passwd）。",
                       "If an account was disabled or had its password changed after the backup for safety's sake, "
                       "disable it or set its password again now (coverplan users disable / passwd)."),
    "qa32fb2_audit_kept": ("审计日志保留了备份之后的 {n} 条记录，本次恢复的记录排在其后。",
                           "The audit log keeps the entries made after the backup (kept: {n}); this "
                           "restore's entry follows them."),
    # an upload checked before a restore (web/data.py): the version its report was made on is gone
    "qa32fb2_restored_by": ("{who}于 {at} 恢复了备份 {archive}（备份时间 {created}）",
                            "{who} restored the backup {archive} (made {created}) at {at}"),
    "qa32fb2_restored_unknown": ("审计日志中没有这次恢复的记录", "the audit log holds no entry of it"),
    "qa32fb2_changed": ("本文件校验后数据已从备份恢复：{restored}。校验报告所基于的数据版本 {checked} 已不在恢复后的数据中"
                        "{since}，当前为版本 {now}。未导入任何内容。",
                        "The data were restored from a backup after this file was checked: {restored}. The report "
                        "was made on data version {checked}, which the restored data do not hold{since}; version "
                        "{now} is now current. Nothing was imported."),
    "qa32fb2_since": ("；此后{by}", "; since then, {by}"),
    "qa32fb2_hint": ("恢复备份后须重新校验本文件：请按当前数据重新校验（页面会自动进行），查看校验报告后再确认。",
                     "After the restore the file must be checked again: check it against the current data (the page "
                     "does it), read the report, then confirm."),
})


def restore_accounts_text(state, lang: str = "zh", county=None) -> str:
    """What a restore did with the accounts (geo.backup: its ``account_state``, also the ``accounts`` detail of its
    audit entry), in words: "账号保持恢复前的现状（未恢复为备份时的状态）……", or why the backup's accounts were
    used (no database replaced, none held there, or unreadable); then the restored proposals' authors kept from
    the backup, disabled, and the backup's accounts not restored. "" for anything but such a dict. ``county`` is
    unused (an older signature's)."""
    from planner.textrules import escaped  # a name hiding characters is written out (as \uXXXX), never rendered

    if not isinstance(state, dict) or "kept" not in state:
        return ""
    en = lang == "en"
    sep, end = (", ", " ") if en else ("、", "")

    def names(key) -> str:
        listed = state.get(key) if isinstance(state.get(key), list) else []
        return sep.join(escaped(str(n)) for n in listed)

    if state.get("kept"):
        said = [t("qa32fb3_kept", lang)]
    else:
        reason = state.get("reason")
        said = [t(f"qa32fb3_backup_{reason}" if reason in ("new", "no_accounts", "unreadable")
                  else "qa32fb3_backup", lang)]
    if names("authors_kept_disabled"):
        said.append(t("qa32fb3_authors", lang, names=names("authors_kept_disabled")))
    if names("not_restored"):
        said.append(t("qa32fb3_not_restored", lang, names=names("not_restored")))
    return end.join(said)

# -- fixer QA32-FH: an audit search by a facility's id also lists the data versions that changed it (imports,
# rollbacks and edits: web/auth.py facility_history, admin.js)
_STRINGS.update({
    "qa32fh_title": ("数据版本中对该设施的改动", "Data versions that changed this facility"),
    "qa32fh_intro": ("导入、回退和地图编辑会生成数据版本，审计日志按文件或版本记录它们；以下是改动了设施 {fid}（{type}{name}）的数据版本，自 v{since} 起，从旧到新：",
                     "Imports, rollbacks and map edits make data versions, which the audit log records by file or "
                     "version; these data versions changed facility {fid} ({type}{name}) since v{since}, oldest first:"),
    "qa32fh_none": ("自 v{since} 起没有数据版本改动过设施 {fid}（{type}{name}）。",
                    "No data version has changed facility {fid} ({type}{name}) since v{since}."),
    "qa32fh_version": ("版本", "Version"),
    "qa32fh_kind": ("方式", "How"),
    "qa32fh_author": ("操作人", "By"),
    "qa32fh_file": ("文件", "File"),
    "qa32fh_happened": ("对该设施", "To this facility"),
    "qa32fh_diff": ("查看差异", "Show the changes"),
    "qa32fh_diff_title": ("v{a} → v{b} 的差异", "Changes from v{a} to v{b}"),
    "qa32fh_data_page": ("在“数据管理”页查看版本历史", "See the version history on the Data page"),
    "qa32fh_log_title": ("审计日志中的记录", "Entries of the audit log"),
    "qa32fh_kind_import": ("导入", "import"),
    "qa32fh_kind_edit": ("地图编辑", "map edit"),
    "qa32fh_kind_rollback": ("回退", "rollback"),
    "qa32fh_kind_embedded": ("内置数据", "embedded data"),
    "qa32fh_this_computer": ("本机", "this computer"),
    "qa32fh_did_added": ("加入", "added"),
    "qa32fh_did_removed": ("移除", "removed"),
    "qa32fh_did_changed": ("修改", "changed"),
    "qa32fh_rollback_added": ("回退到 v{v} 时恢复", "restored by rolling back to v{v}"),
    "qa32fh_rollback_removed": ("回退到 v{v} 时移除", "removed by rolling back to v{v}"),
    "qa32fh_rollback_changed": ("回退到 v{v} 时改回", "changed back by rolling back to v{v}"),
})


# -- fixer QA32-FA2: a bureau's register read as it is (planner.register): closed facilities, unread columns, datum
# -- named in a header (百度经度), two names 19 m apart
_STRINGS.update({
    "data_field_status": ("状态（运营、已关闭……）", "status (operating, closed ...)"),
    "qa32fa2_closed": ("状态为“{value}”，不导入（已关闭的设施不提供服务）",
                       "status '{value}': not imported (a closed facility provides no service)"),
    "qa32fa2_fix_closed": ("如该设施仍在运营，请把状态改为“运营”或留空后重新校验",
                           "If the facility still operates, set its status to operating (or the file's word for it) "
                           "or leave it blank, and check again"),
    "qa32fa2_closed_note": ("第 {rows} 行的设施已关闭（状态为已关闭、停用、撤并等），未导入（共 {n} 行，不计入接受或拒绝的行）。",
                            "{row} {rows} {is_a} closed {facility} (its status says closed, out of use, merged ...): "
                            "not imported ({n} {row}, counted neither as accepted nor as refused)."),
    "qa32fa2_status_unclear": ("状态“{value}”既不是运营也不是已关闭，按运营中的设施导入",
                               "status '{value}' says neither operating nor closed: imported as an operating facility"),
    "qa32fa2_fix_status_unclear": ("如该设施已关闭（停用、撤并、注销），请把状态改为“已关闭”，该行将不导入；仍在运营请填“运营”或留空",
                                   "If the facility is closed (out of use, merged, deregistered), set its status to "
                                   "closed (or the file's word for it) and the row is not imported; if it operates, "
                                   "write operating or leave it blank"),
    "qa32fa2_near_pair": ("与第 {other} 行“{other_name}”类型相同、相距 {m} 米而名称不同：可能是同一设施登记了两次"
                          "（床位等容量会重复计算）",
                          "same type as row {other} ('{other_name}'), {m} m away, under another name: possibly one "
                          "facility listed twice (its beds would count twice)"),
    "qa32fa2_fix_near_pair": ("请核对：如为同一设施，请删除其中一行；如确为两处设施，可忽略此提示",
                              "Check: if they are one facility, delete one of the rows; if they are two, ignore this "
                              "warning"),
    "qa32fa2_datum_header": ("列名{cols}表明坐标是 {datum} 坐标，但按 {applied} 读取：各点将偏移数百米至 1 公里以上",
                             "the {cols} {name} {datum} coordinates, but they were read as {applied}: each point would "
                             "lie hundreds of metres to over 1 km off"),
    "qa32fa2_unread": ("文件中有 {n} 列未被读取为名录的任何字段：{cols}。如其中有需要导入的内容（如床位、地址、电话），"
                       "请在列对应关系中指定该列（“数据管理”页面的列对应步骤，或命令行 --column 字段=列名）后重新校验。",
                       "{n} {column} of the file {was} not read as any field of the register: {cols}. If one holds "
                       "something to import (beds, an address, a phone), map that column to its field (the column "
                       "mapping step on the Data page, or --column FIELD=HEADER on the command line) and check again."),
})

# -- fixer QA32-FB3: a restore keeps the accounts as they are now (geo.backup._keep_accounts; said by `coverplan
# restore` and in its audit entry through planner.i18n.restore_accounts_text); the backup's when none can be kept
_STRINGS.update({
    "qa32fb3_kept": ("账号保持恢复前的现状（未恢复为备份时的状态）：停用、密码、角色、县区和已登录的会话均不变。",
                     "Accounts kept as they are now (not taken back to the backup): who is disabled, passwords, "
                     "roles, counties and open logins are unchanged."),
    "qa32fb3_backup_new": ("此处原无数据库：账号为备份时的状态。",
                           "No database was replaced here: the accounts are the backup's."),
    "qa32fb3_backup_no_accounts": ("被替换的数据库中没有账号：账号为备份时的状态。",
                                   "The replaced database held no accounts: the accounts are the backup's."),
    "qa32fb3_backup_unreadable": ("被替换的数据库中的账号无法读取（文件已损坏）：账号为备份时的状态。",
                                  "The replaced database's accounts could not be read (the file is damaged): the "
                                  "accounts are the backup's."),
    "qa32fb3_backup": ("账号为备份时的状态。", "The accounts are the backup's."),
    "qa32fb3_authors": ("恢复的方案的作者 {names} 在被替换的数据库中没有账号，已按备份保留其账号并停用。",
                        "{names}, author(s) of restored proposals, had no account in the replaced database: their "
                        "account(s) are kept from the backup, disabled."),
    "qa32fb3_not_restored": ("备份中的账号 {names} 在被替换的数据库中不存在，未予恢复（账号从不删除，这可能是另一台服务器的备份；"
                             "如需要，请用 coverplan users add 添加）。",
                             "The backup's account(s) {names} are not in the replaced database and were not "
                             "restored (accounts are never deleted: this may be another server's backup; add them "
                             "with coverplan users add if needed)."),
})

# -- fixer QA32-FI: re-solving a saved proposal (web/api.py proposal_rerun, proposal_rerun_diff; proposal.html,
# proposal.js): an upgrade's button says it opens the new proposal, whose page says how it differs from the old
# one; a second click on the same data version opens the re-solve already made instead of saving a copy
_STRINGS.update({
    "qa32fi_rerun_upgrade": ("按当前数据重新计算", "Solve again on the current data"),
    "qa32fi_rerun_upgrade_tip": ("改造提升方案不能并排对比：新方案的页面列出它与本方案的差异（前后数字、新增和不再选中的设施）。",
                                 "Upgrade proposals are not compared side by side: the new proposal's page lists how "
                                 "it differs from this one (the figures, and the facilities added and dropped)."),
    "qa32fi_reused": ("您已在数据版本 v{v} 上重新计算过此方案（“{name}”）：打开该结果，未另存副本。",
                      "You already solved this proposal again on data version v{v} (\"{name}\"): that result is "
                      "opened, no copy was saved."),
    "qa32fi_reused_job": ("此方案正在数据版本 v{v} 上重新计算：显示该计算的进度，未另起一次。",
                          "This proposal is already being solved again on data version v{v}: that solve's progress "
                          "is shown, no second one was started."),
    "qa32fi_diff_title": ("与原方案的差异", "How it differs from the earlier proposal"),
    "qa32fi_diff_intro": ("本方案是“{name}”（数据版本 v{a}）按数据版本 v{b} 重新计算的结果。",
                          "This proposal is \"{name}\" (data version v{a}) solved again on data version v{b}."),
    "qa32fi_diff_gone": ("本方案是按数据版本 v{v} 重新计算的结果；原方案（{id}）已被删除，无法对比。",
                         "This proposal was solved again on data version v{v}; the earlier proposal ({id}) has "
                         "been deleted, so there is nothing to compare it with."),
    "qa32fi_diff_old": ("原方案（v{v}）", "Earlier (v{v})"),
    "qa32fi_diff_new": ("本方案（v{v}）", "This one (v{v})"),
    "qa32fi_diff_n_chosen": ("选中的设施", "Facilities chosen"),
    "qa32fi_diff_n_sites": ("方案点位数", "Sites in the proposal"),
    "qa32fi_diff_cost": ("改造费用（示意）", "Cost (illustrative)"),
    "qa32fi_diff_added": ("新选中 {n} 处：{names}", "{n} newly chosen: {names}"),
    "qa32fi_diff_dropped": ("不再选中 {n} 处：{names}", "{n} no longer chosen: {names}"),
    "qa32fi_diff_kept": ("两次均选中 {n} 处。", "{n} chosen in both."),
    "qa32fi_diff_same": ("选中的设施与原方案相同（{n} 处）。", "The same {n} facilities are chosen as in the earlier proposal."),
    "qa32fi_diff_more": ("等，共 {total} 处", "and {more} more"),
    "qa32fi_diff_open_old": ("打开原方案", "Open the earlier proposal"),
    "qa32fi_diff_compare": ("与原方案并排对比", "Compare side by side with the earlier proposal"),
})


# -- fixer QA33-F4: why a re-solve differs: the data changed between the two versions, or the settings
# (web/api.py proposal_rerun_diff; web.service.layer_counts; proposal.js)
_STRINGS.update({
    "qa33f4_n_added": ("新增 {n} {u}", "{n} added"),
    "qa33f4_n_removed": ("移除 {n} {u}", "{n} removed"),
    "qa33f4_n_moved": ("移位 {n} {u}", "{n} moved"),
    "qa33f4_n_renamed": ("改名或改类型 {n} {u}", "{n} renamed or retyped"),
    "qa33f4_n_capacity": ("容量变化 {n} {u}", "{n} with another capacity"),
    "qa33f4_n_details": ("其他信息变化 {n} {u}", "{n} with other details changed"),
    "qa33f4_n_changed": ("变化 {n} {u}", "{n} changed"),
    "qa33f4_n_requalified": ("质量标记变化 {n} {u}", "{n} with another quality flag"),
    "qa33f4_u_facilities": ("处", ""),
    "qa33f4_u_planner_sites": ("处", ""),
    "qa33f4_u_townships": ("个", ""),
    "qa33f4_u_villages": ("个", ""),
    "qa33f4_u_population": ("行", ""),
    "qa33f4_u_site_marks": ("个", ""),
    "qa33f4_in_county": ("（{county}）", " ({county})"),
    "qa33f4_layer_counts": ("{layer}{counts}", "{layer}: {counts}"),
    "qa33f4_layer_changed": ("有变化", "changed"),
    "qa33f4_item_sep": ("；", "; "),
    "qa33f4_data_changed": ("数据版本 v{a} → v{b}，本方案所用数据的变化：{changes}。",
                            "From data version v{a} to v{b}, the data this proposal rests on changed: {changes}."),
    "qa33f4_data_rest_same": ("未变：{layers}。", " Unchanged: {layers}."),
    "qa33f4_data_same_version": ("两个方案都基于数据版本 v{v}，所用数据相同：结果如有差异，来自求解设置或求解器。",
                                 "Both proposals were solved on data version v{v}, the same data: any difference "
                                 "in the result comes from the solve settings or the solver."),
    "qa33f4_data_same": ("数据版本 v{a} 与 v{b} 的数据相同：结果如有差异，来自求解设置或求解器。",
                         "Data versions v{a} and v{b} hold the same data: any difference in the result comes from "
                         "the solve settings or the solver."),
    "qa33f4_data_unaffected": ("数据版本 v{a} → v{b} 的变化（{layers}）不涉及本方案所用的数据：结果如有差异，来自求解设置或求解器。",
                               "What changed from data version v{a} to v{b} ({layers}) is not data this proposal "
                               "rests on: any difference in the result comes from the solve settings or the solver."),
    "qa33f4_settings_differ": ("求解设置不同：{changes}。", "Solve settings that differ: {changes}."),
    "qa33f4_setting": ("{label} {old} → {new}", "{label} {old} → {new}"),
    "qa33f4_settings_same": ("求解设置也相同：结果如有差异，来自求解器本身（同样好的解不止一个，或在计算时限内停在了不同的解）。",
                             "The solve settings are the same too: any difference in the result is the solver's own "
                             "(more than one equally good answer, or another answer reached within the time limit)."),
    "qa33f4_set_solver_model": ("模型", "Model"),
    "qa33f4_set_solver_status": ("求解结果", "How the solve ended"),
    "qa33f4_set_p": ("新设点位数（p）", "New sites (p)"),
    "qa33f4_set_k": ("改造提升数量（K）", "Facilities to upgrade (K)"),
    "qa33f4_set_time_limit": ("计算时限（秒）", "Time limit (s)"),
    "qa33f4_set_gap": ("允许的最优性差距", "Optimality gap allowed"),
    "qa33f4_set_mode": ("出行成本", "Travel costs"),
    "qa33f4_set_standard_urban": ("城镇服务标准", "Urban standard"),
    "qa33f4_set_standard_rural": ("农村服务标准", "Rural standard"),
    "qa33f4_set_add_capacity": ("每处新增容量", "Capacity added per facility"),
    "qa33f4_set_reach_factor": ("服务范围系数", "Reach factor"),
    "qa33f4_set_per_county_max": ("每县上限", "Per-county limit"),
    "qa33f4_set_standard_per_1000": ("每千人配置标准", "Standard per 1,000 people"),
    "qa33f4_set_basis": ("服务对象", "People served"),
    "qa33f4_set_conversion": ("转型", "Conversion"),
    "qa33f4_set_budget_sites": ("点位预算", "Site budget"),
    "qa33f4_set_budget_cost": ("费用预算", "Cost budget"),
})


# -- fixer QA33-F3: a row carrying a current facility's id under another facility's name, far from it (planner.register)
_STRINGS.update({
    "qa33f3_id_elsewhere": ("编号“{value}”属于现有设施“{name}”{place}；本行名称为“{row_name}”，{apart}：请核对编号列是否错位",
                            "id '{value}' belongs to the current facility '{name}'{place}; this row's name is "
                            "'{row_name}' and it {apart}: check whether the id column has shifted"),
    "qa33f3_fix_id_elsewhere": ("如该设施确已更名并迁址，可忽略此提示；否则请把本行的编号改为本行设施自己的编号（新设施留空）后重新校验。"
                                "按原样导入时，编号“{value}”的设施将改用本行的名称和位置",
                                "If that facility really was renamed and moved, ignore this warning; otherwise give "
                                "the row its own facility's id (leave it blank for a new facility) and check again. "
                                "Imported as it is, the facility of id '{value}' takes this row's name and place"),
    "qa33f3_id_shifted": ("编号“{value}”属于现有设施“{name}”{place}，而第 {other} 行以该名称列出了这一设施；本行名称为"
                          "“{row_name}”，{apart}：编号列错位，本行未导入",
                          "id '{value}' belongs to the current facility '{name}'{place}, which row {other} lists by "
                          "that name; this row's name is '{row_name}' and it {apart}: the id column has shifted, the "
                          "row is not imported"),
    "qa33f3_fix_id_shifted": ("请核对编号列：把本行的编号改为本行设施自己的编号（新设施留空）后重新校验；“{name}”不会因本行而改名或移动",
                              "Check the id column: give this row its own facility's id (leave it blank for a new "
                              "facility) and check again; '{name}' is not renamed or moved by this row"),
})


# -- fixer QA33-F2: the Data page opened on a comparison (/data?diff=A,B: web/data.py url_diff, data.html, data.js;
# the admin page's links lead there), and the check report's "Changes" sheet (web/data.py changes_sheet)
_STRINGS.update({
    "qa33f2_diff_bad": ("地址中的 diff={value} 无法读取：应为用逗号隔开的两个数据版本号，如 ?diff=2,5"
                        "（版本号见本页“数据版本”列表）。",
                        "The address's diff={value} cannot be read: it should be two data version numbers separated "
                        "by a comma, e.g. ?diff=2,5 (the numbers are in this page's list of data versions)."),
    "qa33f2_diff_unknown": ("没有数据版本 {missing}（地址中的 diff={value}）。现有数据版本：{versions}（从新到旧），"
                            "请在本页“数据版本”列表中选择两个版本对比。",
                            "There is no data version {missing} (the address's diff={value}). The data versions are "
                            "{versions} (newest first): choose two in this page's list of data versions to compare."),
    "qa33f2_diff_same": ("地址中的 diff={value} 两次都是数据版本 v{v}：请选择两个不同的版本。",
                         "The address's diff={value} names data version v{v} twice: choose two different versions."),
    "qa33f2_diff_open": ("在“数据管理”页打开此对比", "Open this comparison on the Data page"),
    "qa33f2_changes_sheet": ("变更", "Changes"),
    "qa33f2_ch_kind": ("变更", "Change"),
    "qa33f2_ch_id": ("编号", "ID"),
    "qa33f2_ch_what": ("变更内容", "What changed"),
    "qa33f2_ch_before": ("变更前", "Before"),
    "qa33f2_ch_after": ("变更后", "After"),
    "qa33f2_kind_removed": ("移除", "Removed"),
    "qa33f2_kind_added": ("新增", "Added"),
    "qa33f2_kind_moved": ("移动", "Moved"),
    "qa33f2_kind_changed": ("更名或改类型", "Renamed or retyped"),
    "qa33f2_kind_attributes": ("属性变化", "Attributes changed"),
    "qa33f2_kind_capacity": ("容量变化", "Capacity changed"),
    "qa33f2_kind_other": ("其他图层", "Other layers"),
    "qa33f2_changes_upload": ("确认后将发生的变更（与核查时的数据版本 v{v} 相比）",
                              "What confirming will change (against data version v{v}, on which the file was checked)"),
    "qa33f2_changes_version": ("数据版本 v{b} 相对于 v{a} 的变更", "What data version v{b} changed against v{a}"),
    "qa33f2_changes_counts": ("共计", "In all"),
    "qa33f2_changes_unknown": ("此报告未记录确认会带来的变更（文件在报告列出变更之前核查）：请重新核查文件。",
                               "This report did not record what confirming changes (the file was checked before "
                               "reports listed it): check the file again."),
    "qa33f2_changes_refused": ("确认会被拒绝，不会有任何变更：{why}", "The confirm would be refused, so nothing changes: {why}"),
    "qa33f2_changes_not_known": ("无法预先列出确认带来的变更：确认时会说明原因。",
                                 "What confirming changes could not be worked out beforehand: the confirm will say why."),
    "qa33f2_changes_failed": ("无法对比 v{a} 与 v{b}：{why}", "Versions v{a} and v{b} could not be compared: {why}"),
})


# -- fixer QA33-F7: a re-solve of an upgrade lowers K to what the solver can choose, and says which facilities it
# leaves out for want of a capacity (web.capacity_proposals.upgrade_left_out)
_STRINGS.update({
    "qa33f7_unknown_new": ("{n} 处新增设施未填{noun}，未作为候选",
                           "{n} facilities added since have no {noun} given and are not candidates"),
    "qa33f7_unknown_new_one": ("{n} 处新增设施未填{noun}，未作为候选",
                               "{n} facility added since has no {noun} given and is not a candidate"),
    "qa33f7_unknown_old": ("{n} 处设施未填{noun}，未作为候选",
                           "{n} facilities have no {noun} given and are not candidates"),
    "qa33f7_unknown_old_one": ("{n} 处设施未填{noun}，未作为候选",
                               "{n} facility has no {noun} given and is not a candidate"),
})


# -- fixer QA33-F10: the bed-target breakdown's shortfall (the townships' shortfalls added up) and the capacity
# table's (the county's or city's required beds less its beds now, townships netted) carry one name, "缺口", with two
# figures (16,837 and 15,064 for the city): each named for what it is, and the breakdown says how they differ
# (planner.beds.shortfall_basis_note)
_STRINGS.update({
    "qa33f10_col_sum_before": ("分配前缺口（各乡镇之和，张）", "Shortfall before (sum of townships' shortfalls, beds)"),
    "qa33f10_col_sum_after": ("分配后缺口（各乡镇之和，张）", "Shortfall after (sum of townships' shortfalls, beds)"),
    "qa33f10_col_net": ("净缺口", "Net shortfall"),
    "qa33f10_col_net_unit": ("净缺口（{unit}）", "Net shortfall ({unit})"),
    "qa33f10_gap_note": ("床位指标分解的分配前缺口是各乡镇（街道）缺口之和（{scope} {total} 张）：一个乡镇多出的床位不抵另一乡镇的缺口。"
                         "供需分析（coverplan capacity --beds、总览“每千名60岁以上老人养老床位”表）给出的是净缺口，即按标准应有"
                         "床位减现有床位（{scope} {net} 张），已用部分乡镇的富余抵扣其他乡镇的不足，所以较小。",
                         "The breakdown's shortfall before is the sum of the townships' shortfalls ({scope}: {total} "
                         "beds): beds to spare in one township do not fill another's gap. The capacity analysis "
                         "(coverplan capacity --beds, the overview's beds per 1,000 table) gives the net shortfall, the "
                         "beds required by the standard less the beds now ({scope}: {net} beds), which nets some "
                         "townships' spare beds against the others' gaps, so it is smaller."),
    "qa33f10_gap_note_same": ("床位指标分解的分配前缺口是各乡镇（街道）缺口之和（{scope} {total} 张）；没有乡镇的床位多于按标准应有，"
                              "所以它与供需分析（coverplan capacity --beds）的净缺口（按标准应有床位减现有床位）相同。",
                              "The breakdown's shortfall before is the sum of the townships' shortfalls ({scope}: "
                              "{total} beds); no township has more beds than the standard requires, so it equals the "
                              "net shortfall of the capacity analysis (coverplan capacity --beds: the beds required "
                              "less the beds now)."),
    "qa33f10_scope_city": ("全市", "citywide"),
})


# -- fixer QA33-F11: a county's new-sites proposal with the number of sites left blank (the type's default lowered to
# the county's candidate sites, web.proposals.default_sites), its "before" against the coverage map's, the form's hint
_STRINGS.update({
    "qa33f11_p_note": ("新增站点数取 {p}，而非该类型默认的 {default}：{where}只有 {p} 个可选的候选点（不含现有设施和禁选点）。",
                       "{p} new sites, not the type's default of {default}: {where} has only {p} candidate sites "
                       "that may be chosen (not existing facilities, not marked forbidden)."),
    "qa33f11_p_note_one": ("新增站点数取 1，而非该类型默认的 {default}：{where}只有 1 个可选的候选点（不含现有设施和禁选点）。",
                           "1 new site, not the type's default of {default}: {where} has only 1 candidate site that "
                           "may be chosen (not existing facilities, not marked forbidden)."),
    "qa33f11_p_none": ("无法在{where}新建选址：{where}没有可选的候选点（均为现有设施或已标记为禁选）。",
                       "No new sites can be proposed in {where}: it has no candidate site that may be chosen (each "
                       "is an existing facility or marked forbidden)."),
    "qa33f11_p_none_hint": ("请在地图上添加候选点、取消禁选标记，或改选其他县区。",
                            "Add candidate sites on the map, clear forbidden marks, or solve for another county."),
    "qa33f11_city": ("全市", "the city"),
    "qa33f11_hint_county": ("留空则用 {p} 处：{county}只有 {p} 个可选的候选点（该类型默认 {default} 处）",
                            "empty: {p}, the candidate sites that may be chosen in {county} (the type's default is "
                            "{default})"),
    "qa33f11_hint_county_one": ("留空则用 1 处：{county}只有 1 个可选的候选点（该类型默认 {default} 处）",
                                "empty: 1, the one candidate site that may be chosen in {county} (the type's "
                                "default is {default})"),
    "qa33f11_hint_none": ("{county}没有可选的候选点（均为现有设施或已标记为禁选）：请在地图上添加候选点，或改选其他县区",
                          "{county} has no candidate site that may be chosen (each is an existing facility or marked "
                          "forbidden): add candidate sites on the map, or pick another county"),
    "qa33f11_scope_before": ("县区方案只计本县区的现有设施（邻县设施覆盖到本县区的村不计入），故“方案前”可能低于覆盖地图上该县区的数字。",
                             "A county's proposal counts only the county's own facilities (villages reached from a "
                             "facility in a neighbouring county are left out), so its \"before\" can be lower than "
                             "the coverage map's figure for the county."),
})


# -- fixer QA33-F8: a proposal file edited by hand, read by `targets --proposal` (planner.targets.file_site_notes):
# sites without a priority numbered after the others, and sites counted in the township their point lies in
_STRINGS.update({
    "qa33f8_feature": ("第 {n} 个要素", "feature {n}"),
    "qa33f8_feature_named": ("第 {n} 个要素（{name}）", "feature {n} ({name})"),
    "qa33f8_numbered_as": ("{site}记为 #{priority}", "{site} as #{priority}"),
    "qa33f8_unnumbered_one": ("{file} 中有 1 个站点未填优先序（priority），已按文件顺序排在其他站点之后：{sites}",
                              "{file} has 1 site without a priority, numbered after the others in the file's "
                              "order: {sites}"),
    "qa33f8_unnumbered": ("{file} 中有站点未填优先序（priority），已按文件顺序排在其他站点之后：{sites}",
                          "{file} has sites without a priority, numbered after the others in the file's order: "
                          "{sites}"),
    "qa33f8_township": ("{name}（{code}）", "{name} ({code})"),
    "qa33f8_township_moved": ("{file} 的{site}记录的乡镇（街道）为{recorded}，但其坐标位于{township}，按坐标所在乡镇计",
                              "{file}: {site} records the township {recorded}, but its point lies in {township}: "
                              "counted there, where its point is"),
})


# -- fixer QA33-F13: a county proposal's re-solve card, its own type changed in other counties only (web/api.py
# _rerun_data)
_STRINGS.update({
    "qa33f13_other_counties": ("（其他县区）", " (other counties)"),
})


# -- fixer QA33-F12: a re-solve's number of new sites lowered to the candidate sites the current data has (web.proposals
# rerun_params); the notes the server writes into a proposal kept apart from the planner's, in both languages
_STRINGS.update({
    "qa33f12_rerun_p": ("重新求解时新增站点数由 {old} 降为 {p}：当前数据中{where}只有 {p} 个可选的候选点（不含现有设施和禁选点）。",
                        "Solved again with {p} new sites, not {old}: {where} has only {p} candidate sites that may be "
                        "chosen in the current data (not existing facilities, not marked forbidden)."),
    "qa33f12_rerun_p_one": ("重新求解时新增站点数由 {old} 降为 1：当前数据中{where}只有 1 个可选的候选点（不含现有设施和禁选点）。",
                            "Solved again with 1 new site, not {old}: {where} has only 1 candidate site that may be "
                            "chosen in the current data (not existing facilities, not marked forbidden)."),
    "qa33f12_was_default": ("原来的 {old} 处是该类型的默认值（新增站点数未填写）。",
                            "The {old} before was the type's default (the number of sites was left blank)."),
    "qa33f12_was_default_lowered": ("原来的 {old} 处是首次求解时{where}可选的候选点数，代替该类型默认的 {default} 处（新增站点数未填写）。",
                                    "The {old} before was the candidate sites {where} had when first solved, taken in "
                                    "place of the type's default of {default} (the number of sites was left blank)."),
    "qa33f12_rerun_p_none": ("无法重新求解此方案：当前数据（版本 {v}）中{where}没有可选的候选点（均为现有设施或已标记为禁选）。",
                             "This proposal cannot be solved again: in the current data (version {v}) {where} has no "
                             "candidate site that may be chosen (each is an existing facility or marked forbidden)."),
    "qa33f12_rerun_p_none_hint": ("请在地图上添加候选点、取消禁选标记，或回退数据版本。",
                                  "Add candidate sites on the map, clear forbidden marks, or roll the data back."),
    "qa33f12_auto_notes_tip": ("系统生成的说明（方案参数如何确定），不属于备注", "Written by the app (how the proposal's "
                               "numbers were set), not part of the note"),
})


# -- fixer QA33-F15: the mapping card's capacity field and type status (web/static/data.js), a capacity column that is
# not the type's capacity (a day-care centre's beds) in the changes, the fix of a capacity given in another unit
_STRINGS.update({
    "qa33f15_cap_fix_other_unit": ("如这些实为{unit}，请填在“{header_zh}”列，或在列对应中把“容量”指定为“{column}”列后重新校验"
                                   "（命令行：--column capacity={column}）",
                                   "If these are {unit}, give them in a column headed '{header_en}' or '{header_zh}', "
                                   "or map the capacity to column '{column}' in the column mapping and check again "
                                   "(command line: --column capacity={column})"),
    "qa33f15_as_read": ("{column}（仅作为{unit}）", "{column} (as {unit} only)"),
    "qa33f15_as_read_tip": ("按表头读作{unit}：只计入以{unit}计容量的设施类型。选择下面的同名列，则按各行设施类型的单位"
                            "（床位、日托位……）读作容量。",
                            "Read as {unit} by its header: the capacity only of the types counted in {unit}. Choose the "
                            "same column below to read it as the capacity in each row's type's unit (beds, day "
                            "places ...)."),
    "qa33f15_type_missing": ("文件中没有设施类型列：请在下方选择全部设施的类型，或指定类型所在的列。",
                             "The file has no facility type column: choose the type of all its facilities below, or "
                             "say which column holds the type."),
    "qa33f15_not_capacity_of": ("{field}（不计入{type}的容量）", "{field} (not a {type}'s capacity)"),
    "qa33f15_not_capacity": ("{field}（不计入该类设施的容量）", "{field} (not the facilities' capacity)"),
})


# -- fixer QA33-F16: the proposal form's kinds a type cannot have say why, and K's hint and refusal name its limit (the
# plan's per-county limit, or the facilities there are) (web/static/proposals.js syncKind)
_STRINGS.update({
    "qa33f16_no_upgrade": ("“{kind}”不可选：规划中没有{type}的改造提升或转型规则，没有可改造的现有设施。",
                           "\"{kind}\" is not offered: the plan has no upgrade or conversion rule for this type "
                           "({type}), so there is nothing to upgrade."),
    "qa33f16_no_sizes": ("“{kind}”不可选：{type}没有设定容量规模与造价。",
                         "\"{kind}\" is not offered: this type ({type}) has no capacity sizes and costs set."),
    "qa33f16_what_upgrade": ("改造提升", "upgraded"),
    "qa33f16_what_convert": ("转型", "converted"),
    "qa33f16_k_cap": ("{county}最多 {n} 处：每县上限 {cap} 处。", "At most {n} in {county}: at most {cap} per county."),
    "qa33f16_k_cap_bad": ("不能大于 {n}：每县上限 {cap} 处（{county}）。",
                          "Must be at most {n}: at most {cap} per county ({county})."),
    "qa33f16_k_county": ("{county}最多 {n} 处：该县可{what}的现有设施数（每县上限 {cap} 处）。",
                         "At most {n} in {county}: the existing facilities there that can be {what} (at most {cap} "
                         "per county)."),
    "qa33f16_k_county_bad": ("不能大于 {n}：{county}可{what}的现有设施只有 {n} 处（每县上限 {cap} 处）。",
                             "Must be at most {n}: the existing facilities in {county} that can be {what} (at most "
                             "{cap} per county)."),
    "qa33f16_k_county_free": ("{county}最多 {n} 处：该县可{what}的现有设施数。",
                              "At most {n} in {county}: the existing facilities there that can be {what}."),
    "qa33f16_k_county_free_bad": ("不能大于 {n}：{county}可{what}的现有设施只有 {n} 处。",
                                  "Must be at most {n}: the existing facilities in {county} that can be {what}."),
    "qa33f16_k_none": ("{county}没有可{what}的现有设施。", "{county} has no existing facilities that can be {what}."),
    "qa33f16_k_city": ("全市最多 {n} 处：可{what}的现有设施，每县上限 {cap} 处。",
                       "At most {n} in the city: the existing facilities that can be {what}, at most {cap} per county."),
    "qa33f16_k_city_free": ("全市最多 {n} 处：可{what}的现有设施数。",
                            "At most {n} in the city: the existing facilities that can be {what}."),
})


# -- QA 33: the lead's own keys
_STRINGS.update({
    "qa33_map_scope_framed": ("全市（图面聚焦所选县区，数字为全市）",
                              "Whole city (the map opens on the county chosen; the figures are the city's)"),
})


# -- fixer QA34-F3: the proposal form's city-wide K refusal names the limit, where it comes from and how to fix it,
# as the per-county one does (web/static/proposals.js kHint); the server's city-wide refusal says the same
_STRINGS.update({
    "qa34f3_k_city_bad": ("不能大于 {n}：全市可{what}的现有设施逐县计数、每县至多计 {cap} 处（规划的每县上限），合计 {n} 处；"
                          "容量未知的设施不计在内。请填 1 至 {n} 的整数。",
                          "Must be at most {n}: the existing facilities in the city that can be {what}, counted county "
                          "by county and at most {cap} in each (the plan's per-county limit), are {n} in all; those "
                          "of unknown capacity are not counted. Enter a whole number from 1 to {n}."),
    "qa34f3_k_city_free_bad": ("不能大于 {n}：全市可{what}的现有设施各县合计 {n} 处；容量未知的设施不计在内。"
                               "请填 1 至 {n} 的整数。",
                               "Must be at most {n}: the existing facilities in the city that can be {what} are {n} "
                               "in all, summed over the counties; those of unknown capacity are not counted. Enter a "
                               "whole number from 1 to {n}."),
})


# -- fixer QA34-F4: what a register's import replaced, said after it (planner.register_report.replaced_lines: the CLI's
# words were its own); the map of a proposal file computed on the data version it was solved on (cli.map)
_STRINGS.update({
    "qa34f4_area_one": ("该县区", "that county"),
    "qa34f4_area_many": ("这 {k} 个县区", "these {k} counties"),
    "qa34f4_replaced_city": ("本文件的 {n} 处{type}已替换全市原有的全部 {now} 处{syn}：不在文件中的已不在当前版本（{back} 可恢复）。",
                             "This file's {fac} of type \"{type}\" replaced all {now} that were in the register, in "
                             "the whole city{syn}; those not in the file left the current version ({back} brings them "
                             "back)."),
    "qa34f4_replaced": ("本文件涉及 {where}：已以 {n} 处替换{area}原有的 {now} 处{type}{syn}；{area}原有但不在文件中的已不在"
                        "当前版本（{back} 可恢复）。",
                        "This file covered {where}: its {fac} of type \"{type}\" replaced the {now} that were in "
                        "{area}{syn}; those there but not in the file left the current version ({back} brings them "
                        "back)."),
    "qa34f4_added": ("本文件涉及 {where}：本文件的 {n} 处{type}已导入{area}（此前没有此类设施）。",
                     "This file covered {where}: its {fac} of type \"{type}\" {were} added to {area} (none there "
                     "before)."),
    "qa34f4_kept_counties": ("其他 {k} 个县区的 {kept} 处保持不变。", " The {kept} in the other {k} {counties} were kept "
                             "unchanged."),
    "qa34f4_map_version_solved": ("v{solved}（方案求解时的数据版本；当前版本为 v{now}）",
                                  "v{solved} (the data version the proposal was solved on; the current one is v{now})"),
    "qa34f4_map_data_line": ("数据：数据版本 {solved}（方案求解时的版本；当前版本为 {now}）",
                             "data: data version {solved} (the one the proposal was solved on; the current one is "
                             "{now})"),
})


# -- fixer QA34-F6: /admin after a change refused as another admin's came in since (409: web/users.py
# UserStore._conflict); the row is read again
_STRINGS.update({
    "qa34f6_row_reloaded": ("（该行已按账号现在的状态重新载入。）", "(The row now shows the account as it is.)"),
})


# -- fixer QA34-F10: a register without ids whose rows name current facilities tells its datum by them
# (planner.register._Rows.datum_by_names, geo.coords.datum_by_reference)
_STRINGS.update({
    "qa34f10_datum_suggest_names": ("坐标更像是 {datum}：文件中 {n} 处设施没有编号，按名称（及类型、县区）与现有名录中的设施对应；"
                                    "按 {applied} 读取时与这些设施的现有位置相距中位约 {d0} 米，换算为 WGS84 后约 {d1} 米",
                                    "The coordinates look like {datum}: {n} facilities of the file have no id and were "
                                    "matched to the current register's facilities by name (and type and county); read "
                                    "as {applied} they lie a median of about {d0} m from those facilities' current "
                                    "places, converted to WGS84 about {d1} m"),
    "qa34f10_datum_suggest_names_close": ("坐标更像是 {datum}：文件中 {n} 处设施没有编号，按名称（及类型、县区）与现有名录中的设施"
                                          "对应；按 {applied} 读取时与这些设施的现有位置相距中位约 {d0} 米，换算为 WGS84 后相距不到 1 米",
                                          "The coordinates look like {datum}: {n} facilities of the file have no id "
                                          "and were matched to the current register's facilities by name (and type "
                                          "and county); read as {applied} they lie a median of about {d0} m from "
                                          "those facilities' current places; converted to WGS84, under 1 m"),
})


# -- fixer QA34-F9: the Data page's version list offers the original file a version was imported from
# (GET /api/data/versions/<v>/source, web/data.py version_source)
_STRINGS.update({
    "qa34f9_source": ("下载原始文件", "Download original file"),
})


# -- fixer QA34-F8: an upgrade's figures counted as its type's coverage counts them, and each per-site figure at
# its reach (planner.upgrades)
_STRINGS.update({
    "qa34f8_shared": ("；本处服务人数增加 {inc} 人，而非 {g} 人：它与其他选中点位服务同一批人，“新增”按全市服务总数的变化计",
                      "; it serves {inc} more itself, not {g}: it shares people with other chosen sites, and "
                      "\"serves more\" counts the change in the total served"),
    "qa34f8_covered_lead": ("服务人数按容量计，覆盖只看距离：", "Served counts capacity, covered only distance: "),
    "qa34f8_covered_now": ("现有{type}服务半径内有 {cov} {who}（即覆盖分析的“已覆盖”），按{noun}折算现服务 {served} 人，"
                           "其余 {gap} 人在半径内但超出现有容量",
                           "{cov} {who} are within reach of an existing {type} now (the coverage analysis's "
                           "\"covered\"), of whom the present {noun} serve {served}; the other {gap} are within reach "
                           "but beyond the capacity"),
    "qa34f8_covered_after": ("改造后服务半径内有 {cov} {who}，可服务 {served} 人，{gap} 人超出容量",
                             "once upgraded, {cov} {who} are within reach and {served} served; {gap} are beyond the "
                             "capacity"),
    "qa34f8_covered_after_conv": ("转型后服务半径内有 {cov} {who}，可服务 {served} 人，{gap} 人超出容量",
                                  "once converted, {cov} {who} are within reach and {served} served; {gap} are beyond "
                                  "the capacity"),
    "qa34f8_at_villages": ("{verb}的服务人数按行政村（社区）的{who}计（现服务 {served} / {total} 人），"
                           "{type}的覆盖分析按{weight}计：口径不同，两者的数字不能直接比较。",
                           "The {verb}'s served figures count {who} at villages and communities ({served} of "
                           "{total} served now); the coverage analysis of {type} counts {weight}: a different "
                           "base, so the two figures do not compare."),
    "qa34f8_verb_up": ("改造提升", "upgrade"),
    "qa34f8_verb_conv": ("转型", "conversion"),
    "qa34f8_weight_units": ("需求点个数", "demand points"),
})


# -- fixer QA34-F13: a move's distance said by one rule (planner/numbers.py: the web's faces and `coverplan data
# diff`); an audit search by a facility's id names its edits in versions a backup restore removed (web/auth.py
# removed_versions, admin.js)
_STRINGS.update({
    "qa34f13_m": ("{n} 米", "{n} m"),
    "qa34f13_km": ("{n} 公里", "{n} km"),
    "qa34f13_moved": ("移动 {d}", "moved {d}"),
    "qa34f13_fh_dropped": ("v{v} 改动过该设施（{what}），但 {time} 的备份恢复（{archive}）移除了该版本。",
                           "v{v} changed it ({what}), but the backup restore of {time} ({archive}) removed that "
                           "version."),
    "qa34f13_fh_dropped_unknown": ("v{v} 改动过该设施（{what}），但该版本已不在数据版本历史中。",
                                   "v{v} changed it ({what}), but that version is no longer in the data history."),
    "qa34f13_fh_dropped_intro": ("审计日志还记录了后来被移除的数据版本对设施 {fid}（{type}{name}）的改动：",
                                 "The audit log also records changes to facility {fid} ({type}{name}) in data "
                                 "versions removed since:"),
    "qa34f13_fh_only_dropped": ("现有的数据版本（自 v{since} 起）都没有改动过设施 {fid}（{type}{name}）；审计日志记录了"
                                "后来被移除的数据版本对它的改动：",
                                "No data version there is now (since v{since}) changed facility {fid} ({type}{name}); "
                                "the audit log records changes to it in data versions removed since:"),
})


# -- fixer QA34-F11: a register's rows (planner.register): namesakes far apart, rows placed by name, a missing name
# column, a refused row at a current facility's point, invalid capacities kept, a pick's place in English
_STRINGS.update({
    "qa34f11_no_name_column": ("无法读取该文件：文件没有名称列，而每处设施须有名称（未读取的列：{columns}）",
                               "the file cannot be loaded: it has no name column, and every facility needs a name "
                               "(columns not read: {columns})"),
    "qa34f11_fix_no_name_column": ("请指定哪一列是设施名称，或将该列的列名改为“名称”",
                                   "Say which column holds the facilities' names, or head that column \"name\""),
    "qa34f11_picked": ("已按规划人员的选择定位到：{path}", "Placed where the planner picked: {path}"),
    "qa34f11_matched_cell": ("{column}“{value}”匹配为{what}“{name}”",
                             "{column} '{value}' was matched to the {what} '{name}'"),
    "qa34f11_at_seat": ("（乡镇驻地）", " (the township seat)"),
    "qa34f11_at_village": ("（村（社区）的点位）", " (the village's point)"),
    "qa34f11_name_loose": ("所填地名与官方名称不完全一致，已按相近写法定位：{cells}；本行没有坐标，定位于{path}{at}",
                           "a place name is not exactly an official name and was matched by a similar spelling: "
                           "{cells}; the row has no coordinates and is placed at {path}{at}"),
    "qa34f11_fix_name_loose": ("请核对：如匹配有误，请改正该单元格，或填写设施的坐标（经度、纬度），然后重新校验",
                               "Check the match: if it is wrong, correct the cell or give the facility's coordinates "
                               "(lon, lat), and check again"),
    "qa34f11_by_name_row": ("第 {row} 行{how}定位于{path}{at}", "row {row}{how} at {path}{at}"),
    "qa34f11_by_code": ("按区划代码", " (by its code)"),
    "qa34f11_more_rows": ("；另有 {n} 行", "; and {n} more"),
    "qa34f11_by_name_note": ("{n} 行没有坐标，按所填地名（与官方名称一致）或区划代码定位，位置是乡镇驻地或村（社区）的点位，"
                             "不是设施的确切位置：{rows}",
                             "{n} rows without coordinates {was} placed by place names (spelt as the official ones) "
                             "or codes, at a township seat or a village's point rather than the facility's own "
                             "place: {rows}"),
    "qa34f11_name_moves": ("本行没有坐标，按所填地名定位于{path}；确认后，现有设施“{name}”将从现有位置移动约{d}",
                           "the row has no coordinates and is placed by its place names at {path}: confirming moves "
                           "the current facility '{name}' about {d} from where it is now"),
    "qa34f11_fix_name_moves": ("如该设施的现有位置正确，请在本行填写其坐标（经度、纬度）后重新校验",
                               "If the facility's current place is right, give its coordinates (lon, lat) in this row "
                               "and check again"),
    "qa34f11_namesake_far": ("与第 {other} 行同名（{name}），{apart}{seat}{differ}：是同一设施录入了两次，还是更正后的点位？"
                             "两行将作为两处设施导入",
                             "same name as row {other} ({name}), {apart}{seat}{differ}: the same facility entered "
                             "twice, or a corrected point? Both rows are imported, as two facilities"),
    "qa34f11_exactly": ("相距{d}", "{d} away"),
    "qa34f11_about": ("相距约{d}", "about {d} away"),
    "qa34f11_namesake_seat": ("（按地名定位的行位于乡镇驻地或村（社区）点位）",
                              " (a row placed by its place names lies at a township seat or a village's point)"),
    "qa34f11_namesake_differ": ("，所填{cells}不同", ", with different {cells}"),
    "qa34f11_namesake_cell": ("{column}（{a} 与 {b}）", "{column} ({a} and {b})"),
    "qa34f11_more_cells": ("等 {n} 项", " and {n} more"),
    "qa34f11_namesake_same": ("，其余所填各项相同", ", their other cells the same"),
    "qa34f11_fix_namesake_far": ("如是同一设施，请删去错误的一行（保留正确的点位）；如是两处设施，请改用能区分的名称（如加上村名）",
                                 "If it is one facility, delete the wrong row (keep the right point); if they are two, "
                                 "give them names that tell them apart (add the village, say)"),
    "qa34f11_refused_near": ("本行不导入，但其坐标与现有设施“{name}”相距{d}：确认后该设施按现状保留，不会被移除",
                             "this row is not imported, but its point lies {d} from the current facility '{name}': "
                             "confirming keeps that facility as it is, it is not removed"),
    "qa34f11_fix_refused_near": ("改正本行的错误后重新校验，即可按本行更新该设施",
                                 "Correct this row and check again to update that facility from it"),
    "qa34f11_cap_kept": ("{column}“{value}”{why}：该设施保留现有的{noun}数（{current} {unit}）",
                         "{column} '{value}' {why}: the facility keeps the {current} {unit} it has now"),
    "qa34f11_cap_not_number": ("不是整数", "is not a whole number"),
    "qa34f11_cap_negative": ("为负数", "is negative"),
    "qa34f11_fix_cap_kept": ("如需更新，请填写不小于0的整数（如 60 或 60张）后重新校验",
                             "To update it, write a whole number >= 0 (e.g. 60) and check again"),
})


# -- fixer QA34-F14: an upgrade's (a conversion's) map shows coverage within the upgraded reach, and says so beside
# the served figures (web.proposals.map_view, planner.mapexport.within_reach_note); a conversion named as one in the
# list, on its page and on its offline map
_STRINGS.update({
    "qa34f14_type_converted": ("{src} → {dst}（转型）", "{src} → {dst} (conversion)"),
    "qa34f14_list_served_role": ("{role}·按容量服务", "{role}, by capacity"),
    "qa34f14_map_caption_upgrade": ("方案地图（改造后服务半径内覆盖）", "Map: within reach once upgraded"),
    "qa34f14_map_caption_convert": ("方案地图（转型后服务半径内覆盖）", "Map: within reach once converted"),
    "qa34f14_reach_others": ("其余设施 {std}", "other facilities {std}"),
    "qa34f14_reach_upgraded": ("拟改造设施按现服务半径 ×{f}：{std}", "facilities upgraded, their reach ×{f}: {std}"),
    "qa34f14_std_upgraded": ("{now}（改造后 {up}）", "{now} ({up} once upgraded)"),
    "qa34f14_reach_same": ("{std}，改造不延长服务半径", "{std}, the upgrade does not lengthen the reach"),
    "qa34f14_reach_converted": ("转型设施按{role}标准 {std}",
                                "converted facilities at the standard of the type they become ({role}): {std}"),
    "qa34f14_what_upgrade": ("改造", "upgrade"),
    "qa34f14_what_convert": ("转型", "conversion"),
    "qa34f14_note": ("地图显示{what}后服务半径内的覆盖（{reach}；只计距离，不计容量）：{covered} {who}（{share}）。"
                     "上方“已服务”“服务比例”还按床位容量计（{served}，{sshare}）：半径内超出床位所能服务的人不计为已服务。",
                     "The map shows coverage within reach after the {what} ({reach}; distance only, not capacity): "
                     "{covered} {who} ({share}). The served figures above count the beds too ({served}, {sshare}): "
                     "people within reach beyond what the beds serve are not counted as served."),
    "qa34f14_note_same": ("地图显示{what}后服务半径内的覆盖（{reach}；只计距离，不计容量）：{covered} {who}（{share}），"
                          "与上方按床位容量计的“已服务”相同。",
                          "The map shows coverage within reach after the {what} ({reach}; distance only, not "
                          "capacity): {covered} {who} ({share}), as many as the served figures above, which count "
                          "the beds too."),
    "qa34f14_note_nofigure": ("地图显示{what}后服务半径内的覆盖（{reach}；只计距离，不计容量）；上方“已服务”“服务比例”还按床位"
                              "容量计，两者含义不同。",
                              "The map shows coverage within reach after the {what} ({reach}; distance only, not "
                              "capacity); the served figures above count the beds too, a different measure."),
    "qa34f14_brief_note": ("服务半径内 {covered} {who}（{share}）；“已服务”另按床位容量计。",
                           "{covered} {who} within reach ({share}); \"served\" counts the beds too."),
    "qa34f14_fact_covered": ("服务半径内（地图）", "Within reach (map)"),
    "qa34f14_col_demand_in_reach": ("{verb}后服务半径内需求（{who}）", "Demand within reach once {verb} ({who})"),
    "qa34f14_col_served_before": ("现服务人数（{who}）", "Served now ({who})"),
})


# -- fixer QA34-F15
_STRINGS.update({
    # a village file that only makes a sample point official at the same place: said as the flag it is (QA 34)
    "qa34f15_vill_official_line": ("{n} 个村（社区）点位改为实测位置（位置未变）：{names}",
                                   "{points} now official (same place): {names}"),
    "qa34f15_vill_flag_line": ("{n} 个村（社区）点位的位置质量标记改变（位置未变）：{names}",
                               "{points} with another location quality flag (same place): {names}"),
    # a village or township file's changes counted in its own terms, on the upload's report and its Changes sheet
    "qa34f15_vill_summary": ("移动的村（社区）点位 {moved} 个；改为实测位置（位置未变）的村（社区）点位 {official} 个。",
                             "Village points moved: {moved}; village points now official (same place): {official}."),
    "qa34f15_town_summary": ("乡镇边界变化 {changed} 个；边界未变、质量标记改变的乡镇 {flagged} 个；移动的村（社区）点位 {moved} 个。",
                             "Township boundaries changed: {changed}; townships with the same boundary and another "
                             "quality flag: {flagged}; village points moved: {moved}."),
})


# -- QA 34: the lead's own keys
_STRINGS.update({
    "qa34_vill_requalified": ("位置未变、质量标记改变的村（社区）点位", "village points in the same place, other quality flag"),
})


# -- fixer QA34-F17: a county proposal's "before" note names what each figure counts and gives the coverage map's figure
# as the map shows it (web.proposals.scope_before_note: the map shows the share of units, not the weighted share); an
# upgrade's exports give what each facility serves now and once upgraded (web.capacity_proposals.export_table, headed as
# `coverplan upgrade --out`)
_STRINGS.update({
    "qa34f17_scope_before": ("县区方案只计本县区的现有设施（邻县设施覆盖到本县区的村不计入），故按{who}计的“方案前”（{before}）"
                             "可能低于计入邻县设施时的 {map}（同样按{who}计）。",
                             "A county's proposal counts only the county's own facilities (villages reached from a "
                             "facility in a neighbouring county are left out), so its \"before\" ({before} of {who} "
                             "covered) can be lower than the {map} of {who} covered counting the neighbours' "
                             "facilities too."),
    "qa34f17_scope_before_std": ("县区方案只计本县区的现有设施（邻县设施覆盖到本县区的村不计入），且本方案的服务标准与覆盖地图"
                                 "（按该类型的标准）不同，故按{who}计的“方案前”（{before}）与按该类型标准、计入邻县设施时的 "
                                 "{map} 不可直接比较。",
                                 "A county's proposal counts only the county's own facilities (villages reached from "
                                 "a facility in a neighbouring county are left out), and this one was solved at another "
                                 "standard than the coverage map's (the type's), so its \"before\" ({before} of {who} "
                                 "covered) and the {map} covered at the type's standard, counting the neighbours' "
                                 "facilities too, are not to be compared."),
    "qa34f17_scope_before_same": ("县区方案只计本县区的现有设施（邻县设施覆盖到本县区的村不计入）；此处按{who}计的“方案前”"
                                  "（{before}）与计入邻县设施时相同。",
                                  "A county's proposal counts only the county's own facilities (villages reached from "
                                  "a facility in a neighbouring county are left out); here its \"before\" ({before} of "
                                  "{who} covered) is the same counting the neighbours' facilities too."),
    "qa34f17_scope_map_units": ("覆盖地图按单元数计：该县区已覆盖单元 {units}（{covered}/{n}）。",
                                "The coverage map counts units: {units} ({covered}/{n}) of the county's are covered."),
    "qa34f17_who_weight": ("需求权重", "the demand weight"),
    "qa34f17_verb_upgraded": ("改造", "upgraded"),
    "qa34f17_verb_converted": ("转型", "converted"),
    "qa34f17_col_served_after": ("{verb}后服务人数（{who}）", "Serves once {verb} ({who})"),
})


# -- fixer QA34-F18
_STRINGS.update({
    "qa34f18_pick_outside": ("第 {row} 行所选地点为{found}，而表中所填{what}为{declared}：所选地点不在其内，本行未按此选择定位",
                             "row {row}: the picked place is {found} but the row names the {what} {declared}; the pick "
                             "lies outside it and is not used"),
    "qa34f18_fix_pick_outside": ("请从本行的候选地点中选择；如所填县区或乡镇有误，请先改正后重新校验",
                                 "Pick one of the row's candidate places; if the row's county or township is wrong, "
                                 "correct it and check again"),
})


# -- fixer QA35-F2: a register under the type's limit whose written layer (the other counties' facilities carried over)
# is over it (planner.register_report.written_over_limit): said at the check, Confirm off
_STRINGS.update({
    "qa35f2_written_over": ("确认后，类型“{type}”的设施将有 {written} 处（{parts}），超过本地区名录的上限（{limit} 处，"
                            "即每个村（社区）、乡镇5处）{over} 处",
                            "On confirm, the register would hold {written} facilities of type '{type}', {over} more "
                            "than a register of this region can hold (at most {limit}: five for each village, "
                            "community and township): {parts}"),
    "qa35f2_part_file": ("本文件的 {n} 处", "this file's {n}"),
    "qa35f2_part_carried": ("其他县区保持不变的 {n} 处", "the other counties' {n}, kept unchanged"),
    "qa35f2_part_kept": ("本文件被拒绝的行所对应、保持不变的 {n} 处",
                         "the {n} the file's refused rows stand for, kept as they are"),
    "qa35f2_row": ("行", "row"),
    "qa35f2_rows": ("行", "rows"),
    "qa35f2_fix_counties": ("请从本文件中删去至少 {over} {rows}（如重复的行）后重新上传，或核对其他县区的该类设施是否有重复或"
                            "多余的；如本文件就是全市的名录，可勾选“替换全市该类设施”（其他县区不在文件中的将删除）",
                            "Remove at least {over} {rows} from this file (repeated rows first) and upload it again, or "
                            "check the other counties' facilities of this type for repeated or extra ones; if this "
                            "file is the whole city's register, tick \"Replace the whole city's facilities of the "
                            "type\" (the other counties' ones not in the file are then removed)"),
    "qa35f2_fix_county": ("请从本文件中删去至少 {over} {rows}（如重复的行）后重新上传，或请市级规划人员或管理员核对其他县区的"
                          "该类设施是否有重复或多余的",
                          "Remove at least {over} {rows} from this file (repeated rows first) and upload it again, or "
                          "ask a city-wide planner or an administrator to check the other counties' facilities of "
                          "this type for repeated or extra ones"),
    "qa35f2_fix_city": ("请从本文件中删去至少 {over} {rows}（如重复的行、合计行）后重新上传",
                        "Remove at least {over} {rows} from this file (repeated rows, totals) and upload it again"),
})


# -- fixer QA35-F1
# a proposal solved on a data version whose only change since is village points made official where they stand
# (web.proposals data_state): the data changed (the version list says so), but not in a way that touches its figures
_STRINGS.update({
    "qa35f1_data_unaffected": ("基于数据版本 v{v} 求解；此后数据有变化（{changes}），但不影响本方案的结果，结果仍适用"
                               "（当前数据为 v{cur}）。",
                               "Solved on data version v{v}; the data changed since ({changes}), but not in a way that "
                               "touches this proposal's figures: they still hold (the current data are v{cur})."),
    "qa35f1_vill_official": ("{n} 个村（社区）点位原地改为实测位置", "{points} made official at the same place"),
    "qa35f1_vill_flag": ("{n} 个村（社区）点位原地改变位置质量标记",
                         "{points} given another location quality flag at the same place"),
})


# -- fixer QA35-F3
# a sized proposal counts demand at the type's coverage points, as an upgrade does (planner.sizing.sized_point_notes,
# points_text): welfare homes at the rural township seats, so its "covered" is the coverage page's figure
_STRINGS.update({
    "qa35f3_n_villages": ("{n} 个村（社区）", "{n} villages"),
    "qa35f3_n_villages_1": ("1 个村（社区）", "1 village"),
    "qa35f3_n_townships": ("{n} 个乡镇", "{n} towns and townships"),
    "qa35f3_n_townships_1": ("1 个乡镇", "1 town or township"),
    "qa35f3_col_n_townships": ("分配乡镇数", "Number of towns and townships assigned"),
    "qa35f3_col_township_names": ("分配的乡镇名单", "Names of the towns and townships assigned"),
    "qa35f3_single_townships": ("每个乡镇按其驻地计（含全乡镇的{who}），整体由一处设施服务（单一来源），且须在服务标准内。",
                                "Each town or township is counted at its seat (with all its {who}) and served whole "
                                "by one facility (single source), within the standard."),
    "qa35f3_covered": ("服务人数按容量计，覆盖只看距离：现有{type}服务标准内有 {before} {who}（即覆盖分析的“已覆盖”），"
                       "加上新址后有 {after} 人；按容量服务 {served} 人。",
                       "Served counts capacity, covered only distance: {before} {who} are within the standard of an "
                       "existing {type} (the coverage analysis's \"covered\"), {after} with the new sites; "
                       "{served} are served through capacity."),
    "qa35f3_covered_villages": ("服务人数按容量计，覆盖只看距离：按行政村（社区）的{who}计，现有{type}服务标准内有 "
                                "{before} 人，加上新址后有 {after} 人，按容量服务 {served} 人；{type}的覆盖分析按"
                                "{weight}计：口径不同，两者的数字不能直接比较。",
                                "Served counts capacity, covered only distance: counting {who} at villages and "
                                "communities, {before} are within the standard of an existing {type}, {after} with "
                                "the new sites, and {served} are served through capacity; the coverage analysis of "
                                "the {type} counts {weight}: a different base, so the two figures do not compare."),
})


# -- fixer QA35-F6
# the data page's confirm refused by a colleague's newer version (the who/what line kept above the report checked
# again; the changes that would undo the newer version's marked), the banner of data restored to an earlier version,
# a proposal's note draft kept over a new login
_STRINGS.update({
    "qa35f6_undo_badge": ("撤销 {v} 的修改", "undoes {v}"),
    "qa35f6_undo_count": ("其中 {n} 项撤销较新版本的修改", "{n} undoing the newer version's changes"),
    "qa35f6_undo_added": ("{v} 新增了此设施，确认后它将被移除", "{v} added this facility; confirming removes it"),
    "qa35f6_undo_removed": ("{v} 移除了此设施，确认后它将重新出现", "{v} removed this facility; confirming brings it back"),
    "qa35f6_undo_changed": ("{v} 也修改了此项，确认后将被本文件的内容覆盖",
                            "{v} changed this too; confirming overwrites it with this file's"),
    "qa35f6_undo_line": ("下方报告中有 {n} 项变更会撤销或覆盖 {v} 所做的修改（已标出并展开）。如需保留这些修改，请先据此"
                         "更新您的文件后重新上传；确认前请逐项核对。",
                         "{n} of the changes in the report below would undo or overwrite what {v} changed (marked, "
                         "their lists opened). To keep those changes, update your file and upload it again; check "
                         "each one before confirming."),
    "qa35f6_undo_none": ("下方报告中没有会撤销 {v} 所做修改的变更。",
                         "None of the changes in the report below undoes what {v} changed."),
    "qa35f6_data_restored_notice": ("数据已从备份恢复为较早的版本 v{v}（本页显示的是 v{shown}，该版本可能已不存在）："
                                    "请刷新本页后再继续操作。",
                                    "The data were restored from a backup to an earlier version, v{v} (this page "
                                    "shows v{shown}, which may no longer exist): reload this page before going on."),
    "qa35f6_note_draft_restored": ("已恢复您在本页未保存的备注：请点击“保存”保存它。",
                                   "Your unsaved note on this page was restored: press \"Save\" to keep it."),
})


# -- fixer QA35-F5
# a proposal dropped by a backup restore: its 404 names the restore (web/proposals.py); a restore lists the
# proposals whose name or note it took back to the backup's (geo.backup, cli/backup.py, the audit entry); the Data
# page's version list says which versions a restore dropped and which county an import replaced (web/data.py)
_STRINGS.update({
    "qa35f5_dropped": ("方案“{name}”已被丢弃：{who}于 {at} 恢复了备份 {archive}，该方案保存于此备份之后，备份中没有它。",
                       "The proposal \"{name}\" was dropped: {who} restored the backup {archive} at {at}, and the "
                       "proposal was saved after that backup, which does not hold it."),
    "qa35f5_archive_made": ("{archive}（备份时间 {created}）", "{archive} (made {created})"),
    "qa35f5_hint_params": ("其参数：{params}。如需此方案，可在“选址方案”页按这些参数重新生成。",
                           "Its parameters: {params}. To have it again, make a new proposal with them on the "
                           "Proposals page."),
    "qa35f5_hint_no_params": ("恢复时未记录其参数；如仍需要，请在“选址方案”页重新生成。",
                              "The restore did not record its parameters; make a new proposal on the Proposals "
                              "page if it is needed again."),
    "qa35f5_hint_write": ("未保存任何内容；被丢弃的方案可按原参数重新生成。",
                          "Nothing was saved; a dropped proposal can be made again from its parameters."),
    "qa35f5_reverted": ("{n} 个方案的名称或备注恢复为备份时的内容（备份之后的修改已撤销）：{items}",
                        "{n} proposals got back the name or note they had at the backup (the changes made after it "
                        "undone): {items}"),
    "qa35f5_reverted_1": ("1 个方案的名称或备注恢复为备份时的内容（备份之后的修改已撤销）：{items}",
                          "1 proposal got back the name or note it had at the backup (the change made after it "
                          "undone): {items}"),
    "qa35f5_rev_name": ("“{name}”（备份后曾改名为“{was}”）", "\"{name}\" (renamed \"{was}\" after the backup)"),
    "qa35f5_rev_note": ("“{name}”（备注）", "\"{name}\" (its note)"),
    "qa35f5_rev_both": ("“{name}”（备份后曾改名为“{was}”；备注也已恢复）",
                        "\"{name}\" (renamed \"{was}\" after the backup; its note too)"),
    "qa35f5_more": ("等", ", …"),
    "qa35f5_versions_dropped": ("数据版本 {vs} 已因恢复备份被丢弃：{who}于 {at} 恢复了备份 {archive}；备份之后的版本不再保留，"
                                "其编号也不再使用。",
                                "Data versions {vs} were dropped by a backup restore: {who} restored the backup "
                                "{archive} at {at}; the versions made after the backup are gone, and their numbers "
                                "are not used again."),
    "qa35f5_versions_dropped_1": ("数据版本 {vs} 已因恢复备份被丢弃：{who}于 {at} 恢复了备份 {archive}；备份之后的版本不再保留，"
                                  "其编号也不再使用。",
                                  "Data version {vs} was dropped by a backup restore: {who} restored the backup "
                                  "{archive} at {at}; the versions made after the backup are gone, and their numbers "
                                  "are not used again."),
    "qa35f5_scope": ("（{county}）", " ({county})"),
    "qa35f5_scope_city": ("全市", "whole city"),
})


def restore_reverted_text(n, items, lang: str = "zh") -> str:
    """The proposals a backup restore took back to the name or note they had at the backup (geo.backup: ``reverted``
    and ``reverted_proposals``; the audit entry's ``reverted_proposals`` and ``reverted_proposal_names``), in words:
    "1 个方案的名称或备注恢复为备份时的内容……：“甲”（备份后曾改名为“乙”）"; "" when none."""
    from planner.textrules import escaped  # a name hiding characters is written out, never rendered

    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        return ""
    listed = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        fields = item.get("fields") if isinstance(item.get("fields"), list) else []
        name, was = (escaped(str(item.get(k) or ""))[:60] for k in ("name", "was"))
        key = "qa35f5_rev_both" if {"name", "note"} <= set(fields) else \
            "qa35f5_rev_name" if "name" in fields else "qa35f5_rev_note"
        listed.append(t(key, lang, name=name, was=was))
    said = ("、" if lang == "zh" else ", ").join(listed) + (t("qa35f5_more", lang) if n > len(listed) else "")
    return t("qa35f5_reverted_1" if n == 1 else "qa35f5_reverted", lang, n=n, items=said)


# -- fixer QA35-F8
# a sized proposal's page, comparison and offline map in the words of its demand points (planner.sizing
# points_label, TOWNSHIP_LABELS): towns and townships where it counts them at their seats (welfare homes)
_STRINGS.update({
    "qa35f8_assigned_townships": ("分配的乡镇", "Towns and townships assigned"),
    "qa35f8_unserved_townships": ("未服务的乡镇", "Towns and townships not served"),
    "qa35f8_unserved_points": ("未服务的需求点", "Demand points not served"),
    "qa35f8_shortfall_note_townships": ("剩余容量缺口按服务标准内未获服务的需求换算：既含设施已满的地方，也含标准内没有设施可达的"
                                        "乡镇（按驻地计），因此可能大于“供需”图层按各地现有容量与需求相抵算出的缺口。",
                                        "The remaining shortfall converts the demand left unserved within the "
                                        "standard: where facilities are full, and also towns and townships (counted "
                                        "at their seats) no facility reaches within it, so it can exceed the Capacity "
                                        "layer's shortfall, which sets each place's capacity against its demand."),
})


# -- fixer QA35-LEAD: the lead's own keys
_STRINGS.update({
    "qa35l_open_reused": ("打开该方案", "Open it"),
    "qa35l_undo_added_changed": ("{v} 新增了此设施，确认后其内容将被本文件的内容覆盖",
                                  "{v} added this facility; confirming overwrites what it set with this file's"),
})

# -- fixer QA35-F9
# the numbered sites' key of an upgrade's or a conversion's maps where only some of its facilities are the sample's
# register rows (planner.maplayers sample_words): page layer box and legend, brief, offline map
_STRINGS.update({
    "qa35f9_partly_illustrative": ("部分示意", "partly illustrative"),
})


# -- fixer QA35-F7
# a 405 naming the method sent and the ones to use (web.errors.method_not_allowed); a proposal request made again
# while the first is solved or within a minute of its save, answered with that one (web.api proposals_start)
_STRINGS.update({
    "qa35f7_method_not_allowed": ("该地址不接受 {method} 请求，请改用 {allowed}。",
                                  "This address does not take {method} requests: use {allowed}."),
    "qa35f7_or": (" 或 ", " or "),
    "qa35f7_reused": ("这是 {at} 已用相同名称和参数保存的方案“{name}”（数据版本 v{v}），本次未重复保存。",
                      "This is the proposal \"{name}\" saved at {at} with the same name and parameters (data version "
                      "v{v}): no copy was saved."),
    "qa35f7_reused_job": ("相同名称和参数的方案正在计算（数据版本 v{v}），本次未重复提交：这是该任务，完成后即得到方案。",
                          "A proposal with the same name and parameters is already being solved (data version v{v}): "
                          "no second one was started. This is its job; the proposal follows when it ends."),
})

# -- fixer QA36-LEAD: the lead's own keys
_STRINGS.update({
    "qa36l_shared_cancel": ("取消将停止这项共用的计算（另一页面或另一次提交发起的同一任务）。",
                            "Cancelling stops this shared solve (the same job another tab or submission started)."),
})

# -- fixer QA36-B: a bed type's breakdown (planner.beds.allocate_beds) says the gaps it closes are those of the
# townships the type serves, and how many beds the others still lack ("已补足各乡镇的全部缺口" beside 5,861 short)
_STRINGS.update({
    "qa36b_left_typed": ("目标中有 {left} 张床位未分配：{given} 张已补足{type}所服务的 {served} 个乡镇（街道）按标准的全部缺口，"
                         "其余超出这些乡镇的需要，须由{where}另行安排。",
                         "{left} of the target {left_is} not allocated: {given} close every gap in the {served} "
                         "{served_towns} a {type} serves, and the rest is beyond their need, for {where} to place."),
    "qa36b_others_short": ("另有 {others} 个乡镇（街道）不在{type}服务范围内，不分配其床位，分配后仍缺 {short} 张。",
                           "The other {others} {others_towns} get none of its beds and are still {short} short."),
    "qa36b_over_typed": ("每个乡镇（街道）的缺口按整张床位补足（缺 0.2 张也补 1 张），所以分配的 {given} 张比{type}所服务乡镇"
                         "（街道）的缺口合计 {short} 张多 {over} 张。",
                         "Each township's gap is closed in whole beds (0.2 short gets a bed), so the {given} given "
                         "exceed the shortfall of the townships a {type} serves ({short}) by {over}."),
})

# -- fixer QA36-S: a sized proposal of an "inside" type reaches the unit's area (its county), as the coverage does;
# the unserved parted into beyond reach and short of room; the note on what differs from the coverage's figures
_STRINGS.update({
    "qa36s_area_county": ("县（市、区）", "county"),
    "qa36s_area_township": ("乡镇（街道）", "township"),
    "qa36s_single_inside": ("每个村（社区）整体由一处设施服务（单一来源），且该设施须在村（社区）所在{area}境内：{type}按"
                            "“境内有一处即覆盖”计，不看距离。",
                            "Each village is served whole by one facility (single source), one inside the village's "
                            "{area}: a {type} covers the {area} it stands in, whatever the distance."),
    "qa36s_covered_inside": ("服务人数按容量计，覆盖只看设施所在地：所在{area}境内已有{type}的{who}有 {before} 人（即覆盖分析的"
                             "“已覆盖”），加上新址后有 {after} 人；按容量服务 {served} 人。",
                             "Served counts capacity, covered only where the facilities stand: {before} {who} live in "
                             "a {area} with an existing {type} (the coverage analysis's \"covered\"), {after} with the "
                             "new sites; {served} are served through capacity."),
    "qa36s_points_county_seats": ("县城（每个县城计入全县人口）", "county seats (each with its whole county's people)"),
    "qa36s_points_seats": ("县城和乡镇驻地（每处计入全县或全乡镇人口）",
                           "county and township seats (each with its whole county's or township's people)"),
    "qa36s_covered_villages_points": ("服务人数按容量计，覆盖只看距离：按行政村（社区）的{who}计，现有{type}服务标准内有 "
                                      "{before} 人，加上新址后有 {after} 人，按容量服务 {served} 人；{type}的覆盖分析同样计"
                                      "{who}，但以{points}为需求点：需求点不同，两者的数字不能直接比较。",
                                      "Served counts capacity, covered only distance: counting {who} at villages and "
                                      "communities, {before} are within the standard of an existing {type}, {after} "
                                      "with the new sites, and {served} are served through capacity; the coverage "
                                      "analysis of the {type} counts {who} too, but at {points}: different demand "
                                      "points, so the two figures do not compare."),
    "qa36s_covered_villages_inside": ("服务人数按容量计，覆盖只看设施所在地：按行政村（社区）的{who}计，所在{area}境内已有"
                                      "{type}的有 {before} 人，加上新址后有 {after} 人，按容量服务 {served} 人；{type}的"
                                      "覆盖分析同样计{who}，但以{points}为需求点，其人数与各村（社区）之和不一致：两者的数字"
                                      "不能直接比较。",
                                      "Served counts capacity, covered only where the facilities stand: counting {who} "
                                      "at villages and communities, {before} live in a {area} with an existing {type}, "
                                      "{after} with the new sites, and {served} are served through capacity; the "
                                      "coverage analysis of the {type} counts {who} too, but at {points}, whose totals "
                                      "differ from the villages' sums: the two figures do not compare."),
    # the unserved parted by why: with both kinds, "Of the N not served, A {beyond}; B {no room}."; with one, "All N
    # not served {it}." (each part's words follow its number, or "均")
    "qa36s_unserved_lead": ("未服务的 {n} {who}中：", "Of the {n} {who} not served, "),
    "qa36s_unserved_all": ("未服务的 {n} {who}均", "All {n} {who} not served "),
    "qa36s_part_n": ("{n} 人", "{n} "),
    "qa36s_beyond_within": ("不在本方案任何设施（现有及新址）的服务标准内，增加{units}也无法服务，须另建新址（剩余容量缺口中"
                            "的 {k} {unit}属此类）",
                            "are beyond the standard of every facility of the plan (existing and new): more {units} "
                            "cannot serve them, only another site can ({k} {unit} of the remaining shortfall)"),
    "qa36s_beyond_inside": ("位于本方案没有任何设施（现有及新址）的{area}，增加{units}也无法服务，须在该{area}另建新址（剩余"
                            "容量缺口中的 {k} {unit}属此类）",
                            "live in a {area} with no facility of the plan (existing or new): more {units} cannot "
                            "serve them, only a site in that {area} can ({k} {unit} of the remaining shortfall)"),
    "qa36s_no_room": ("在设施服务范围内，但设施已满（缺 {k} {unit}）",
                      "are within reach of a facility that is full ({k} {unit} short)"),
})

# -- fixer QA36-G1: a register's area code matched only as it is (planner.register declared_places / place_by_name,
# planner.locate): a code of other digits refused naming the cell, a village code of no village said at its seat
_STRINGS.update({
    "qa36g1_area_code_digits": ("{column}“{value}”有 {n} 位数字，不是9位（乡镇）或12位（村（社区））的区划代码，无法判断所指的地点",
                                "{column} '{value}' has {n} digits: it is no 9-digit (township) or 12-digit (village) "
                                "area code, so which place it means cannot be told"),
    "qa36g1_area_code_chars": ("{column}“{value}”有 {n} 位数字及其他字符（“{chars}”），不是9位（乡镇）或12位（村（社区））的区划代码，"
                               "无法判断所指的地点",
                               "{column} '{value}' has {n} digits and other characters ('{chars}'): it is no 9-digit "
                               "(township) or 12-digit (village) area code, so which place it means cannot be told"),
    "qa36g1_fix_area_code": ("请把该单元格改为完整的9位乡镇或12位村（社区）统计用区划代码（如420302001或420302001001），"
                             "或清空该单元格，按名称或坐标定位",
                             "Correct the cell to the full 9-digit township or 12-digit village NBS code (e.g. "
                             "420302001 or 420302001001), or empty it to place the facility by its names or "
                             "coordinates"),
    "qa36g1_village_code_unknown": ("未知的村（社区）代码“{value}”", "unknown village code '{value}'"),
    "qa36g1_at_seat_code": ("未知的村（社区）代码“{value}”（前9位是乡镇代码）：已定位到其乡镇驻地：{path}",
                            "unknown village code '{value}' (its first 9 digits are a township's): placed at its "
                            "township's seat, {path}"),
    "qa36g1_fix_village_code": ("请核对该村（社区）代码（12位统计用区划代码，如420302001001），或从候选中选择所在的村（社区）",
                                "Check the village code (the 12-digit NBS 2023 code, e.g. 420302001001), or pick the "
                                "village from the candidates"),
    "qa36g1_village_code_unknown_xy": ("未知的村（社区）代码“{value}”（前9位是{path}的代码）：按坐标定位",
                                       "unknown village code '{value}' (its first 9 digits are the code of {path}): "
                                       "the facility is placed by its coordinates"),
    "qa36g1_fix_village_code_xy": ("请核对该村（社区）代码（12位统计用区划代码，如420302001001）",
                                   "Check the village code (the 12-digit NBS 2023 code, e.g. 420302001001)"),
})
