using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace EventFunctions.Shared.Series;

/// <summary>
/// A series (a monthly legal-aid lecture, a four-part course): a title, a description and its sessions, each a normal
/// event (its own partition, time, place and capacity) that names the series (<see cref="Events.EventRecord.SeriesId"/>).
/// One row in partition <see cref="PartitionValue"/>.
/// </summary>
public sealed class SeriesEntity : ITableEntity
{
    public const string PartitionValue = "series";

    public string PartitionKey { get; set; } = PartitionValue;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Title { get; set; } = "";
    public string? Description { get; set; }
    /// <summary>The series' title and description in English, shown to English readers (the Chinese where missing).</summary>
    public string? EnglishTitle { get; set; }
    public string? EnglishDescription { get; set; }

    /// <summary>The title and description in the reader's language where given.</summary>
    public (string Title, string? Description) For(Text.UiText text) =>
        text.Code == "en" ? (EnglishTitle ?? Title, EnglishDescription ?? Description) : (Title, Description);
    /// <summary>The member unit that owns it (its organisers see and change it), as its first session's.</summary>
    public string Unit { get; set; } = "";
    /// <summary>The sessions' event ids in date order, as planned when it was made (a session not yet created is made again by "finish").</summary>
    public string SessionIdsJson { get; set; } = "[]";
    public DateTimeOffset CreatedUtc { get; set; }
    /// <summary>The planned local start of each session after the first (<c>yyyy-MM-ddTHH:mm</c>), as JSON: what "finish" makes a missing session from.</summary>
    public string PlannedStartsJson { get; set; } = "[]";

    [IgnoreDataMember]
    public IReadOnlyList<DateTime> PlannedStarts => (JsonSerializer.Deserialize<List<string>>(PlannedStartsJson) ?? [])
        .Select(s => DateTime.ParseExact(s, "yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [IgnoreDataMember]
    public IReadOnlyList<string> SessionIds => JsonSerializer.Deserialize<List<string>>(SessionIdsJson) ?? [];
}

public static class SeriesJoinStates
{
    /// <summary>Seats being held in each session; released if one cannot be had, or at the deadline if nothing more happens.</summary>
    public const string Holding = "holding";
    /// <summary>Committed (before the deadline): every held seat is to be confirmed; the hold sweep finishes what a crash left.</summary>
    public const string Accepted = "accepted";
    public const string Done = "done";
    /// <summary>Not gone through: the seats held were given back.</summary>
    public const string Released = "released";
}

/// <summary>
/// A whole-series sign-up: one person, a seat in every session or none. RowKey <c>{seriesId}~{registration key}</c>
/// (one at a time per person and series), partition <see cref="PartitionValue"/>. Its state is the commit point:
/// Holding → Accepted is a write under its ETag made only before <see cref="HoldUntil"/> less a margin, so the hold
/// sweep, which releases held seats only after <see cref="HoldUntil"/>, sees Accepted and confirms instead.
/// </summary>
public sealed class SeriesJoinEntity : ITableEntity
{
    public const string PartitionValue = "seriesjoin";

    public string PartitionKey { get; set; } = PartitionValue;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SeriesId { get; set; } = "";
    public string State { get; set; } = SeriesJoinStates.Holding;
    /// <summary>Each session's held registration: event id → (row key, registration id), as JSON.</summary>
    public string SeatsJson { get; set; } = "{}";
    public DateTimeOffset HoldUntil { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }

    public static string KeyFor(string seriesId, string registrationKey) => $"{seriesId}~{registrationKey}";

    [IgnoreDataMember]
    public Dictionary<string, HeldSeat> Seats
    {
        get => JsonSerializer.Deserialize<Dictionary<string, HeldSeat>>(SeatsJson) ?? [];
        set => SeatsJson = JsonSerializer.Serialize(value);
    }
}

public sealed record HeldSeat(string RowKey, string RegistrationId);

/// <summary>How sessions repeat from the first.</summary>
public enum Repeat
{
    Weekly,
    Fortnightly,
    Monthly,
    /// <summary>Hand-picked dates, at the first session's time of day.</summary>
    Dates,
}
