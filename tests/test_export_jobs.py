"""Large exports in a Celery task: a 附表1 over EXPORT_ASYNC_ROWS rows gets a page that starts a job
(POST), the job's page shows a progress bar, and the filing's readers download the file; others
never see it. Old files are deleted."""
from __future__ import annotations

import io
import os
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from reports.filings import export_jobs, services
from reports.filings.models import ExportJob
from reports.filings.xlsx import FIRST_DATA_ROW
from reports.filings.xlsx.exporter import filing_export
from tests import factories as f

pytestmark = pytest.mark.usefixtures("_media")
NAMES = ["西湖甲企业有限公司", "甲 & 乙有限公司", "'单引号'", "-减号开头"]


@pytest.fixture
def ledger(world, t1, settings):
    settings.EXPORT_ASYNC_ROWS = 3  # the ledger's 4 rows are "large"
    rows = [f.t1_cells(world.e_hz.uscc, enterprise_name=NAMES[0])]
    rows += [f.t1_cells(f.next_uscc("330106"), enterprise_name=name) for name in NAMES[1:]]
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=rows, expected_lock_version=t1.lock_version)
    assert result.saved, result.issue_dicts()
    return result.filing


def _names(data: bytes) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    keys = [c.value for c in ws[FIRST_DATA_ROW - 1]]
    col = keys.index("enterprise_name")
    return [row[col] for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]


def _start(client, ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reports:filing_export_start", args=[ledger.pk]))


def test_a_filing_over_the_threshold_gets_a_page_that_starts_an_export_job(client, world, ledger, settings):
    client.force_login(world.users["op_hz"])
    response = client.get(reverse("reports:filing_export", args=[ledger.pk]))
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "本表共 <b>4</b> 行数据" in page and 'data-testid="export-start-button"' in page and "csrfmiddlewaretoken" in page
    settings.EXPORT_ASYNC_ROWS = 4  # at the threshold: the file itself, at once
    assert client.get(reverse("reports:filing_export", args=[ledger.pk]))["Content-Type"] != "text/html; charset=utf-8"


def test_the_export_job_writes_the_file_the_readers_download(client, world, ledger, eager_celery, django_capture_on_commit_callbacks):
    client.force_login(world.users["op_hz"])
    response = _start(client, ledger, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert (job.status, job.progress, job.total_rows, job.lock_version) == ("done", 100, 4, ledger.lock_version)
    page = client.get(response["Location"]).content.decode()
    assert "已生成" in page and reverse("reports:export_job_download", args=[job.pk]) in page and "hx-get" not in page
    for reader in ("op_hz", "hz_branch", "province"):  # whoever may read the filing
        client.force_login(world.users[reader])
        download = client.get(reverse("reports:export_job_download", args=[job.pk]))
        data = b"".join(download.streaming_content)
        assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")
        assert _names(data) == [*NAMES[:3], "'-减号开头"]  # as typed; a cell that could start a formula is made text
        assert _names(data) == _names(filing_export(filing=ledger))


def test_a_second_click_reuses_the_job_of_the_same_version(client, world, ledger, eager_celery, django_capture_on_commit_callbacks):
    client.force_login(world.users["op_hz"])
    first = _start(client, ledger, django_capture_on_commit_callbacks)["Location"]
    assert _start(client, ledger, django_capture_on_commit_callbacks)["Location"] == first
    assert ExportJob.objects.count() == 1


def test_others_never_see_nor_download_the_export(client, world, ledger, eager_celery, django_capture_on_commit_callbacks):
    client.force_login(world.users["op_hz"])
    _start(client, ledger, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    for outsider in ("op_wz", "wz_branch", "bank_a_wz"):
        client.force_login(world.users[outsider])
        for name in ("export_job", "export_job_status", "export_job_download"):
            assert client.get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404, (outsider, name)
        assert client.post(reverse("reports:filing_export_start", args=[ledger.pk])).status_code == 404
    assert ExportJob.objects.count() == 1


def test_starting_an_export_needs_a_post(client, world, ledger):
    client.force_login(world.users["op_hz"])
    assert client.get(reverse("reports:filing_export_start", args=[ledger.pk])).status_code == 405
    assert not ExportJob.objects.exists()


def test_a_running_job_shows_its_progress_and_polls(client, world, ledger):
    job = ExportJob.objects.create(filing=ledger, lock_version=ledger.lock_version, created_by=world.users["op_hz"],
                                   total_rows=4, status=ExportJob.Status.RUNNING, progress=40)
    client.force_login(world.users["op_hz"])
    part = client.get(reverse("reports:export_job_status", args=[job.pk])).content.decode()
    assert 'aria-valuenow="40"' in part and reverse("reports:export_job_status", args=[job.pk]) in part
    assert client.get(reverse("reports:export_job_download", args=[job.pk])).status_code == 404  # not written yet


def test_the_job_reports_progress_while_it_writes(world, ledger, monkeypatch):
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    job = ExportJob.objects.create(filing=ledger, lock_version=ledger.lock_version, created_by=world.users["op_hz"], total_rows=4)
    seen = []

    def spy(rows):
        for row in rows:
            yield row
            seen.append(ExportJob.objects.get(pk=job.pk).progress)
    monkeypatch.setattr(export_jobs, "_counted", lambda rows, job_id, total, inner=export_jobs._counted: spy(inner(rows, job_id, total)))
    assert export_jobs.export_job_process(job_id=job.pk).status == "done"
    assert seen == [25, 50, 75, 99] and ExportJob.objects.get(pk=job.pk).progress == 100


def test_an_export_of_an_older_version_says_the_filing_changed(client, world, ledger, eager_celery, django_capture_on_commit_callbacks):
    client.force_login(world.users["op_hz"])
    _start(client, ledger, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    rows = [f.t1_cells(world.e_hz.uscc, enterprise_name=NAMES[0])]
    services.filing_rows_replace(actor=world.users["op_hz"], filing=ledger, raw_rows=rows, expected_lock_version=ledger.lock_version)
    page = client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert 'data-testid="export-stale"' in page


def test_export_files_older_than_the_keep_days_are_deleted(world, ledger, eager_celery, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_jobs.export_job_start(actor=world.users["op_hz"], filing=ledger)
    job.refresh_from_db()
    path = job.file.path
    assert export_jobs.export_jobs_purge(now=timezone.now() + timedelta(days=settings.EXPORT_KEEP_DAYS - 1)) == 0
    assert export_jobs.export_jobs_purge(now=timezone.now() + timedelta(days=settings.EXPORT_KEEP_DAYS, minutes=1)) == 1
    assert not ExportJob.objects.exists() and not os.path.exists(path)


def test_the_admin_lists_upload_and_export_jobs_read_only(client, world, ledger):
    job = ExportJob.objects.create(filing=ledger, lock_version=ledger.lock_version, created_by=world.users["op_hz"], total_rows=4)
    client.force_login(world.admin)
    for model in ("exportjob", "importjob"):
        assert client.get(reverse(f"admin:reports_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:reports_{model}_add")).status_code == 403
    page = client.get(reverse("admin:reports_exportjob_change", args=[job.pk])).content.decode()
    assert 'name="status"' not in page and 'name="progress"' not in page  # shown, not editable


@pytest.mark.django_db(transaction=True)
def test_under_eager_celery_the_export_runs_after_the_response(client, world, ledger, eager_celery, monkeypatch):
    from portal import deferred

    seen, process = [], export_jobs.export_job_process
    monkeypatch.setattr(export_jobs, "export_job_process", lambda **kw: seen.append(deferred.running_after_response()) or process(**kw))
    client.force_login(world.users["op_hz"])
    response = client.post(reverse("reports:filing_export_start", args=[ledger.pk]))  # commits as it goes
    assert response.status_code == 302 and seen == [True] and ExportJob.objects.get().status == "done"
