using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Feedback;

/// <summary>
/// One person's answer to the thank-you email: a rating of 1 to 5 and an optional comment. RowKey
/// <c>fb-{registration id}</c> in the event's partition, inserted once (a second answer is a 409 from the table, not a
/// read-then-write race). It names nobody: organisers see ratings and comments, not who gave them; the registration id
/// only keeps it to one per person. Deleted with the registrations by the retention purge (the counts are kept).
/// </summary>
public sealed class FeedbackEntity : ITableEntity
{
    public const string Prefix = "fb-";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Rating { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset AnsweredUtc { get; set; }

    public static string KeyFor(string registrationId) => Prefix + registrationId;
}

/// <summary>An event's feedback as organisers see it: how many gave each rating, and the comments (newest first).</summary>
public sealed record FeedbackSummary(IReadOnlyList<int> Counts, IReadOnlyList<(int Rating, string Comment, DateTimeOffset At)> Comments, bool FromSummary)
{
    public int Answers => Counts.Sum();
    public double Average => Answers == 0 ? 0 : Counts.Select((c, i) => c * (i + 1)).Sum() / (double)Answers;
    public static readonly FeedbackSummary None = new([0, 0, 0, 0, 0], [], false);
}

public abstract record FeedbackOutcome
{
    public sealed record Saved(FeedbackEntity Answer) : FeedbackOutcome;
    /// <summary>Answered before: the first answer stands (shown back).</summary>
    public sealed record AlreadyAnswered(FeedbackEntity Answer) : FeedbackOutcome;
    public sealed record Invalid(FieldErrors Errors) : FeedbackOutcome;
    /// <summary>The event has not ended yet.</summary>
    public sealed record NotYetHeld : FeedbackOutcome;
    /// <summary>Never checked in: feedback is asked of people who came.</summary>
    public sealed record NotAttended : FeedbackOutcome;
}

/// <summary>Who is asked for feedback, what an answer may hold, and storing it once per person.</summary>
public sealed class FeedbackService(EventStore store, TimeProvider clock, ILogger<FeedbackService> log)
{
    public const int MaxComment = 1000;

    /// <summary>How long after the end the thank-you email still goes (a sweep that was down for a day catches up; a week later it would be odd).</summary>
    public static readonly TimeSpan AskWithin = TimeSpan.FromDays(2);

    /// <summary>Whether this person is owed the thank-you email now: they came (checked in), the event is over and not cancelled, not sent yet.</summary>
    public static bool ThanksDue(EventRecord e, RegistrationEntity row, DateTimeOffset now) =>
        !e.Cancelled && row.Status == RegistrationStatus.Confirmed && row.CheckedInUtc is not null && row.ThanksSentUtc is null
        && now >= e.EndUtc && now < e.EndUtc + AskWithin;

    /// <summary>Whether this person may answer: checked in at an event that has ended.</summary>
    public static FeedbackOutcome? Refusal(EventRecord e, RegistrationEntity row, DateTimeOffset now) =>
        now < e.EndUtc ? new FeedbackOutcome.NotYetHeld() : row.CheckedInUtc is null ? new FeedbackOutcome.NotAttended() : null;

    /// <summary>The answer's fields checked; the messages in the reader's language (a participant's page shows one).</summary>
    public static FieldErrors Check(string? rating, string? comment, bool english, out int value, out string? clean)
    {
        var errors = new FieldErrors();
        clean = Input.Clean(comment);
        string In(Text.Bilingual b) => english ? b.En : b.Zh;
        if (!int.TryParse(rating, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) || value is < 1 or > 5)
            errors.Add("rating", In(FeedbackText.ChooseRating));
        if (clean is { Length: > MaxComment }) errors.Add("comment", In(FeedbackText.CommentTooLong(MaxComment)));
        return errors;
    }

    public async Task<FeedbackEntity?> FindAsync(string eventId, string registrationId, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var found = await table.GetEntityIfExistsAsync<FeedbackEntity>(eventId, FeedbackEntity.KeyFor(registrationId), cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    public async Task<FeedbackOutcome> SubmitAsync(EventRecord e, RegistrationEntity row, string? rating, string? comment, bool english, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (Refusal(e, row, now) is { } refused) return refused;
        var errors = Check(rating, comment, english, out var value, out var clean);
        if (errors.Any) return new FeedbackOutcome.Invalid(errors);
        var table = await store.TableAsync(ct);
        var answer = new FeedbackEntity { PartitionKey = e.Id, RowKey = FeedbackEntity.KeyFor(row.RegistrationId), Rating = value, Comment = clean, AnsweredUtc = now };
        try
        {
            await table.AddEntityAsync(answer, ct);
            log.LogInformation("Feedback {Rating} for event {EventId}", value, e.Id);
            return new FeedbackOutcome.Saved(answer);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return new FeedbackOutcome.AlreadyAnswered((await FindAsync(e.Id, row.RegistrationId, ct))!);
        }
    }

    /// <summary>The event's feedback; after the retention purge, the counts kept on its attendance summary (comments are gone).</summary>
    public async Task<FeedbackSummary> SummaryAsync(string eventId, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var counts = new int[5];
        var comments = new List<(int, string, DateTimeOffset)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {FeedbackEntity.Prefix} and RowKey lt {"fb."}");
        await foreach (var f in table.QueryAsync<FeedbackEntity>(filter, cancellationToken: ct))
        {
            if (f.Rating is < 1 or > 5) continue;
            counts[f.Rating - 1]++;
            if (!string.IsNullOrEmpty(f.Comment)) comments.Add((f.Rating, f.Comment, f.AnsweredUtc));
        }
        if (counts.Sum() == 0)
        {
            var summary = await table.GetEntityIfExistsAsync<Attendance.AttendanceSummaryEntity>(eventId, Attendance.AttendanceSummaryEntity.RowKeyValue, cancellationToken: ct);
            if (summary.HasValue && JsonSerializer.Deserialize<int[]>(summary.Value!.RatingsJson ?? "[]") is { Length: 5 } kept)
                return new FeedbackSummary(kept, [], FromSummary: true);
        }
        return new FeedbackSummary(counts, comments.OrderByDescending(c => c.Item3).ToList(), false);
    }

    /// <summary>The feedback as CSV: rating, comment, when (no names: the answers are anonymous to organisers).</summary>
    public async Task<byte[]> CsvAsync(EventRecord e, CancellationToken ct)
    {
        var table = await store.TableAsync(ct);
        var lines = new List<string?[]>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {e.Id} and RowKey ge {FeedbackEntity.Prefix} and RowKey lt {"fb."}");
        await foreach (var f in table.QueryAsync<FeedbackEntity>(filter, cancellationToken: ct))
            lines.Add([f.Rating.ToString(System.Globalization.CultureInfo.InvariantCulture), f.Comment ?? "", e.ToLocal(f.AnsweredUtc).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)]);
        return Attendance.CsvExport.Write(FeedbackText.ExportColumns, lines.OrderBy(l => l[2], StringComparer.Ordinal));
    }
}
