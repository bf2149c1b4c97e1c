"""Writes for delivered sessions: ``session_<verb>(*, ..., actor)``.

The provider records, corrects or withdraws a session; the person (or their legal representative)
confirms or disputes it. Every service runs in one transaction and writes nothing when it refuses.
The provider's cross-municipality index (registry, public schema) is updated on commit.
"""

from __future__ import annotations

import calendar
from datetime import date as Date
from datetime import time as Time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.people import access as people_access
from portal.budgets.people.access import LEGAL_REPRESENTATIVE, SELF
from portal.budgets.people.models import Relation
from portal.marketplace.agreements.models import Agreement, AgreementStatus
from portal.platform.core.errors import NotFound
from portal.platform.outbox.services import outbox_emit
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import to_money

from . import access, errors
from .checks import overlaps
from .index import sync_session
from .models import GoalProgress, Session, SessionFlag, SessionStatus

MAX_UNITS_PER_SESSION = Decimal("24")


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, Decimal) and value.is_finite():
        return value
    try:
        if isinstance(value, float):
            value = str(value)
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise errors.SessionInvalid(_("Enter a number."), field=field) from None
    if not number.is_finite():  # NaN, sNaN and Infinity parse, but cannot be compared or stored
        raise errors.SessionInvalid(_("Enter a number."), field=field)
    return number


def _validated_session(agreement, *, date, units, staff_name, start_time=None, duration_minutes=None, note="",
                       goal_progress="", unit_price=None) -> dict:
    if agreement.status != AgreementStatus.ACTIVE:
        raise errors.SessionInvalid(_("Sessions can be recorded only on an active agreement."), field="date")
    if not isinstance(date, Date):
        raise errors.SessionInvalid(_("Enter the date of the session."), field="date")
    if date > timezone.localdate():
        raise errors.SessionInvalid(_("A session cannot be recorded before it has happened."), field="date")
    if not agreement.period_start <= date <= agreement.period_end:
        raise errors.SessionOutsidePeriod(
            _("The date is outside the agreement's period, %(start)s – %(end)s.")
            % {"start": f"{agreement.period_start:%d.%m.%Y}", "end": f"{agreement.period_end:%d.%m.%Y}"},
            field="date")
    units = _decimal(units, "units")
    if units <= 0 or units > MAX_UNITS_PER_SESSION:
        raise errors.SessionInvalid(_("Units must be more than 0 and at most %(max)s.")
                                    % {"max": MAX_UNITS_PER_SESSION}, field="units")
    if units != units.quantize(Decimal("0.01")):
        raise errors.SessionInvalid(_("Use at most two decimal places."), field="units")
    staff_name = (staff_name or "").strip()
    if not staff_name:
        raise errors.SessionInvalid(_("Enter the staff member who delivered the session."), field="staff_name")
    if duration_minutes in ("", None):
        duration_minutes = None
    else:
        try:
            duration_minutes = int(duration_minutes)
        except (TypeError, ValueError):
            raise errors.SessionInvalid(_("Enter the duration in whole minutes."), field="duration_minutes") \
                from None
        if not 1 <= duration_minutes <= 24 * 60:
            raise errors.SessionInvalid(_("Enter the duration in whole minutes."), field="duration_minutes")
    if start_time is not None and not isinstance(start_time, Time):
        raise errors.SessionInvalid(_("Enter the start time as HH:MM."), field="start_time")
    if goal_progress not in GoalProgress.values:
        raise errors.SessionInvalid(_("Choose the progress on the goal from the list."), field="goal_progress")
    price = agreement.unit_price if unit_price in (None, "") else to_money(_decimal(unit_price, "unit_price"))
    if price < 0:
        raise errors.SessionInvalid(_("The unit price cannot be negative."), field="unit_price")
    return {"date": date, "units": units, "staff_name": staff_name[:120], "start_time": start_time,
            "duration_minutes": duration_minutes, "note": (note or "").strip()[:500], "goal_progress": goal_progress,
            "unit_price": price}


def _minutes_of(session_like) -> int:
    if session_like.duration_minutes:
        return session_like.duration_minutes
    if session_like.agreement.unit == "hour":
        return int(session_like.units * 60)
    return 60


def _flag_against_existing(session: Session) -> None:
    """Mark duplicates (same person, day and start) and overlaps (same person, overlapping times)."""
    others = (Session.objects.filter(agreement__person_id=session.agreement.person_id, date=session.date)
              .exclude(pk=session.pk).exclude(status=SessionStatus.WITHDRAWN).select_related("agreement"))
    flag = ""
    for other in others:
        if other.agreement_id == session.agreement_id and other.start_time == session.start_time \
                and other.units == session.units:
            this = SessionFlag.DUPLICATE
        elif session.start_time and other.start_time and overlaps(
                session.start_time, _minutes_of(session), other.start_time, _minutes_of(other)):
            this = SessionFlag.OVERLAP
        elif other.agreement_id == session.agreement_id and (not session.start_time or not other.start_time):
            this = SessionFlag.DUPLICATE
        else:
            continue
        flag = flag or this
        if not other.flag:
            Session.objects.filter(pk=other.pk).update(flag=this)
    if flag != session.flag:
        session.flag = flag
        Session.objects.filter(pk=session.pk).update(flag=flag)


def _duplicate_message(date, start_time) -> str:
    if start_time is None:
        return _("A session on %(date)s without a start time is already recorded on this agreement: give each "
                 "session of the day its start time.") % {"date": f"{date:%d.%m.%Y}"}
    return _("A session on %(date)s at %(time)s is already recorded on this agreement.") % {
        "date": f"{date:%d.%m.%Y}", "time": f"{start_time:%H:%M}"}


def _refuse_duplicate(agreement, fields: dict, *, exclude_pk=None) -> None:
    """The same agreement, date and start time (both without a start time counts as the same) is one session."""
    same = (Session.objects.filter(agreement=agreement, date=fields["date"], start_time=fields["start_time"])
            .exclude(status=SessionStatus.WITHDRAWN))
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise errors.SessionDuplicate(_duplicate_message(fields["date"], fields["start_time"]),
                                      field="start_time" if fields["start_time"] else "date")


def _create(agreement, *, actor, external_id: str, fields: dict) -> Session:
    session = Session(agreement=agreement, recorded_by=actor, external_id=external_id, **fields)
    session.full_clean(exclude=["agreement", "recorded_by"])
    session.save()
    _flag_against_existing(session)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=session, message="session.recorded",
          params={"date": str(session.date)})
    sync_session(session)
    outbox_emit(kind="session.recorded", payload={"session_id": session.pk, "agreement_id": session.agreement_id})
    return session


@transaction.atomic
def session_record(*, agreement, date, units, staff_name, actor, start_time=None, duration_minutes=None, note="",
                   goal_progress="", unit_price=None, external_id="") -> Session:
    """The provider records one delivered session. Same ``external_id`` twice returns the first session.

    Refused: a date outside the agreement's period (``session.outside_period``) and a second session with
    the same date and start time (``session.duplicate``).
    """
    external_id = (external_id or "").strip()[:80]
    if external_id:
        existing = Session.objects.filter(agreement=agreement, external_id=external_id).first()
        if existing is not None:
            return existing
    fields = _validated_session(agreement, date=date, units=units, staff_name=staff_name, start_time=start_time,
                                duration_minutes=duration_minutes, note=note, goal_progress=goal_progress,
                                unit_price=unit_price)
    _refuse_duplicate(agreement, fields)
    return _create(agreement, actor=actor, external_id=external_id, fields=fields)


def describe_row(error: errors.RowError) -> str:
    return _("Row %(row)s: %(message)s") % {"row": error.row, "message": error.message}


def _rows_checked(agreement, rows: list[tuple[int, dict]]) -> tuple[list[tuple[str, dict | None]], list]:
    """Validate every row without writing: (external id, fields or None for a retry) and every problem."""
    ids = {(row.get("external_id") or "").strip()[:80] for _n, row in rows} - {""}
    dates = {row.get("date") for _n, row in rows if isinstance(row.get("date"), Date)}
    known_ids, taken = set(), set()
    if ids or dates:
        # One query: the agreement's sessions on the batch's dates, and those the batch's ids already name.
        for date, start, external_id, status in (
                Session.objects.filter(agreement=agreement)
                .filter(Q(date__in=dates) | Q(external_id__in=ids))
                .values_list("date", "start_time", "external_id", "status")):
            if external_id in ids:
                known_ids.add(external_id)
            if status != SessionStatus.WITHDRAWN:
                taken.add((date, start))
    checked, problems, seen = [], [], {}
    for number, row in rows:
        row = dict(row)
        external_id = (row.pop("external_id", "") or "").strip()[:80]
        if external_id in known_ids:
            checked.append((external_id, None))  # a retry: session_record returns the session already there
            continue
        try:
            fields = _validated_session(agreement, **row)
        except errors.SessionInvalid as exc:
            problems.append(errors.RowError(row=number, field=exc.field or "", message=exc.message, code=exc.code))
            continue
        key = (fields["date"], fields["start_time"])
        field = "start_time" if fields["start_time"] else "date"
        if external_id and external_id in seen:
            problems.append(errors.RowError(
                row=number, field="external_id", code=errors.SessionDuplicate.code,
                message=_("The same id is already in row %(row)s.") % {"row": seen[external_id]}))
        elif key in taken:
            problems.append(errors.RowError(row=number, field=field, code=errors.SessionDuplicate.code,
                                            message=_duplicate_message(*key)))
        elif key in seen:
            problems.append(errors.RowError(
                row=number, field=field, code=errors.SessionDuplicate.code,
                message=_("The same session (date and start time) is already in row %(row)s.")
                % {"row": seen[key]}))
        else:
            seen[key] = number
            if external_id:
                seen[external_id] = number
            checked.append((external_id, fields))
    return checked, problems


@transaction.atomic
def sessions_rows_record(*, agreement, rows: list[tuple[int, dict]], actor, problems=(), describe=None,
                         refusal=errors.SessionRowsInvalid) -> list[Session]:
    """Record numbered rows all or nothing, reporting every problem of every row in one refusal.

    ``problems`` are those found before (a CSV file's unreadable lines); ``describe`` words one problem for
    people ("Row 3: …", "Line 3, units: …"). Nothing is written unless every row is clean.
    """
    if agreement.status != AgreementStatus.ACTIVE:
        raise errors.SessionInvalid(_("Sessions can be recorded only on an active agreement."), field="date")
    if len(rows) > 500:
        raise errors.SessionInvalid(_("Send at most 500 sessions at once."))
    checked, found = _rows_checked(agreement, rows)
    problems = sorted([*problems, *found], key=lambda error: error.row)
    if problems:
        raise refusal(problems, describe=describe or describe_row)
    sessions = []
    for external_id, fields in checked:
        if fields is None:
            sessions.append(Session.objects.get(agreement=agreement, external_id=external_id))
        else:
            sessions.append(_create(agreement, actor=actor, external_id=external_id, fields=fields))
    return sessions


def sessions_bulk_record(*, agreement, rows: list[dict], actor) -> list[Session]:
    """Record many sessions at once (bulk form, API): all or nothing.

    A problem on any row refuses the whole batch, naming every bad row (``SessionRowsInvalid.errors``).
    """
    if not rows:
        raise errors.SessionInvalid(_("There are no sessions to record."))
    return sessions_rows_record(agreement=agreement, rows=list(enumerate(rows, start=1)), actor=actor)


def month_rows(*, year: int, month: int, weekdays: list[int], start_time: Time | None, units, staff_name: str,
               note: str = "", until: Date | None = None, since: Date | None = None) -> list[dict]:
    """Rows for bulk entry: one session on each chosen weekday (0 = Monday) of the month, from ``since`` up to
    ``until``."""
    last = calendar.monthrange(year, month)[1]
    rows = []
    for day in range(1, last + 1):
        when = Date(year, month, day)
        if until and when > until:
            break
        if when.weekday() in weekdays and not (since and when < since):
            rows.append({"date": when, "start_time": start_time, "units": units, "staff_name": staff_name,
                         "note": note})
    return rows


def _require_family_decider(session: Session, actor) -> str:
    capacity = access.capacity_for_session(actor, session)
    if capacity not in access.DECIDING_CAPACITIES:
        raise errors.NotYourSession(_("Only the person or their legal representative can confirm or dispute "
                                      "a session."))
    return capacity


@transaction.atomic
def session_confirm(*, session: Session, actor) -> Session:
    """The person (or legal representative) confirms the session happened as recorded."""
    capacity = _require_family_decider(session, actor)
    session = Session.objects.select_for_update().select_related("agreement", "agreement__service").get(
        pk=session.pk)
    if session.status not in (SessionStatus.RECORDED, SessionStatus.DISPUTED):
        raise errors.SessionAlreadyDecided(_("This session is already %(status)s.")
                                           % {"status": session.get_status_display().lower()})
    old = session.status
    session.status = SessionStatus.CONFIRMED
    session.decided_by, session.decided_at, session.decided_as = actor, timezone.now(), capacity
    session.dispute_reason = ""
    session.save(update_fields=["status", "decided_by", "decided_at", "decided_as", "dispute_reason",
                                "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, message="session.confirmed",
          changes={"status": [old, session.status]})
    sync_session(session)
    return session


def _month_bounds(month: str) -> tuple[Date, Date]:
    """The first and last day of ``month`` ("YYYY-MM"); a month not yet begun is refused."""
    try:
        year, number = (int(part) for part in str(month).split("-"))
        first = Date(year, number, 1)
    except (TypeError, ValueError):
        raise errors.SessionInvalid(_("Choose a month."), field="month") from None
    if first > timezone.localdate().replace(day=1):
        raise errors.SessionInvalid(_("A month that has not begun has no sessions to confirm."), field="month")
    return first, first.replace(day=calendar.monthrange(year, number)[1])


@transaction.atomic
def sessions_confirm_month(*, actor, month: str, agreement_id=None) -> list[Session]:
    """Confirm in one go every recorded session of one month ("YYYY-MM") (optionally of one agreement) of the persons
    ``actor`` decides for — the person or their legal representative, the same rule as ``session_confirm``.
    Disputed sessions are left alone (they are decided one by one). All or nothing; each session audited.
    Returns the confirmed sessions (none when nothing waited)."""
    first, last = _month_bounds(month)
    persons = people_access.deciding_persons(actor)
    if not persons.exists():
        raise errors.NotYourSession(_("Only the person or their legal representative can confirm or dispute "
                                      "a session."))
    sessions = Session.objects.filter(agreement__person__in=persons, status=SessionStatus.RECORDED,
                                      date__gte=first, date__lte=last)
    if agreement_id is not None:
        try:
            agreement_id = int(agreement_id)
        except (TypeError, ValueError):
            raise errors.SessionInvalid(_("Choose an agreement."), field="agreement") from None
        if not Agreement.objects.filter(pk=agreement_id, person__in=persons).exists():
            seen = people_access.persons_for_user(actor, section=Relation.Section.AGREEMENTS)
            if Agreement.objects.filter(pk=agreement_id, person__in=seen).exists():
                raise errors.NotYourSession(_("Only the person or their legal representative can confirm or "
                                              "dispute a session."))
            raise NotFound(_("No such agreement."), code="agreement.not_found")
        sessions = sessions.filter(agreement_id=agreement_id)
    locked = list(sessions.select_for_update(of=("self",)).select_related("agreement__person", "agreement__service")
                  .order_by("date", "pk"))
    now = timezone.now()
    for session in locked:
        session.status, session.decided_by, session.decided_at = SessionStatus.CONFIRMED, actor, now
        session.decided_as = SELF if session.agreement.person.user_id == actor.pk else LEGAL_REPRESENTATIVE
        session.dispute_reason, session.modified_at = "", now
    Session.objects.bulk_update(locked, ["status", "decided_by", "decided_at", "decided_as", "dispute_reason",
                                         "modified_at"])
    for session in locked:
        audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session,
              message="session.confirmed_with_month", params={"month": f"{first:%Y-%m}"},
              changes={"status": [SessionStatus.RECORDED, SessionStatus.CONFIRMED]})
        sync_session(session)
    return locked


@transaction.atomic
def session_dispute(*, session: Session, reason: str, actor) -> Session:
    """The person (or legal representative) disputes the session; it cannot be invoiced until resolved."""
    capacity = _require_family_decider(session, actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.SessionInvalid(_("Say what is wrong with the session."), field="reason")
    session = Session.objects.select_for_update().select_related("agreement", "agreement__service").get(
        pk=session.pk)
    if session.status != SessionStatus.RECORDED:
        raise errors.SessionAlreadyDecided(_("This session is already %(status)s.")
                                           % {"status": session.get_status_display().lower()})
    session.status = SessionStatus.DISPUTED
    session.decided_by, session.decided_at, session.decided_as = actor, timezone.now(), capacity
    session.dispute_reason = reason[:500]
    session.save(update_fields=["status", "decided_by", "decided_at", "decided_as", "dispute_reason",
                                "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, message="session.disputed",
          changes={"status": [SessionStatus.RECORDED, SessionStatus.DISPUTED]})
    sync_session(session)
    outbox_emit(kind="session.disputed", payload={"session_id": session.pk, "agreement_id": session.agreement_id})
    return session


def _lock_for_provider_change(session: Session) -> Session:
    session = Session.objects.select_for_update().select_related("agreement", "agreement__service").get(
        pk=session.pk)
    if session.status == SessionStatus.CONFIRMED or session.status == SessionStatus.WITHDRAWN:
        raise errors.SessionNotEditable(_("A confirmed or withdrawn session cannot be changed."))
    if session.invoice_lines.filter(live=True).exists():
        raise errors.SessionNotEditable(_("The session is on an invoice and cannot be changed."))
    return session


@transaction.atomic
def session_correct(*, session: Session, units, staff_name, note, actor, start_time=None, duration_minutes=None,
                    goal_progress="") -> Session:
    """The provider corrects a recorded or disputed session; it goes back to the person to confirm."""
    session = _lock_for_provider_change(session)
    fields = _validated_session(session.agreement, date=session.date, units=units, staff_name=staff_name,
                                start_time=start_time, duration_minutes=duration_minutes, note=note,
                                goal_progress=goal_progress, unit_price=session.unit_price)
    _refuse_duplicate(session.agreement, fields, exclude_pk=session.pk)
    for name, value in fields.items():
        setattr(session, name, value)
    session.status = SessionStatus.RECORDED
    session.decided_by = session.decided_at = None
    session.decided_as = ""
    session.save()
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, message="session.corrected")
    sync_session(session)
    return session


@transaction.atomic
def session_withdraw(*, session: Session, actor) -> Session:
    """The provider withdraws a session it recorded by mistake (resolves a dispute in the person's favour)."""
    session = _lock_for_provider_change(session)
    old = session.status
    session.status = SessionStatus.WITHDRAWN
    session.save(update_fields=["status", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, message="session.withdrawn",
          changes={"status": [old, session.status]})
    sync_session(session)
    return session
