using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Notifications;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.Extensions.Options;

namespace EventFunctions.Shared.Listings;

/// <summary>What the calendar page lists: a kind and a month, either or both absent (all).</summary>
public sealed record CalendarFilter(EventKind? Kind, (int Year, int Month)? Month)
{
    public static readonly CalendarFilter All = new(null, null);

    /// <summary>The query's <c>kind</c> and <c>month</c> (<c>yyyy-MM</c>); null when either is given and not understood.</summary>
    public static CalendarFilter? Parse(string? kind, string? month)
    {
        EventKind? k = null;
        if (!string.IsNullOrEmpty(kind))
        {
            k = kind switch { "salon" => EventKind.Salon, "siteVisit" => EventKind.SiteVisit, "lecture" => EventKind.Lecture, "volunteering" => EventKind.Volunteering, _ => null };
            if (k is null) return null;
        }
        (int, int)? m = null;
        if (!string.IsNullOrEmpty(month))
        {
            if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return null;
            m = (d.Year, d.Month);
        }
        return new CalendarFilter(k, m);
    }

    public bool Matches(EventRecord e)
    {
        if (Kind is { } k && e.Kind != k) return false;
        if (Month is { } month)
        {
            var local = e.ToLocal(e.StartUtc);
            if (local.Year != month.Year || local.Month != month.Month) return false;
        }
        return true;
    }
}

/// <summary>The public calendar feed as served: its bytes and the validators calendar apps poll with.</summary>
public sealed record CalendarFeed(byte[] Body, string ETag, DateTimeOffset LastModified);

/// <summary>
/// The street office's public calendar: the events open to anyone (never an invitation-only one), read from the table
/// at most once per <see cref="EventFunctionsOptions.CalendarRefresh"/> per instance (a page anyone can open must not
/// scan the table on every view), listed on a page and published as an iCalendar feed.
/// </summary>
public sealed class PublicCalendar(EventStore store, TimeProvider clock, IOptions<EventFunctionsOptions> options)
{
    /// <summary>Ended events stay in the feed this long, so subscribers' calendars keep them (a feed drops what it leaves out).</summary>
    public static readonly TimeSpan FeedKeepsPast = TimeSpan.FromDays(90);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private (DateTimeOffset Taken, IReadOnlyList<EventRecord> Events, DateTimeOffset LastChanged)? _snapshot;

    /// <summary>The public events (cancelled ones too: the feed must tell subscribers), ended at most <see cref="FeedKeepsPast"/> ago.</summary>
    public async Task<(IReadOnlyList<EventRecord> Events, DateTimeOffset LastChanged)> EventsAsync(CancellationToken ct)
    {
        var refresh = options.Value.CalendarRefresh;
        if (_snapshot is { } s && clock.GetUtcNow() - s.Taken < refresh) return (s.Events, s.LastChanged);
        await _reading.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            if (_snapshot is { } again && now - again.Taken < refresh) return (again.Events, again.LastChanged);
            var since = now - FeedKeepsPast;
            var table = await store.TableAsync(ct);
            var events = new List<EventRecord>();
            var lastChanged = DateTimeOffset.MinValue;
            await foreach (var row in table.QueryAsync<EventEntity>(x => x.RowKey == EventEntity.RowKeyValue && x.EndUtc > since, cancellationToken: ct))
            {
                // Seats handed to instances in blocks are not all given: the view people are shown folds them in.
                var e = row.Blocked > 0 ? (await store.FindEventAsync(row.PartitionKey, ct) ?? row).ToRecord() : row.ToRecord();
                if (!e.IsPublic) continue; // by invitation only: never listed
                events.Add(e);
                if (row.Timestamp is { } t && t > lastChanged) lastChanged = t;
            }
            events.Sort((a, b) => a.StartUtc.CompareTo(b.StartUtc));
            _snapshot = (now, events, lastChanged == DateTimeOffset.MinValue ? now : lastChanged);
            return (events, _snapshot.Value.LastChanged);
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>What the page lists: not ended, not cancelled, matching the filter, soonest first.</summary>
    public static IReadOnlyList<EventRecord> Listed(IEnumerable<EventRecord> events, CalendarFilter filter, DateTimeOffset now) =>
        events.Where(e => e.EndUtc > now && !e.Cancelled && e.IsPublic && filter.Matches(e)).OrderBy(e => e.StartUtc).ToList();

    /// <summary>How an entry's sign-up stands, in a few words.</summary>
    public static string Status(EventRecord e, DateTimeOffset now, CalendarUi ui) => e.WindowAt(now) switch
    {
        SignUpWindow.Open when e.TakesEntriesAt(now) => string.Format(Admission.LotteryUi.ForCode(ui.Code).CalendarStatusFormat, ui.FormatShort(e.ToLocal(e.Lottery!.DrawUtc))),
        SignUpWindow.Drawing => Admission.LotteryUi.ForCode(ui.Code).StateDrawing,
        SignUpWindow.Open when e.PublicSeatsLeft > 0 => string.Format(ui.SeatsLeftFormat, e.PublicSeatsLeft),
        SignUpWindow.Open => e.WaitlistOpen ? ui.WaitlistOnly : ui.Full,
        SignUpWindow.NotYetOpen => string.Format(ui.OpensFormat, ui.FormatShort(e.ToLocal(e.SignUpOpensUtc))),
        SignUpWindow.Closed => ui.SignUpClosed,
        _ => ui.InProgress,
    };

    /// <summary>
    /// The feed (RFC 5545, no METHOD: a published calendar): one entry per public event, its UID the event's for its
    /// life and its SEQUENCE the event's <see cref="EventRecord.CalendarSequence"/>, so a moved event moves in
    /// subscribers' calendars and a cancelled one shows cancelled. Seats are left out: the feed changes (and its ETag
    /// with it) only when an event does, so calendar apps polling it get 304 most of the time.
    /// </summary>
    public CalendarFeed Feed(IReadOnlyList<EventRecord> events, DateTimeOffset lastChanged, CalendarFilter filter, UiText text)
    {
        var ui = CalendarUi.For(text);
        var baseUrl = options.Value.PublicBaseUrl.TrimEnd('/');
        var calendar = new Ical.Net.Calendar();
        calendar.AddProperty("X-WR-CALNAME", ui.FeedName);
        calendar.AddProperty("X-WR-TIMEZONE", "Asia/Shanghai");
        calendar.AddProperty("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
        calendar.AddProperty("X-PUBLISHED-TTL", "PT1H");
        foreach (var zone in events.Select(e => e.TimeZoneId).Distinct()) calendar.AddTimeZone(zone);
        foreach (var original in events.Where(e => e.IsPublic && (filter.Kind is null || e.Kind == filter.Kind)))
        {
            var e = original.For(text);
            var link = baseUrl + Http.Paths.SignUp(e.Id) + (text.Code == "en" ? "?lang=en" : "");
            var changed = e.NoticeHistory.Count > 0 ? e.NoticeHistory[^1].AtUtc : e.CreatedUtc;
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"{e.Id}@eventfunctions",
                Summary = e.Title,
                Location = Confirmations.CalendarFile.Location(e, text),
                Description = string.Join("\n\n", new[] { e.Description, $"{ui.SignUp}: {link}" }.Where(p => !string.IsNullOrWhiteSpace(p))),
                Url = new Uri(link),
                Start = new CalDateTime(e.ToLocal(e.StartUtc).DateTime, e.TimeZoneId),
                End = new CalDateTime(e.ToLocal(e.EndUtc).DateTime, e.TimeZoneId),
                // When the entry last changed (not when the feed was made): the same event gives the same bytes.
                DtStamp = new CalDateTime(changed.UtcDateTime, "UTC"),
                Organizer = new Organizer($"mailto:{e.OrganiserEmail}") { CommonName = e.OrganiserName },
                Sequence = e.CalendarSequence,
                Status = e.Cancelled ? "CANCELLED" : "CONFIRMED",
                Categories = [text.KindName(e.Kind)],
            });
        }
        var body = Encoding.UTF8.GetBytes(new CalendarSerializer().SerializeToString(calendar)!);
        var etag = "\"" + Convert.ToHexString(SHA256.HashData(body), 0, 12).ToLowerInvariant() + "\"";
        return new CalendarFeed(body, etag, lastChanged);
    }
}
