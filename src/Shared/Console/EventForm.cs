using System.Globalization;
using System.Text.RegularExpressions;
using EventFunctions.Shared.Events;
using Microsoft.AspNetCore.Http;

namespace EventFunctions.Shared.Console;

/// <summary>
/// The console's event form: posted fields ↔ <see cref="EventInput"/> (the same validation as the JSON API), and
/// an event back into form values for editing. Field names are the validator's error keys, so each error lands
/// beside its field.
/// </summary>
public static partial class EventForm
{
    public const int QuestionSlots = 5;

    public static readonly string[] Fields =
    [
        "kind", "title", "description", "venue", "address", "start", "end", "capacity", "waitlistAllowed", "confirmEmail", "requiresApproval",
        "signUpOpens", "signUpCloses", "organiserName", "organiserEmail", "unit",
        "salon.hostOrganisation", "salon.topic", "salon.speaker",
        "siteVisit.meetingPoint", "siteVisit.meetingTime", "siteVisit.securityFields", "siteVisit.bring",
        "lecture.speaker", "lecture.onlineUrl", "reminderHoursBefore", "offerHoursBefore", "reconfirmHoursBefore", "reconfirmDeadlineHoursBefore",
        "lotteryDraw", "lotteryNoShowsLast",
        "english.title", "english.description", "english.venue", "english.address", "english.meetingPoint", "english.topic", "english.bring",
    ];

    public static Dictionary<string, string> Values(IFormCollection form)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Fields.Concat(QuestionFields()))
        {
            if (form.TryGetValue(name, out var v)) values[name] = v.ToString();
        }
        return values;
    }

    /// <summary>The form's values as the organiser JSON API's input. Sections of other kinds are ignored.</summary>
    public static EventInput ToInput(IReadOnlyDictionary<string, string> v, string unit)
    {
        var kind = Get(v, "kind");
        var questions = new List<QuestionInput>();
        for (var i = 0; i < QuestionSlots; i++)
        {
            var label = Get(v, $"questions[{i}].label");
            if (label is null) continue;
            var type = Get(v, $"questions[{i}].type") ?? "text";
            var options = type == "choice" ? SplitList(Get(v, $"questions[{i}].options")) : null;
            questions.Add(new QuestionInput(null, label, type, options, Get(v, $"questions[{i}].required") is "on" or "true"));
        }

        return new EventInput
        {
            Kind = kind,
            Title = Get(v, "title"),
            Description = Get(v, "description"),
            Venue = Get(v, "venue"),
            Address = Get(v, "address"),
            Start = Get(v, "start"),
            End = Get(v, "end"),
            Capacity = int.TryParse(Get(v, "capacity"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null,
            WaitlistAllowed = Get(v, "waitlistAllowed") is "on" or "true",
            ConfirmEmail = Get(v, "confirmEmail") is "on" or "true",
            RequiresApproval = Get(v, "requiresApproval") is "on" or "true",
            WaitlistLimit = int.TryParse(Get(v, "waitlistLimit"), NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : null,
            SignUpOpens = Get(v, "signUpOpens"),
            SignUpCloses = Get(v, "signUpCloses"),
            OrganiserName = Get(v, "organiserName"),
            OrganiserEmail = Get(v, "organiserEmail"),
            Unit = unit,
            Salon = kind == "salon" ? new SalonDetails(Get(v, "salon.hostOrganisation"), Get(v, "salon.topic"), Get(v, "salon.speaker")) : null,
            SiteVisit = kind == "siteVisit"
                ? SecurityFieldsInput(new SiteVisitInput(Get(v, "siteVisit.meetingPoint"), Get(v, "siteVisit.meetingTime"), null)
                {
                    Bring = Get(v, "siteVisit.bring"),
                }, SplitLines(Get(v, "siteVisit.securityFields")))
                : null,
            Lecture = kind == "lecture" ? new LectureDetails(Get(v, "lecture.speaker"), Get(v, "lecture.onlineUrl")) : null,
            Volunteering = kind == "volunteering" ? new VolunteeringDetails(Get(v, "volunteering.team"), Get(v, "volunteering.activity")) : null,
            Questions = questions,
            // Left empty: the validator keeps the event's own setting (24 hours for a new one). Not a whole number: -1,
            // which the validator refuses beside the field.
            ReconfirmHoursBefore = Get(v, "reconfirmHoursBefore") is { } ask
                ? int.TryParse(ask, NumberStyles.None, CultureInfo.InvariantCulture, out var rc) ? rc : -1
                : null,
            ReconfirmDeadlineHoursBefore = Get(v, "reconfirmDeadlineHoursBefore") is { } due
                ? int.TryParse(due, NumberStyles.None, CultureInfo.InvariantCulture, out var rd) ? rd : -1
                : null,
            // Empty: first come (an event that had a lottery loses it, which the validator refuses once people have entered).
            LotteryDraw = Get(v, "lotteryDraw") ?? "",
            LotteryNoShowsLast = Get(v, "lotteryNoShowsLast") is "on" or "true",
            OfferHoursBefore = Get(v, "offerHoursBefore") is { } offer
                ? int.TryParse(offer, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1
                : null,
            ReminderHoursBefore = Get(v, "reminderHoursBefore") is { } hours
                ? int.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : -1
                : null,
            English = new EventEnglish(Get(v, "english.title"), Get(v, "english.description"), Get(v, "english.venue"), Get(v, "english.address"),
                Get(v, "english.meetingPoint"), Get(v, "english.topic"))
            {
                Bring = Get(v, "english.bring"),
            },
        };
    }

    /// <summary>An event as form values (local times as <c>yyyy-MM-ddTHH:mm</c>, what datetime-local inputs use).</summary>
    public static Dictionary<string, string> FromRecord(EventRecord e)
    {
        string Local(DateTimeOffset utc) => e.ToLocal(utc).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var v = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kind"] = KindValue(e.Kind),
            ["title"] = e.Title,
            ["description"] = e.Description ?? "",
            ["venue"] = e.Venue ?? "",
            ["address"] = e.Address ?? "",
            ["start"] = Local(e.StartUtc),
            ["end"] = Local(e.EndUtc),
            ["capacity"] = e.Capacity.ToString(CultureInfo.InvariantCulture),
            ["waitlistAllowed"] = e.WaitlistAllowed ? "on" : "",
            ["confirmEmail"] = e.ConfirmEmail ? "on" : "",
            ["requiresApproval"] = e.RequiresApproval ? "on" : "",
            // The default (three times the seats) shows as empty, so that changing the seats moves it too.
            ["waitlistLimit"] = e.WaitlistAllowed && e.WaitlistLimit > 0 && e.WaitlistLimit != EventRecord.DefaultWaitlistLimit(e.Capacity)
                ? e.WaitlistLimit.ToString(CultureInfo.InvariantCulture) : "",
            ["signUpOpens"] = Local(e.SignUpOpensUtc),
            // At the start (the default) shows as empty, "at the start", so that moving the event moves it too.
            ["signUpCloses"] = e.SignUpClosesUtc == e.StartUtc ? "" : Local(e.SignUpClosesUtc),
            ["organiserName"] = e.OrganiserName,
            ["organiserEmail"] = e.OrganiserEmail,
            ["unit"] = e.Unit,
            ["reminderHoursBefore"] = e.ReminderHoursBefore.ToString(CultureInfo.InvariantCulture),
            ["offerHoursBefore"] = e.OfferHoursBefore.ToString(CultureInfo.InvariantCulture),
            ["lotteryDraw"] = e.Lottery is { } lottery ? Local(lottery.DrawUtc) : "",
            ["lotteryNoShowsLast"] = e.Lottery?.NoShowsLast == true ? "on" : "",
            ["reconfirmHoursBefore"] = e.ReconfirmHoursBefore.ToString(CultureInfo.InvariantCulture),
            ["reconfirmDeadlineHoursBefore"] = e.ReconfirmDeadlineHoursBefore.ToString(CultureInfo.InvariantCulture),
            ["english.title"] = e.English?.Title ?? "",
            ["english.description"] = e.English?.Description ?? "",
            ["english.venue"] = e.English?.Venue ?? "",
            ["english.address"] = e.English?.Address ?? "",
            ["english.meetingPoint"] = e.English?.MeetingPoint ?? "",
            ["english.topic"] = e.English?.Topic ?? "",
            ["english.bring"] = e.English?.Bring ?? "",
        };
        if (e.Salon is { } s)
        {
            v["salon.hostOrganisation"] = s.HostOrganisation ?? "";
            v["salon.topic"] = s.Topic ?? "";
            v["salon.speaker"] = s.Speaker ?? "";
        }
        if (e.SiteVisit is { } sv)
        {
            v["siteVisit.meetingPoint"] = sv.MeetingPoint;
            v["siteVisit.meetingTime"] = Local(sv.MeetingTimeUtc);
            v["siteVisit.securityFields"] = string.Join("\n", sv.SecurityFields.Select(f => sv.OptionalSecurityFields.Contains(f) ? f + OptionalSuffix : f));
            v["siteVisit.bring"] = sv.Bring ?? "";
        }
        if (e.Volunteering is { } vol)
        {
            v["volunteering.team"] = vol.Team ?? "";
            v["volunteering.activity"] = vol.Activity ?? "";
        }
        if (e.Lecture is { } l)
        {
            v["lecture.speaker"] = l.Speaker ?? "";
            v["lecture.onlineUrl"] = l.OnlineUrl ?? "";
        }
        for (var i = 0; i < e.Questions.Count && i < QuestionSlots; i++)
        {
            var q = e.Questions[i];
            v[$"questions[{i}].label"] = q.Label;
            v[$"questions[{i}].type"] = q.Type switch { QuestionType.Choice => "choice", QuestionType.YesNo => "yesNo", _ => "text" };
            v[$"questions[{i}].options"] = string.Join("\n", q.Options);
            v[$"questions[{i}].required"] = q.Required ? "on" : "";
        }
        return v;
    }

    /// <summary>A security-desk field line ending so (or with "(optional)") is one a visitor may leave empty.</summary>
    public const string OptionalSuffix = "（选填）";
    private static readonly string[] OptionalSuffixes = [OptionalSuffix, "(选填)", "(optional)", "（optional）"];

    /// <summary>The fields one per line; those marked optional lose the mark and are listed as optional.</summary>
    private static SiteVisitInput SecurityFieldsInput(SiteVisitInput input, List<string>? lines)
    {
        if (lines is null) return input;
        var fields = new List<string>();
        var optional = new List<string>();
        foreach (var line in lines)
        {
            var suffix = OptionalSuffixes.FirstOrDefault(s => line.EndsWith(s, StringComparison.OrdinalIgnoreCase));
            var label = suffix is null ? line : line[..^suffix.Length].TrimEnd();
            fields.Add(label);
            if (suffix is not null) optional.Add(label);
        }

        return input with { SecurityFields = fields, OptionalSecurityFields = optional };
    }

    public static string KindValue(EventKind kind) => kind switch
    {
        EventKind.Salon => "salon",
        EventKind.SiteVisit => "siteVisit",
        EventKind.Volunteering => "volunteering",
        _ => "lecture",
    };

    private static IEnumerable<string> QuestionFields()
    {
        for (var i = 0; i < QuestionSlots; i++)
        {
            yield return $"questions[{i}].label";
            yield return $"questions[{i}].type";
            yield return $"questions[{i}].options";
            yield return $"questions[{i}].required";
        }
    }

    private static string? Get(IReadOnlyDictionary<string, string> v, string key) =>
        v.TryGetValue(key, out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    private static List<string>? SplitLines(string? text) =>
        text?.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static List<string>? SplitList(string? text) =>
        text?.Split(['\n', '\r', ',', '，', '、', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}

/// <summary>A draft being previewed: where its form posts back to, with which values.</summary>
public sealed record PreviewInfo(string Action, string Csrf, IReadOnlyDictionary<string, string> Values, string SaveLabel);
