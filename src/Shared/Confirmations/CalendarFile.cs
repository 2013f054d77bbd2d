using System.Text;
using EventFunctions.Shared.Events;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace EventFunctions.Shared.Confirmations;

/// <summary>An iCalendar (RFC 5545) file for an event, in the event's own time zone (TZID=Asia/Shanghai).</summary>
public static class CalendarFile
{
    /// <summary>The attachment's type: with its charset, or some mail programs show the Chinese as mojibake.</summary>
    public const string ContentType = "text/calendar; charset=utf-8; method=PUBLISH";

    /// <summary>A cancellation (METHOD:CANCEL) of the entry <see cref="Create"/> made: same UID, higher SEQUENCE.</summary>
    public const string CancelContentType = "text/calendar; charset=utf-8; method=CANCEL";

    /// <summary>
    /// The event's entry for one registration. Its UID stays the same for the registration's life and its
    /// SEQUENCE is the event's <see cref="EventRecord.CalendarSequence"/> (raised with each change of time or
    /// place), so a calendar moves the entry it has instead of adding a second one.
    /// </summary>
    public static byte[] Create(EventRecord e, string registrationId, string location, string description) =>
        Build(e, registrationId, location, description, cancel: false);

    /// <summary>Removes the entry from the participant's calendar (the event was cancelled).</summary>
    public static byte[] Cancel(EventRecord e, string registrationId, string location, string description) =>
        Build(e, registrationId, location, description, cancel: true);

    /// <summary>Where the event is, for a calendar or a plain-text email: a site visit's meeting point and time first.</summary>
    public static string Location(EventRecord e, Text.UiText text)
    {
        if (e.SiteVisit is { } visit)
        {
            var meeting = $"{visit.MeetingPoint} ({text.MeetingTime} {e.ToLocal(visit.MeetingTimeUtc):HH:mm})";
            return string.Join(", ", new[] { meeting, e.Venue, e.Address }.Where(p => !string.IsNullOrWhiteSpace(p)));
        }

        return string.Join(", ", new[] { e.Venue, e.Address, e.Lecture?.OnlineUrl }.Where(p => p is not null));
    }

    private static byte[] Build(EventRecord e, string registrationId, string location, string description, bool cancel)
    {
        var calendar = new Calendar { Method = cancel ? "CANCEL" : "PUBLISH" };
        calendar.AddTimeZone(e.TimeZoneId);
        var start = e.ToLocal(e.StartUtc);
        var end = e.ToLocal(e.EndUtc);
        calendar.Events.Add(new CalendarEvent
        {
            Uid = $"{e.Id}-{registrationId}@eventfunctions",
            Summary = e.Title,
            Location = location,
            Description = description,
            Start = new CalDateTime(start.DateTime, e.TimeZoneId),
            End = new CalDateTime(end.DateTime, e.TimeZoneId),
            DtStamp = new CalDateTime(DateTime.UtcNow, "UTC"),
            Organizer = new Organizer($"mailto:{e.OrganiserEmail}") { CommonName = e.OrganiserName },
            Sequence = e.CalendarSequence,
            Status = cancel ? "CANCELLED" : "CONFIRMED",
        });
        return Encoding.UTF8.GetBytes(new CalendarSerializer().SerializeToString(calendar)!);
    }
}
