"""The reports pages: each stage's views under one URL namespace ("reports:"). Like
``reports/models.py`` this module only wires the stages together."""
from django.urls import path

from reports.filings import views, views_quality, views_rows, views_sheet, views_xlsx
from reports.filings import views_settings as settings_periods
from reports.summaries import views as views_summaries
from reports.targets import views_settings as settings_targets
from reports.workflow import views as views_workflow
from reports.workflow import views_forward, views_inbox, views_print
from reports.workflow import views_settings as settings_reopen

app_name = "reports"

urlpatterns = [
    path("filings/", views.FilingListView.as_view(), name="filing_list"),
    path("filings/new/", views.filing_new, name="filing_new"),
    path("filings/forward/", views_forward.forward_list, name="forward_list"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/rows/", views.filing_rows, name="filing_rows"),
    path("filings/<int:pk>/sheet/", views_sheet.filing_sheet, name="filing_sheet"),
    path("filings/<int:pk>/sheet/data/", views_sheet.filing_sheet_data, name="filing_sheet_data"),
    path("filings/<int:pk>/rows/add/", views_rows.row_edit, name="row_add"),
    path("filings/<int:pk>/rows/prefill/", views_rows.t5_prefill, name="t5_prefill"),
    path("filings/<int:pk>/start/", views_rows.filing_start, name="filing_start"),
    path("filings/<int:pk>/started/", views_rows.filing_started, name="filing_started"),
    path("filings/<int:pk>/rows/<int:row_no>/edit/", views_rows.row_edit, name="row_edit"),
    path("filings/<int:pk>/rows/<int:row_no>/delete/", views_rows.row_delete, name="row_delete"),
    path("filings/<int:pk>/t4/", views.t4_edit, name="t4_edit"),
    path("filings/<int:pk>/explanation/", views_rows.filing_explanation, name="filing_explanation"),
    path("filings/<int:pk>/template.xlsx", views_xlsx.filing_template, name="filing_template"),
    path("filings/<int:pk>/export.xlsx", views_xlsx.filing_export, name="filing_export"),
    path("filings/<int:pk>/t2.xlsx", views_xlsx.filing_t2_export, name="filing_t2_export"),
    path("filings/<int:pk>/upload/", views_xlsx.filing_upload, name="filing_upload"),
    path("filings/<int:pk>/action/<str:action>/", views_workflow.filing_action, name="filing_action"),
    path("filings/<int:pk>/diff/", views_workflow.filing_diff, name="filing_diff"),
    path("filings/<int:pk>/print/", views_print.filing_print, name="filing_print"),
    path("inbox/", views_inbox.inbox, name="inbox"),
    path("inbox/approve/", views_inbox.inbox_approve, name="inbox_approve"),
    path("inbox/<int:pk>/return/", views_inbox.inbox_return, name="inbox_return"),
    path("completeness/", views_summaries.completeness, name="completeness"),
    path("completeness/list/", views_summaries.completeness_list, name="completeness_list"),
    path("completeness/urge/", views_summaries.completeness_urge, name="completeness_urge"),
    path("t3/", views_summaries.t3_page, name="t3"),
    path("t3/province/", views_summaries.t3_province_page, name="t3_province"),
    path("t3/<int:pk>.xlsx", views_summaries.t3_download, name="t3_export"),
    path("filings/<int:pk>/export/start/", views_xlsx.filing_export_start, name="filing_export_start"),
    path("exports/<int:pk>/", views_xlsx.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views_xlsx.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download.xlsx", views_xlsx.export_job_download, name="export_job_download"),
    path("imports/<int:pk>/", views_xlsx.import_job, name="import_job"),
    path("imports/<int:pk>/status/", views_xlsx.import_job_status, name="import_job_status"),
    path("imports/<int:pk>/annotated.xlsx", views_xlsx.import_job_annotated, name="import_job_annotated"),
    # the province's settings (periods, deadlines, lock dates, reopening, targets)
    path("settings/periods/", settings_periods.period_list, name="period_list"),
    path("settings/periods/open/", settings_periods.period_open, name="period_open"),
    path("settings/periods/<int:pk>/", settings_periods.period_settings, name="period_settings"),
    path("settings/periods/<int:pk>/filings/", settings_reopen.period_filings, name="period_filings"),
    path("settings/filings/<int:pk>/reopen/", settings_reopen.filing_reopen, name="filing_reopen_settings"),
    path("settings/quality/", views_quality.quality_threshold_list, name="quality_threshold_list"),
    path("settings/quality/<int:pk>/", views_quality.quality_threshold_settings, name="quality_threshold_settings"),
    path("settings/targets/", settings_targets.target_set_list, name="target_set_list"),
    path("settings/targets/sets/<int:pk>/", settings_targets.target_set_settings, name="target_set_settings"),
    path("settings/targets/<int:pk>/", settings_targets.target_settings, name="target_settings"),
]
