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

    public static byte[] Create(EventRecord e, string registrationId, string location, string description)
    {
        var calendar = new Calendar { Method = "PUBLISH" };
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
        });
        return Encoding.UTF8.GetBytes(new CalendarSerializer().SerializeToString(calendar)!);
    }
}
