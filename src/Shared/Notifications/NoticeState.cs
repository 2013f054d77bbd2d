using EventFunctions.Shared.Events;
using EventFunctions.Shared.Text;

namespace EventFunctions.Shared.Notifications;

/// <summary>
/// What participants are told about an event's time and place: the start and end, the venue and address, a site
/// visit's meeting point and time, a lecture's online link, and whether it is cancelled. The English texts ride
/// along for the emails but do not count as a change (they translate the Chinese).
/// </summary>
public sealed record NoticeSnapshot(
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    string? Venue,
    string? Address,
    string? MeetingPoint,
    DateTimeOffset? MeetingTimeUtc,
    string? OnlineUrl,
    bool Cancelled,
    string? VenueEn = null,
    string? AddressEn = null,
    string? MeetingPointEn = null)
{
    public static NoticeSnapshot Of(EventRecord e) => new(
        e.StartUtc, e.EndUtc, e.Venue, e.Address, e.SiteVisit?.MeetingPoint, e.SiteVisit?.MeetingTimeUtc, e.Lecture?.OnlineUrl, e.Cancelled,
        e.English?.Venue, e.English?.Address, e.English?.MeetingPoint);

    /// <summary>Whether a participant told <paramref name="other"/> must be told this (English wording aside).</summary>
    public bool DiffersFrom(NoticeSnapshot other) =>
        StartUtc != other.StartUtc || EndUtc != other.EndUtc || Venue != other.Venue || Address != other.Address
        || MeetingPoint != other.MeetingPoint || MeetingTimeUtc != other.MeetingTimeUtc || OnlineUrl != other.OnlineUrl
        || Cancelled != other.Cancelled;
}

/// <summary>One notice version: what the event said from <see cref="AtUtc"/> on.</summary>
public sealed record NoticeRevision(int Version, DateTimeOffset AtUtc, NoticeSnapshot Snapshot);

/// <summary>One line of a change email: what it was (as the participant was last told) and what it is now.</summary>
public sealed record NoticeChange(string Label, string Old, string New);

public static class NoticeState
{
    public const int DefaultReminderHours = 24;
    public const int MaxReminderHours = 24 * 14;
    /// <summary>How many revisions the event row keeps; older baselines fall back to the oldest kept.</summary>
    public const int RevisionsKept = 20;

    /// <summary>
    /// Called inside the ledger's change commit with the event as it is and as it will be: when time, place,
    /// meeting point or cancellation differ, the calendar SEQUENCE and the notice version go up and the new
    /// state is recorded as a revision (the first change also records the state before it, as version 0).
    /// Anything else (description, capacity, questions) changes neither.
    /// </summary>
    public static EventRecord Record(EventRecord current, EventRecord updated, DateTimeOffset now)
    {
        var carried = updated with
        {
            CalendarSequence = current.CalendarSequence,
            NoticeVersion = current.NoticeVersion,
            NoticeHistory = current.NoticeHistory,
        };
        var before = NoticeSnapshot.Of(current);
        var after = NoticeSnapshot.Of(updated);
        if (!after.DiffersFrom(before)) return carried;

        var history = current.NoticeHistory.Count == 0
            ? new List<NoticeRevision> { new(0, current.CreatedUtc, before) }
            : current.NoticeHistory.ToList();
        var version = current.NoticeVersion + 1;
        history.Add(new NoticeRevision(version, now, after));
        return carried with
        {
            CalendarSequence = current.CalendarSequence + 1,
            NoticeVersion = version,
            NoticeHistory = history.Skip(Math.Max(0, history.Count - RevisionsKept)).ToList(),
        };
    }

    /// <summary>
    /// The state a registration was last told of: the latest of the notice it was last sent and the revision in
    /// force when it signed up (its confirmation showed that).
    /// </summary>
    public static NoticeSnapshot Baseline(EventRecord e, int noticeSentVersion, DateTimeOffset createdUtc)
    {
        if (e.NoticeHistory.Count == 0) return NoticeSnapshot.Of(e);
        var atSignUp = e.NoticeHistory.LastOrDefault(r => r.AtUtc < createdUtc)?.Version ?? 0; // a tie counts as before the change: told once too often rather than never
        var version = Math.Max(noticeSentVersion, atSignUp);
        return (e.NoticeHistory.LastOrDefault(r => r.Version <= version) ?? e.NoticeHistory[0]).Snapshot;
    }

    /// <summary>The lines of a change email, old beside new, in the participant's language.</summary>
    public static IReadOnlyList<NoticeChange> Changes(EventRecord e, NoticeSnapshot was, UiText text)
    {
        var now = NoticeSnapshot.Of(e);
        var english = text.Code == UiText.English.Code;
        string Place(string? zh, string? en) => (english ? en ?? zh : zh) ?? "—";
        var changes = new List<NoticeChange>();
        if (was.StartUtc != now.StartUtc || was.EndUtc != now.EndUtc)
        {
            changes.Add(new(text.When,
                text.FormatRange(e.ToLocal(was.StartUtc), e.ToLocal(was.EndUtc), e.TimeZoneId),
                text.FormatRange(e.ToLocal(now.StartUtc), e.ToLocal(now.EndUtc), e.TimeZoneId)));
        }

        if (was.MeetingTimeUtc != now.MeetingTimeUtc)
        {
            changes.Add(new(text.MeetingTime,
                was.MeetingTimeUtc is { } a ? text.FormatDateTimeIn(e.ToLocal(a), e.TimeZoneId) : "—",
                now.MeetingTimeUtc is { } b ? text.FormatDateTimeIn(e.ToLocal(b), e.TimeZoneId) : "—"));
        }

        if (was.MeetingPoint != now.MeetingPoint) changes.Add(new(text.MeetingPoint, Place(was.MeetingPoint, was.MeetingPointEn), Place(now.MeetingPoint, now.MeetingPointEn)));
        if (was.Venue != now.Venue) changes.Add(new(text.Venue, Place(was.Venue, was.VenueEn), Place(now.Venue, now.VenueEn)));
        if (was.Address != now.Address) changes.Add(new(text.Address, Place(was.Address, was.AddressEn), Place(now.Address, now.AddressEn)));
        if (was.OnlineUrl != now.OnlineUrl) changes.Add(new(text.OnlineLink, was.OnlineUrl ?? "—", now.OnlineUrl ?? "—"));
        return changes;
    }

    /// <summary>
    /// The event as a participant reading <paramref name="text"/>'s language sees it: the English title,
    /// description, venue, address, meeting point, topic and what to bring where given, the Chinese otherwise.
    /// </summary>
    public static EventRecord For(this EventRecord e, UiText text)
    {
        if (text.Code != UiText.English.Code || e.English is not { } en) return e;
        return e with
        {
            Title = en.Title ?? e.Title,
            Description = en.Description ?? e.Description,
            Venue = en.Venue ?? e.Venue,
            Address = en.Address ?? e.Address,
            SiteVisit = e.SiteVisit is { } v ? v with { MeetingPoint = en.MeetingPoint ?? v.MeetingPoint, Bring = en.Bring ?? v.Bring } : null,
            Salon = e.Salon is { } s ? s with { Topic = en.Topic ?? s.Topic } : null,
        };
    }
}
