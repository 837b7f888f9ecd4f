import { useEffect, useRef, useState } from 'preact/hooks';
import { SCHEDULE_LIMITS } from '@parley/protocol';
import type { Recurrence, ScheduleEdit, ScheduleRequest, ScheduledMeeting } from '@parley/protocol';
import { NEW_ROOM_DOOR, RoomDoorFields } from '../ui/RoomDoorFields.tsx';
import type { RoomDoor } from '../ui/RoomDoorFields.tsx';
import { editMeeting, scheduleMeeting } from './scheduleApi.ts';

interface Props {
  /** The meeting being edited (with its `room` read just before); none: a new one. */
  meeting?: ScheduledMeeting;
  onDone(meeting: ScheduledMeeting): void;
  onCancel?: () => void;
}

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every zone the browser knows, the browser's own included even where the list lacks it. */
function zones(current: string): string[] {
  const all =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

/** Tomorrow at 09:00, local: a sensible first suggestion. */
function tomorrow(): { date: string; time: string } {
  const d = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, time: '09:00' };
}

const splitEmails = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '');

/** What an edit asks of the room: the waiting room, and a password set, kept or removed. */
function doorEdit(door: RoomDoor): Pick<ScheduleEdit, 'waitingRoom' | 'password'> {
  const password = door.removePassword ? null : door.password || undefined;
  return { waitingRoom: door.waitingRoom, ...(password === undefined ? {} : { password }) };
}

/**
 * Schedule a meeting (or edit one): title, start in a time zone (the browser's by default),
 * duration, an optional weekly repetition ending after a count or on a date, invitees, and its
 * room's waiting room and password.
 */
export function ScheduleForm({ meeting, onDone, onCancel }: Props) {
  const idp = meeting ? `edit-${meeting.id}` : 'schedule';
  const first = meeting
    ? { date: meeting.start.slice(0, 10), time: meeting.start.slice(11) }
    : tomorrow();
  const r = meeting?.recurrence ?? null;
  const [title, setTitle] = useState(meeting?.title ?? '');
  const [date, setDate] = useState(first.date);
  const [time, setTime] = useState(first.time);
  const [durationMin, setDuration] = useState(meeting?.durationMin ?? 30);
  const [timeZone, setTimeZone] = useState(meeting?.timeZone ?? browserZone());
  const [weekly, setWeekly] = useState(r !== null);
  const [endKind, setEndKind] = useState<'count' | 'until'>(r && 'until' in r ? 'until' : 'count');
  const [count, setCount] = useState(r && 'count' in r ? r.count : 4);
  const [until, setUntil] = useState(r && 'until' in r ? r.until : '');
  const [invitees, setInvitees] = useState((meeting?.invitees ?? []).join(', '));
  const [door, setDoor] = useState<RoomDoor>(
    meeting?.room ? { ...NEW_ROOM_DOOR, waitingRoom: meeting.room.waitingRoom } : NEW_ROOM_DOOR,
  );
  const [busy, setBusy] = useState(false);
  const titleField = useRef<HTMLInputElement>(null);
  // The Edit button that opened the form is gone: the keyboard goes on in the form.
  useEffect(() => {
    if (meeting) titleField.current?.focus();
  }, []);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const recurrence: Recurrence | null = !weekly
      ? null
      : endKind === 'count'
        ? { freq: 'weekly', count }
        : { freq: 'weekly', until };
    const fields = {
      title: title.trim(),
      start: `${date}T${time}`,
      durationMin,
      timeZone,
      recurrence,
      invitees: splitEmails(invitees),
    };
    try {
      if (meeting) {
        const edit: ScheduleEdit = { ...fields, ...(meeting.room ? doorEdit(door) : {}) };
        onDone(await editMeeting(meeting.id, edit));
      } else {
        const request: ScheduleRequest = { ...fields, waitingRoom: door.waitingRoom };
        if (door.password) request.password = door.password;
        onDone(await scheduleMeeting(request));
      }
    } catch (err) {
      setError(
        err instanceof TypeError ? 'No connection: try again.' : String((err as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };

  const label = meeting ? `Edit ${meeting.title}` : 'Schedule a meeting';
  return (
    <form class="schedule-form" onSubmit={onSubmit} aria-label={label}>
      <div class="field">
        <label for={`${idp}-title`}>Title</label>
        <input
          ref={titleField}
          id={`${idp}-title`}
          type="text"
          required
          maxLength={SCHEDULE_LIMITS.TITLE_MAX}
          value={title}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </div>
      <div class="row-fields">
        <div class="field">
          <label for={`${idp}-date`}>Date</label>
          <input
            id={`${idp}-date`}
            type="date"
            required
            value={date}
            onInput={(e) => setDate(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={`${idp}-time`}>Start time</label>
          <input
            id={`${idp}-time`}
            type="time"
            required
            value={time}
            onInput={(e) => setTime(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for={`${idp}-duration`}>Duration (minutes)</label>
          <input
            id={`${idp}-duration`}
            type="number"
            required
            min={5}
            step={5}
            max={SCHEDULE_LIMITS.DURATION_MIN_MAX}
            value={durationMin}
            onInput={(e) => setDuration(Number(e.currentTarget.value))}
          />
        </div>
      </div>
      <div class="field">
        <label for={`${idp}-zone`}>Time zone</label>
        <select
          id={`${idp}-zone`}
          value={timeZone}
          onChange={(e) => setTimeZone(e.currentTarget.value)}
        >
          {zones(timeZone).map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </div>
      <label class="toggle">
        <input
          type="checkbox"
          checked={weekly}
          onChange={(e) => setWeekly(e.currentTarget.checked)}
        />
        Repeat weekly
      </label>
      {weekly && (
        <fieldset class="repeat-end">
          <legend>Ends</legend>
          <label class="toggle">
            <input
              type="radio"
              name={`${idp}-end`}
              checked={endKind === 'count'}
              onChange={() => setEndKind('count')}
            />
            After a number of meetings
          </label>
          {endKind === 'count' && (
            <div class="field">
              <label for={`${idp}-count`}>Number of meetings</label>
              <input
                id={`${idp}-count`}
                type="number"
                min={2}
                max={SCHEDULE_LIMITS.OCCURRENCES_MAX}
                value={count}
                onInput={(e) => setCount(Number(e.currentTarget.value))}
              />
            </div>
          )}
          <label class="toggle">
            <input
              type="radio"
              name={`${idp}-end`}
              checked={endKind === 'until'}
              onChange={() => setEndKind('until')}
            />
            On a date
          </label>
          {endKind === 'until' && (
            <div class="field">
              <label for={`${idp}-until`}>Last date</label>
              <input
                id={`${idp}-until`}
                type="date"
                required
                value={until}
                onInput={(e) => setUntil(e.currentTarget.value)}
              />
            </div>
          )}
        </fieldset>
      )}
      <div class="field">
        <label for={`${idp}-invitees`}>Invitees (emails, separated by commas)</label>
        <textarea
          id={`${idp}-invitees`}
          rows={2}
          value={invitees}
          onInput={(e) => setInvitees(e.currentTarget.value)}
        />
      </div>
      {(!meeting || meeting.room) && (
        <RoomDoorFields
          idPrefix={idp}
          value={door}
          onChange={setDoor}
          hasPassword={meeting?.room?.hasPassword ?? false}
        />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : meeting ? 'Save changes' : 'Schedule'}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            {meeting ? 'Discard changes' : 'Close'}
          </button>
        )}
      </div>
    </form>
  );
}
