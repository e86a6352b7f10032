"""Background jobs with progress and cancellation, on a small thread pool.

A site-selection solve can take a minute; the browser polls ``/api/jobs/<id>``
instead of holding a request open (waitress would time it out, and a planner
must be able to cancel). Cancelling is cooperative: the job function receives
``should_stop()`` and is expected to poll it; a job still queued is dropped
before it starts.

The queue is bounded (``max_active`` jobs queued or running; one more is
refused with :class:`web.errors.ServerBusy`) so that one client cannot pile up
work that keeps everyone else waiting. Jobs live in memory, and an optional
journal (``web.store.JobJournal``) records each one, so that after a restart a
job that was cut off answers "interrupted" instead of "not found".
"""
from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from geo.errors import Cancelled, CoverplanError
from web.errors import Forbidden, JobEnded, ServerBusy, TooManyJobs, public, status_of

FINAL = ("done", "failed", "cancelled", "interrupted")
ACTIVE = ("queued", "running")
#: How long a calculation a restart cut off stays in the list (``/api/jobs``, to whom started it), in seconds.
INTERRUPTED_LISTED = 24 * 3600
#: How often a running job tells the journal it still runs (seconds): a job a restart cuts off is known to have
#: run until its last such mark (its ``elapsed``), not until the restart (QA 28: 14.6 s for a solve killed at 2.5 s).
HEARTBEAT = 2.0
#: What a job that failed on an unexpected error (a bug, a full disk) says to its owner, in both languages; the trace
#: is in the server's log. coverplan's own errors (CoverplanError) keep their own words.
JOB_FAILED_ZH = "计算出错：服务器内部错误，计算未能完成，已记录日志。请稍后重试或联系管理员。"
JOB_FAILED_EN = ("Calculation error: an internal error stopped the calculation. It has been logged; please try again "
                 "later or ask the administrator.")


class OwnerDisabled(Forbidden):
    """The account a job runs for was disabled while it ran (on /admin, or with ``coverplan users disable``, which
    cannot reach this process's jobs): the job saves nothing. Raised at its save (:meth:`JobRunner.may_save`), or
    when it starts (``before_start``: disabled while it waited in the queue, it does not run at all)."""

    def __init__(self, before_start: bool = False) -> None:
        if before_start:
            super().__init__("The account this calculation was started for was disabled before it began: it was not "
                             "run, and nothing was saved.",
                             "该计算所属的账号在计算开始前已被停用：计算未运行，未保存任何结果。",
                             hint_en="An administrator may enable the account again; it can then start it again.",
                             hint_zh="管理员可重新启用该账号，之后可重新提交计算。")
            return
        super().__init__("The account this calculation runs for was disabled while it ran: its result was not saved.",
                         "该计算所属的账号在计算期间已被停用：计算结果未保存。",
                         hint_en="An administrator may enable the account again; it can then start it again.",
                         hint_zh="管理员可重新启用该账号，之后可重新提交计算。")


class OwnerRightsChanged(Forbidden):
    """The account a job runs for may no longer make what it computes (QA 33): an administrator made it a viewer, or
    moved it to another county than the proposal's scope, while the job ran (or waited). The job saves nothing, as a
    disabled account's (:class:`OwnerDisabled`); ``why``: what changed, ``{"en", "zh"}`` (:func:`rights_refusal`)."""

    def __init__(self, why: dict, before_start: bool = False) -> None:
        hint_en = ("An administrator may give the account its rights back; or start a calculation the account may make "
                   "now.")
        hint_zh = "管理员可恢复该账号原有的权限；或按该账号现在的权限重新提交计算。"
        details = {"reason": why.get("code"), **(why.get("details") or {})}
        if before_start:
            super().__init__(f"The account this calculation was started for may no longer make it ({why['en']}): it "
                             "was not run, and nothing was saved.",
                             f"该计算所属账号的权限在计算开始前已变更，不能再进行此计算（{why['zh']}）：计算未运行，"
                             "未保存任何结果。", hint_en=hint_en, hint_zh=hint_zh, details=details)
            return
        super().__init__(f"The account this calculation runs for may no longer make it ({why['en']}): its result was "
                         "not saved.",
                         f"该计算所属账号的权限在计算期间已变更，不能再保存此计算（{why['zh']}）：计算结果未保存。",
                         hint_en=hint_en, hint_zh=hint_zh, details=details)


def rights_reason(why: dict) -> dict:
    """What a job's message says when an administrator's change of its account's role or county cancelled it
    (web.auth), by state, as :data:`DISABLED_REASON`; ``why`` as :func:`rights_refusal` gives it."""
    return {"running": {"zh": f"正在取消：管理员已变更该账号的权限（{why['zh']}），计算将在下一个检查点停止，不保存任何结果。",
                        "en": f"Cancelling: an administrator changed the account's rights ({why['en']}); the "
                              "calculation stops at its next checkpoint and saves nothing."},
            "cancelled": {"zh": f"已取消：管理员已变更该账号的权限（{why['zh']}），未保存任何结果。",
                          "en": f"Cancelled: an administrator changed the account's rights ({why['en']}); nothing "
                                "was saved."}}


def rights_refusal(account, job: "Job", counties: dict | None = None, counties_en: dict | None = None) -> dict | None:
    """Why ``account`` (web.users.User, read now) may no longer have ``job``'s result saved under it, or None when
    it may: a viewer makes nothing; a county planner makes only his county's proposals and no road network (it
    serves every county). ``{"en", "zh", "code", "details"}``; ``counties``/``counties_en``: code -> name, for the
    words. An unknown or disabled account is :attr:`JobRunner.owner_active`'s to tell."""
    if account is None or getattr(account, "disabled", False):
        return None

    def label(code, lang: str) -> str:
        if not code:
            return "the whole city" if lang == "en" else "全市"
        names = (counties_en or counties) if lang == "en" else counties
        name = (names or {}).get(str(code))
        if not name:
            return str(code)
        return f"{name} ({code})" if lang == "en" else f"{name}（{code}）"

    if not account.can_edit:
        return {"en": f"its role is now {account.role}: it may view only", "zh": "该账号现为查看者，只能查看",
                "code": "role", "details": {"role": account.role}}
    if account.citywide:
        return None
    mine_en, mine_zh = label(account.county, "en"), label(account.county, "zh")
    if job.kind == "proposal":
        scope = (job.params or {}).get("county") or None
        if str(scope or "") == str(account.county or ""):
            return None
        return {"en": f"it is now limited to {mine_en}, and this proposal is for {label(scope, 'en')}",
                "zh": f"该账号现限于 {mine_zh}，而此方案针对{label(scope, 'zh')}",
                "code": "county", "details": {"county": account.county, "scope": scope}}
    if job.kind == "network":
        return {"en": f"it is now limited to {mine_en}, and a road network serves every county",
                "zh": f"该账号现限于 {mine_zh}，而路网供所有县区使用",
                "code": "county", "details": {"county": account.county, "scope": None}}
    return None


def rights_check(users) -> Callable[["Job"], dict | None]:
    """:attr:`JobRunner.owner_rights` over ``users`` (web.users.UserStore): the account a job counts against
    (``user:<id>``) read from the database when asked (``coverplan users`` changes it from another process)."""
    def refusal(job: "Job") -> dict | None:
        kind, _, uid = str(job.owner or "").partition(":")
        if kind != "user" or not uid:  # a client address (no accounts): nothing to check
            return None
        return rights_refusal(users.get(uid), job, getattr(users, "counties", None),
                              getattr(users, "counties_en", None))
    return refusal


class JobSaving(JobEnded):
    """A cancel (or a stop and save: ``finish``) asked of a calculation already saving its result: too late, nothing
    is done; it ends "done" with what it saved (a 409, as a cancel of one that has ended). ``what_en``/``what_zh``:
    the job's kind in words."""

    def __init__(self, job: "Job", what_en: str = "calculation", what_zh: str = "计算", finish: bool = False) -> None:
        details = {"id": job.id, "kind": job.kind, "state": job.state, "saving": True}
        if finish:
            super().__init__(f"This {what_en} is already saving its result: there is nothing to stop. It ends in a "
                             "moment.", f"该{what_zh}已在保存结果，无需停止；稍后即完成。", details=details)
            return
        super().__init__(f"This {what_en} is already saving its result: it is too late to cancel it. It ends in a "
                         "moment; delete what it saved if it is not wanted.",
                         f"该{what_zh}已在保存结果，无法再取消；稍后即完成。如不需要，可在完成后删除其保存的结果。",
                         details=details)


#: What a job's message says when an administrator's disabling of its account cancelled it (web.auth), by the
#: job's state: still running (it stops at its next checkpoint) or cancelled.
DISABLED_REASON = {
    "running": {"zh": "正在取消：该账号已被管理员停用，计算将在下一个检查点停止，不保存任何结果。",
                "en": "Cancelling: the account was disabled by an administrator; the calculation stops at its next "
                      "checkpoint and saves nothing."},
    "cancelled": {"zh": "已取消：该账号已被管理员停用，未保存任何结果。",
                  "en": "Cancelled: the account was disabled by an administrator; nothing was saved."}}


@dataclass
class Job:
    id: str
    kind: str
    params: dict
    state: str = "queued"
    progress: float = 0.0
    message: str = ""
    result: Any = None
    error: dict | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    ahead: int = 0   # jobs before this one in the queue (set when read)
    owner: str | None = None  # whom the job counts against (per-user limit); never shown
    cancel_requested: bool = False  # a cancel was asked while it ran: it stops at its next checkpoint
    #: the stop asked keeps the best answer found so far ("stop and save"): the solve ends as soon as it can and
    #: what it found is the job's result, where a plain cancel drops it
    keep_requested: bool = False
    stage_since: float | None = None  # when the stage (``message`` up to its colon: "solving mclp") began
    #: an interrupted job's: when the restart found it cut off (its ``finished`` is the last time it was known
    #: to run, so ``elapsed`` never counts the time the server was down)
    cut_off: float | None = None
    #: when its owner (or an administrator) dismissed it (an interrupted job: no longer listed, in any browser)
    dismissed: float | None = None
    #: why it was cancelled when not by whom started it (its account was disabled): its message, by state
    #: (``{"running": {"zh", "en"}, "cancelled": {...}}``, as :data:`DISABLED_REASON`)
    stop_reason: dict | None = None
    #: it passed its save's commit point (:meth:`JobRunner.may_save`): what it computed is being written, and a
    #: cancel is too late (it ends "done", with its result)
    saving: bool = False
    _beat: float = field(default=0.0, repr=False)  # when the journal last heard that it runs
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict:
        state = self.state
        return {"id": self.id, "kind": self.kind, "state": state,
                "progress": round(self.progress, 4), "message": self.message,
                "params": self.params, "result": self.result, "error": self.error,
                "created": self.created, "started": self.started, "finished": self.finished,
                "ahead": self.ahead if state == "queued" else 0,
                "cancel_requested": self.cancel_requested, "keep_requested": self.keep_requested,
                # a final job saves nothing any more (read after its state: _run clears it before the final state)
                "saving": self.saving and state not in FINAL,
                # an interrupted job's: from its start to the last time it was known to run (at least this long)
                "elapsed": round(max(0.0, (self.finished or time.time()) - (self.started or self.created)), 3),
                "cut_off": self.cut_off, "dismissed": self.dismissed,
                # the seconds in the present stage (the page's solve clock: "23 s of at most 60 s")
                "stage_elapsed": (round(time.time() - self.stage_since, 3)
                                  if self.state == "running" and self.stage_since is not None else None)}


class JobRunner:
    """Runs ``fn(progress, should_stop)`` callables on ``workers`` threads.

    ``progress(fraction, message)`` updates what ``/api/jobs/<id>`` reports.
    The job's ``result`` is whatever ``fn`` returns (kept small: an id, a URL).
    Finished jobs are forgotten after ``keep`` newer ones exist.
    """

    #: Per-owner bound (web.security.install sets these from the config): ``owner_of()``
    #: names the client submitting; each owner may have ``max_per_owner`` active jobs.
    owner_of: Callable[[], str | None] | None = None
    max_per_owner: int = 0
    #: Wall-clock seconds after which a running job is stopped (0: never). The solver's own
    #: time limit comes first; this catches stages that do not watch it (reading a network).
    wall_limit: float = 0.0
    #: ``owner_active(owner)``: whether the account a job counts against may still save what it computed (web.auth
    #: sets it: False for a disabled account). Asked when the job starts and when it reaches its save, the stage its
    #: function announces as ``progress(..., "saving...")``: an account disabled by another process (the CLI) stops
    #: its jobs there.
    owner_active: Callable[[str], bool] | None = None
    #: ``owner_rights(job)``: why the account ``job`` counts against may no longer have its result saved (its role
    #: or county changed: :func:`rights_check`), as ``{"en", "zh", ...}``, or None when it may. Asked where
    #: :attr:`owner_active` is (QA 33: a planner made a viewer, or moved to another county, saved his running solve).
    owner_rights: Callable[["Job"], dict | None] | None = None

    def __init__(self, workers: int = 1, keep: int = 200, max_active: int = 8, journal=None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="coverplan-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self.max_active = max(1, int(max_active))
        self.journal = journal
        if journal is not None:
            cut_off = self._unfinished_ids(journal)
            journal.interrupt_unfinished()  # whatever was running when the last process died
            self._restore_interrupted(journal, cut_off)

    def submit(self, kind: str, fn: Callable[[Callable, Callable], Any], params: dict | None = None) -> Job:
        owner = self.owner_of() if self.owner_of else None
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, params=params or {}, owner=owner)
        with self._lock:
            if owner is not None and self.max_per_owner > 0:
                mine = sum(j.state in ACTIVE and j.owner == owner for j in self._jobs.values())
                if mine >= self.max_per_owner:
                    raise TooManyJobs(mine, self.max_per_owner)
            active = sum(j.state in ACTIVE for j in self._jobs.values())
            if active >= self.max_active:
                raise ServerBusy(active)
            self._jobs[job.id] = job
            self._forget_old()
        self._record(job)
        self._pool.submit(self._run, job, fn)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                job.ahead = self._ahead(job)
        if job is None and self.journal is not None:
            return self.journal.get(job_id)  # e.g. cut off by a restart: "interrupted"
        return job

    def list(self) -> list[Job]:
        with self._lock:
            jobs = sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)
            for j in jobs:
                j.ahead = self._ahead(j)
            return jobs

    def cancel(self, job_id: str) -> Job | None:
        return self.request_cancel(job_id)[0]

    def request_cancel(self, job_id: str, *, keep: bool = False, reason: dict | None = None) -> tuple[Job | None, str]:
        """Ask a job to stop: ``(job, outcome)``, the outcome one of

        ``"unknown"`` (no such job), ``"ended"`` (already final: nothing is done), ``"saving"`` (past its save's
        commit point, :meth:`may_save`: too late, nothing is done, it ends "done"), ``"cancelled"``
        (it was queued: dropped before it starts), ``"requested"`` (it runs: it stops at its next
        checkpoint) or ``"again"`` (it runs and a stop was already asked).

        ``keep``: stop and keep the best answer found so far (the job's ``fn`` reads it from
        ``should_stop.keep()``); a plain cancel, asked before or after, wins, as it asks for nothing.
        A queued job has found nothing: it is dropped either way. ``reason`` (as :data:`DISABLED_REASON`): why, when
        not by whom started it (:attr:`Job.stop_reason`).
        """
        job = self.get(job_id)
        if job is None:
            return None, "unknown"
        if job.id not in self._jobs:
            return job, "ended"  # a journal entry from before a restart (final)
        with self._lock:
            if job.state in FINAL:
                return job, "ended"
            if job.saving:  # its result is being written: a stop now would drop what is saved (QA 31)
                return job, "saving"
            again = job.cancel_requested
            job._stop.set()
            if reason is not None:
                job.stop_reason = reason
            job.keep_requested = bool(keep) and not (again and not job.keep_requested)
            job.cancel_requested = True
            if job.state == "queued":
                job.state, job.finished = "cancelled", time.time()
            outcome = "cancelled" if job.state == "cancelled" else "again" if again else "requested"
        self._record(job)
        return job, outcome

    def _active_of(self, owner: str) -> list[Job]:
        """``owner``'s queued and running jobs, oldest first."""
        with self._lock:
            return sorted((j for j in self._jobs.values() if j.owner == owner and j.state in ACTIVE),
                          key=lambda j: j.created)

    def cancel_owned(self, owner: str, reason: dict | None = None) -> list[Job]:
        """Cancel every queued or running job of ``owner`` (``"user:<id>"``: an account being disabled, web.auth), as
        the cancel endpoint cancels one: a queued job is dropped, a running one stops at its next checkpoint and saves
        nothing (a "stop and save" asked before becomes a plain cancel); ``reason`` is what its message says then
        (:data:`DISABLED_REASON`). A job already ended is kept as it is, and so is one already saving its result
        (:meth:`may_save`: it ends "done").
        Returns the jobs this cancelled: not one whose plain cancel was already asked."""
        if not owner:
            return []
        mine = self._active_of(owner)
        cancelled = []
        for job in mine:
            plain_before = job.cancel_requested and not job.keep_requested
            job, outcome = self.request_cancel(job.id, reason=None if plain_before else reason)
            if outcome in ("cancelled", "requested") or (outcome == "again" and not plain_before):
                cancelled.append(job)
        return cancelled

    def cancel_refused(self, owner: str) -> list[tuple[Job, dict]]:
        """Cancel the queued or running jobs of ``owner`` (``"user:<id>"``) whose account may no longer make them
        (:attr:`owner_rights`: an administrator just changed its role or county, web.auth), as :meth:`cancel_owned`
        cancels a disabled account's, each with its reason in its message (:func:`rights_reason`). Returns the jobs
        this cancelled, with why."""
        if not owner or self.owner_rights is None:
            return []
        mine = self._active_of(owner)
        cancelled = []
        for job in mine:
            why = self._owner_refusal(job)
            if why is None:
                continue
            plain_before = job.cancel_requested and not job.keep_requested
            job, outcome = self.request_cancel(job.id, reason=None if plain_before else rights_reason(why))
            if outcome in ("cancelled", "requested") or (outcome == "again" and not plain_before):
                cancelled.append((job, why))
        return cancelled

    def may_save(self, job: Job, keep=False) -> None:
        """The save's commit point: raise :class:`Cancelled` when a stop was asked (``keep``: the stop asked keeps
        the plan found so far, which is saved), :class:`OwnerDisabled` when the account ``job`` runs for may no
        longer save (:attr:`owner_active`), :class:`OwnerRightsChanged` when it may no longer make it (its role or
        county, :attr:`owner_rights`); else mark the job as saving. Checked and marked under the runner's lock,
        so a cancel (:meth:`request_cancel`, :meth:`cancel_owned`) either comes first and nothing is saved, or comes
        after and is refused as too late: a job that stopped never writes, a job that writes ends "done" (QA 31: a
        cancel during the save wrote the plan and said "nothing was saved"). ``keep`` may be a callable, read under
        the lock: a plain cancel asked after a "stop and save" while the owner was read must not save."""
        active = self._owner_active(job)  # outside the lock: a database read must not hold up every job's poll
        why = self._owner_refusal(job) if active else None
        with self._lock:
            if job._stop.is_set() and not (keep() if callable(keep) else keep):
                raise Cancelled()
            if not active:
                raise OwnerDisabled()
            if why is not None:
                raise OwnerRightsChanged(why)
            job.saving = True

    def _owner_active(self, job: Job) -> bool:
        """Whether the account ``job`` runs for is still enabled (:attr:`owner_active`; True when unknown)."""
        if self.owner_active is None or not job.owner:
            return True
        try:
            return bool(self.owner_active(job.owner))
        except Exception:  # the accounts database cannot be read: the job goes on, as before the check
            logging.getLogger("coverplan.jobs").exception("job %s: its owner's account could not be read", job.id)
            return True

    def _owner_refusal(self, job: Job) -> dict | None:
        """Why the account ``job`` runs for may no longer make it (:attr:`owner_rights`; None when it may or when
        unknown)."""
        if self.owner_rights is None or not job.owner:
            return None
        try:
            return self.owner_rights(job)
        except Exception:  # the accounts database cannot be read: the job goes on, as :meth:`_owner_active`
            logging.getLogger("coverplan.jobs").exception("job %s: its owner's rights could not be read", job.id)
            return None

    def dismiss(self, job_id: str) -> tuple[Job | None, str]:
        """Take a job a restart cut off out of the list, for good (the journal keeps the mark, so no other
        browser nor a later restart shows it again): ``(job, outcome)``, the outcome one of ``"unknown"``,
        ``"not_interrupted"`` (only an interrupted job is dismissed), ``"again"`` (already dismissed) or
        ``"dismissed"``. A journal that cannot be written raises: the mark is the point."""
        job = self.get(job_id)
        if job is None:
            return None, "unknown"
        if job.state != "interrupted":
            return job, "not_interrupted"
        if job.dismissed is not None:
            return job, "again"
        when = time.time()
        if self.journal is not None:
            self.journal.dismiss(job.id, when)
        with self._lock:
            job.dismissed = when
            kept = self._jobs.get(job.id)
            if kept is not None:
                kept.dismissed = when
        return job, "dismissed"

    def wait(self, job_id: str, timeout: float = 30.0) -> Job | None:
        """Block until the job is final (tests and the CLI use this)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            job = self.get(job_id)
            if job is None or job.state in FINAL:
                return job
            time.sleep(0.05)
        return self.get(job_id)

    def shutdown(self) -> None:
        for job in self.list():
            job._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- internals -----------------------------------------------------
    def _ahead(self, job: Job) -> int:
        if job.state != "queued":
            return 0
        return sum(1 for j in self._jobs.values() if j.state in ACTIVE and j.created < job.created)

    def _record(self, job: Job) -> None:
        if self.journal is not None:
            try:
                # with its owner and start: after a restart the job is listed to its owner, with the time it
                # started (QA 27: "started" was null)
                self.journal.record(job)
            except Exception:  # the journal is a convenience; never fail a solve over it
                pass

    def _heartbeat(self, job: Job) -> None:
        """Tell the journal, at most every ``HEARTBEAT`` seconds, that a running job still runs."""
        now = time.time()
        if self.journal is None or job.state != "running" or now - job._beat < HEARTBEAT:
            return
        job._beat = now
        try:
            self.journal.touch(job.id, now)
        except Exception:  # a convenience, as _record
            pass

    @staticmethod
    def _unfinished_ids(journal) -> list[str]:
        """The journal's jobs a previous process left queued or running, and those it found cut off within
        ``INTERRUPTED_LISTED`` (a second restart must not hide them)."""
        try:
            return journal.cut_off_ids(time.time() - INTERRUPTED_LISTED)
        except Exception:  # no journal table yet, or a journal without a path: nothing to list
            return []

    def _restore_interrupted(self, journal, ids: list[str]) -> None:
        """The jobs a restart cut off, in memory as "interrupted": ``list()`` has them (GET /api/jobs said []
        while GET /api/jobs/<id> said "interrupted", QA 27); they are forgotten as other ended jobs are."""
        for job_id in ids:
            try:
                job = journal.get(job_id)
            except Exception:
                continue
            if job is not None and job.state == "interrupted" and job.dismissed is None:
                self._jobs[job.id] = job

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.state in FINAL]
        for j in sorted(done, key=lambda j: j.created)[:max(0, len(done) - self._keep)]:
            del self._jobs[j.id]

    def _run(self, job: Job, fn) -> None:
        with self._lock:
            if job.state == "cancelled":
                return
            job.state, job.started = "running", time.time()
        job._beat = job.started  # the record below is the first mark
        self._record(job)

        def progress(fraction: float, message: str = "") -> None:
            job.progress = min(1.0, max(job.progress, float(fraction)))
            if message:
                if message.startswith("saving"):  # its save ("saving", "saving the data version"): the commit
                    self.may_save(job, keeps)     # point; a stopped or disabled account's job saves nothing (QA 31)
                # a stage's steps ("solving mclp: reductions", "solving mclp: MIP") are one stage: the solve's
                # time limit counts from its first
                if message.partition(":")[0] != job.message.partition(":")[0]:
                    job.stage_since = time.time()
                job.message = message
            self._heartbeat(job)

        timed_out = []

        def should_stop() -> bool:
            if self.wall_limit and not timed_out and time.time() - job.started > self.wall_limit:
                timed_out.append(True)
                job._stop.set()
            self._heartbeat(job)
            return job._stop.is_set()

        def keeps() -> bool:
            """Whether the stop asked keeps the best answer so far (never one the server's wall limit made)."""
            return job.keep_requested and not timed_out
        # on the poll itself, so that every job function keeps its (progress, should_stop) signature
        should_stop.keep = keeps

        result, error = None, None
        try:
            if not self._owner_active(job):  # disabled while it waited (from the CLI: its jobs are out of its reach)
                raise OwnerDisabled(before_start=True)
            if (why := self._owner_refusal(job)) is not None:  # made a viewer, or moved, while it waited
                raise OwnerRightsChanged(why, before_start=True)
            result = fn(progress, should_stop)
        except Cancelled:
            state = "cancelled"
        except CoverplanError as exc:
            # e.g. "no solution in time" from a solver we interrupted; not a refusal to save ("stop and save" asked,
            # then the account disabled from the CLI: it failed, it did not stop before finding a plan)
            if job._stop.is_set() and not isinstance(exc, (OwnerDisabled, OwnerRightsChanged)):
                state = "cancelled"
            else:
                state, error = "failed", {**public(exc.to_dict("zh")), "status": status_of(exc)}
        except Exception as exc:  # a bug: keep the server alive; the trace goes to the log, not the client
            logging.getLogger("coverplan.jobs").error("job %s failed:\n%s", job.id, traceback.format_exc())
            state = "failed"
            # fixed words in each language, as the app's own 500 (web/app.py unexpected): the exception's text is
            # Python's English and may name server paths ("[Errno 28] No space left on device: '/var/…'", QA 36);
            # its class name only, for whoever reads the log beside it
            error = {"error": "InternalError", "message": JOB_FAILED_ZH, "message_en": JOB_FAILED_EN,
                     "message_zh": JOB_FAILED_ZH, "details": {"exception": type(exc).__name__}, "status": 500}
        else:
            if job.saving and result is not None:  # past the commit point: what it saved is its result
                state = "done"
            elif job._stop.is_set() and not (result is not None and keeps()):
                state = "cancelled"  # the solver returned early because we asked it to
            else:
                state = "done"
        if timed_out and state == "cancelled":
            limit = round(self.wall_limit)
            state, error = "failed", {
                "error": "TimeLimit", "message": f"计算超过时间上限（{limit} 秒），已停止。",
                "message_zh": f"计算超过时间上限（{limit} 秒），已停止。请减少设施数量或缩小范围后重试。",
                "message_en": f"The calculation exceeded the time limit ({limit} s) and was stopped. "
                              "Ask for fewer sites or a smaller area.", "details": {"limit": limit}, "status": 422}
        # the end, in one step under the lock: "saving" is over before (never after) the state is final, so no
        # poll reads "done" (or "failed") and "saving": true together (QA 32: a 3-second solve answered both)
        with self._lock:
            job.saving = False
            if state == "done":
                job.result, job.progress = result, 1.0
            if error is not None:
                job.error = error
            job.finished = time.time()
            job.state = state
        self._record(job)
